//! Index upkeep: a profile's search entries (`entries`), the typo index of names and the
//! listing columns of its specialty links, always in the transaction of the change.

use super::entries;
use super::typos::{forget_unused_name_words, remember_name_words};
use crate::db::Params;
use sea_orm::{ConnectionTrait, DbErr};

/// Removes a profile from the search index, and its name words from the typo index unless
/// another profile's name uses them (call before deleting or wiping it).
pub async fn unindex<C: ConnectionTrait>(conn: &C, profile_id: i64) -> Result<(), DbErr> {
    refresh(conn, profile_id, true).await
}

/// Indexes profiles just inserted together (bulk loads), their names in the typo index.
pub async fn index_new<C: ConnectionTrait>(conn: &C, profile_ids: &[i64]) -> Result<(), DbErr> {
    let names = entries::refresh(conn, profile_ids, false).await?;
    let mut added = names.added;
    added.sort_unstable();
    added.dedup();
    remember_name_words(conn, &added).await
}

async fn refresh<C: ConnectionTrait>(conn: &C, profile_id: i64, leaving: bool) -> Result<(), DbErr> {
    let names = entries::refresh(conn, &[profile_id], leaving).await?;
    remember_name_words(conn, &names.added).await?;
    forget_unused_name_words(conn, &names.gone).await
}

/// Copies a profile's status, folded city and rank to its specialty links, and rewrites its
/// search entries (whose listings and scores follow them). Call in the transaction that
/// changed them or rewrote the links.
pub async fn copy_listing_columns<C: ConnectionTrait>(conn: &C, profile_id: i64) -> Result<(), DbErr> {
    let mut params = Params::new(conn.get_database_backend());
    let p = params.push(profile_id);
    conn.execute_raw(params.statement(format!(
        "UPDATE profile_specialty SET \
         status = (SELECT d.status FROM directory_profile d WHERE d.id = {p}), \
         city_folded = (SELECT d.city_folded FROM directory_profile d WHERE d.id = {p}), \
         search_rank = (SELECT d.search_rank FROM directory_profile d WHERE d.id = {p}) \
         WHERE profile_id = {p}"
    )))
    .await?;
    refresh(conn, profile_id, false).await
}
