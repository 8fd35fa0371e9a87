//! Index upkeep: a profile's search entries (`entries`) and the typo index of names, always
//! in the transaction of the change.

use super::entries;
use super::typos::{forget_unused_name_words, remember_name_words};
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

/// Rewrites a profile's search entries from its stored state (its row, status, rank and
/// specialty links). Call in the transaction that changed any of them.
pub async fn reindex<C: ConnectionTrait>(conn: &C, profile_id: i64) -> Result<(), DbErr> {
    refresh(conn, profile_id, false).await
}
