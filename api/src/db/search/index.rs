//! Index upkeep: a profile's search entry (FTS5 on SQLite; `profile_search`,
//! `search_posting` and `search_word` on PostgreSQL) and the listing columns copied to the
//! rows that list it, always in the transaction of the change.

use super::typos::{forget_unused_name_words, indexed_name_words, remember_name_words};
use crate::db::Params;
use entity::{directory_profile as profile, specialty};
use sea_orm::{ConnectionTrait, DbBackend, DbErr};
use shared::fuzzy;
use shared::validate::fold;

/// Writes the search-index entry of a profile (call in the transaction that changed it).
pub async fn reindex<C: ConnectionTrait>(
    conn: &C,
    profile: &profile::Model,
    specialties: &[specialty::Model],
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let names = specialties
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let (name, city, specs, bio) = (
        fold(&profile.display_name),
        fold(&profile.city),
        fold(&names),
        fold(&profile.bio),
    );
    let old_words = indexed_name_words(conn, profile.id).await?;
    if backend == DbBackend::Postgres {
        recount_search_words(conn, profile.id, Some([&name, &city, &specs, &bio])).await?;
    }
    delete_entry(conn, profile.id).await?;
    let new_words = fuzzy::name_words(&name);
    let mut p = Params::new(backend);
    let (id, name, city, specs, bio) = (
        p.push(profile.id),
        p.push(name),
        p.push(city),
        p.push(specs),
        p.push(bio),
    );
    let sql = match backend {
        // The listing columns come from the stored profile, not from `profile`: a caller
        // may hold a model from before a rank or status change.
        DbBackend::Postgres => format!(
            "INSERT INTO profile_search (profile_id, name_folded, document, status, city_folded, search_rank) \
             SELECT d.id, {name}, setweight(to_tsvector('simple', {name}), 'A') || \
             setweight(to_tsvector('simple', {city}), 'B') || setweight(to_tsvector('simple', {specs}), 'B') || \
             setweight(to_tsvector('simple', {bio}), 'D'), d.status, d.city_folded, d.search_rank \
             FROM directory_profile d WHERE d.id = {id}"
        ),
        _ => format!(
            "INSERT INTO profile_search (rowid, display_name, city, specialties, bio) \
             VALUES ({id}, {name}, {city}, {specs}, {bio})"
        ),
    };
    conn.execute_raw(p.statement(sql)).await?;
    if backend == DbBackend::Postgres {
        write_postings(conn, profile.id).await?;
    }
    if old_words != new_words {
        let added: Vec<String> = new_words.iter().filter(|w| !old_words.contains(w)).cloned().collect();
        let gone: Vec<String> = old_words.into_iter().filter(|w| !new_words.contains(w)).collect();
        remember_name_words(conn, &added).await?;
        forget_unused_name_words(conn, &gone).await?;
    }
    Ok(())
}

/// Removes a profile from the search index, and its name words from the typo index unless
/// another profile's name uses them.
pub async fn unindex<C: ConnectionTrait>(conn: &C, profile_id: i64) -> Result<(), DbErr> {
    let words = indexed_name_words(conn, profile_id).await?;
    if conn.get_database_backend() == DbBackend::Postgres {
        recount_search_words(conn, profile_id, None).await?;
        delete_postings(conn, profile_id).await?;
    }
    delete_entry(conn, profile_id).await?;
    forget_unused_name_words(conn, &words).await
}

/// PostgreSQL: replaces a profile's postings (`search_posting`, one per word of its index
/// entry) with those of its current entry, each weighed by the word's `ts_rank` in the
/// document: what the full-text path scores a one-word search with. Call after the entry
/// is written.
async fn write_postings<C: ConnectionTrait>(conn: &C, profile_id: i64) -> Result<(), DbErr> {
    delete_postings(conn, profile_id).await?;
    // A word with a backslash cannot be quoted into a query (nor is it ever searched:
    // search words are letters and digits).
    let mut p = Params::new(DbBackend::Postgres);
    let id = p.push(profile_id);
    conn.execute_raw(p.statement(format!(
        "INSERT INTO search_posting (word, profile_id, status, city_folded, search_rank, weight) \
         SELECT w.word, s.profile_id, s.status, s.city_folded, s.search_rank, \
         ts_rank(s.document, quote_literal(w.word)::tsquery) \
         FROM profile_search s CROSS JOIN LATERAL unnest(tsvector_to_array(s.document)) AS w(word) \
         WHERE s.profile_id = {id} AND strpos(w.word, chr(92)) = 0"
    )))
    .await?;
    Ok(())
}

/// PostgreSQL: moves the counts of `search_word` from the words of a profile's current
/// index entry to those of its next one (`None`: it leaves the index), and removes the
/// words no profile uses any more. Call before the entry is replaced. One ordered upsert,
/// so concurrent writers lock shared words in the same order.
async fn recount_search_words<C: ConnectionTrait>(
    conn: &C,
    profile_id: i64,
    next: Option<[&String; 4]>,
) -> Result<(), DbErr> {
    let mut p = Params::new(DbBackend::Postgres);
    let id = p.push(profile_id);
    let new_words = match next {
        Some(texts) => {
            let vectors = texts
                .into_iter()
                .map(|text| format!("to_tsvector('simple', {})", p.push(text.clone())))
                .collect::<Vec<_>>()
                .join(" || ");
            format!("SELECT unnest(tsvector_to_array({vectors})) AS word")
        }
        None => "SELECT NULL::text AS word WHERE false".to_owned(),
    };
    conn.execute_raw(p.statement(format!(
            "WITH old AS (SELECT unnest(tsvector_to_array(document)) AS word FROM profile_search WHERE profile_id = {id}), \
             new AS ({new_words}), \
             delta AS (SELECT word, SUM(d) AS d FROM (SELECT word, -1 AS d FROM old UNION ALL SELECT word, 1 AS d FROM new) w \
             GROUP BY word HAVING SUM(d) <> 0) \
             INSERT INTO search_word (word, profiles) SELECT word, d FROM delta ORDER BY word \
             ON CONFLICT (word) DO UPDATE SET profiles = search_word.profiles + EXCLUDED.profiles"
    )))
    .await?;
    let mut p = Params::new(DbBackend::Postgres);
    let id = p.push(profile_id);
    conn.execute_raw(p.statement(format!(
        "DELETE FROM search_word WHERE profiles <= 0 AND word IN \
         (SELECT unnest(tsvector_to_array(document)) FROM profile_search WHERE profile_id = {id})"
    )))
    .await?;
    Ok(())
}

/// Copies a profile's status, folded city and rank to the rows that list it by them: its
/// specialty links (both engines), its index entry and its postings (PostgreSQL). Call in the
/// transaction that changed them or rewrote the links; [`reindex`] copies them too.
pub async fn copy_listing_columns<C: ConnectionTrait>(conn: &C, profile_id: i64) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let copy = |table: &str, key: &str| {
        let mut params = Params::new(backend);
        let p = params.push(profile_id);
        params.statement(format!(
            "UPDATE {table} SET \
             status = (SELECT d.status FROM directory_profile d WHERE d.id = {p}), \
             city_folded = (SELECT d.city_folded FROM directory_profile d WHERE d.id = {p}), \
             search_rank = (SELECT d.search_rank FROM directory_profile d WHERE d.id = {p}) \
             WHERE {key} = {p}"
        ))
    };
    let mut statements = vec![copy("profile_specialty", "profile_id")];
    if backend == DbBackend::Postgres {
        statements.push(copy("profile_search", "profile_id"));
        statements.push(copy("search_posting", "profile_id"));
    }
    for statement in statements {
        conn.execute_raw(statement).await?;
    }
    Ok(())
}

/// PostgreSQL: removes a profile's postings.
async fn delete_postings<C: ConnectionTrait>(conn: &C, profile_id: i64) -> Result<(), DbErr> {
    let mut p = Params::new(DbBackend::Postgres);
    let id = p.push(profile_id);
    conn.execute_raw(p.statement(format!("DELETE FROM search_posting WHERE profile_id = {id}")))
        .await?;
    Ok(())
}

async fn delete_entry<C: ConnectionTrait>(conn: &C, profile_id: i64) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let mut p = Params::new(backend);
    let id = p.push(profile_id);
    let key = if backend == DbBackend::Postgres {
        "profile_id"
    } else {
        "rowid"
    };
    conn.execute_raw(p.statement(format!("DELETE FROM profile_search WHERE {key} = {id}")))
        .await?;
    Ok(())
}
