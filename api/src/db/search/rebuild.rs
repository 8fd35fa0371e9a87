//! The full rebuild of the directory's derived search structures (`cptn search reindex`,
//! the first start after migration 23, the sample loader): new tables are filled in
//! batches with no index to keep up, indexed once full (a sort, not a million inserts), then
//! put in place of the old ones, all in the caller's transaction. Readers use the old
//! tables until it commits; profile writes wait for it (PostgreSQL: a share lock on
//! `directory_profile`; SQLite has one writer anyway), so no change is lost between the
//! read of a profile and the swap.
//!
//! The tables built here are those of migration 23; the sameness test compares their
//! definitions before and after a rebuild.

use super::entries::{entries_of, insert_documents, insert_rows_into, load, name_words_of, whole_words};
use crate::db::{Params, rows_per_statement};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult};
use std::collections::{BTreeMap, BTreeSet};

/// Profiles read and written per batch.
pub const REBUILD_BATCH: usize = 1_000;

const SQLITE_NEW: &[&str] = &[
    "DROP TABLE IF EXISTS search_entry_next",
    "DROP TABLE IF EXISTS search_count_next",
    "DROP TABLE IF EXISTS search_document_next",
    "CREATE TABLE search_entry_next (\
        profile_id BIGINT NOT NULL REFERENCES directory_profile (id) ON DELETE CASCADE, \
        term TEXT NOT NULL, weight BIGINT NOT NULL, score BIGINT NOT NULL, \
        PRIMARY KEY (profile_id, term)) WITHOUT ROWID",
    "CREATE TABLE search_count_next (term TEXT PRIMARY KEY, profiles BIGINT NOT NULL, max_weight BIGINT NOT NULL) \
     WITHOUT ROWID",
    "CREATE VIRTUAL TABLE search_document_next USING fts5(name, other, \
     tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3')",
];

/// SQLite keeps an index's name when its table is renamed: the page index is made after.
const SQLITE_SWAP: &[&str] = &[
    "DROP TABLE search_entry",
    "ALTER TABLE search_entry_next RENAME TO search_entry",
    "CREATE INDEX idx_search_entry_page ON search_entry (term, score DESC, profile_id, weight)",
    "DROP TABLE search_count",
    "ALTER TABLE search_count_next RENAME TO search_count",
    "DROP TABLE search_document",
    "ALTER TABLE search_document_next RENAME TO search_document",
];

const POSTGRES_NEW: &[&str] = &[
    "DROP TABLE IF EXISTS search_entry_next",
    "DROP TABLE IF EXISTS search_count_next",
    "DROP TABLE IF EXISTS search_document_next",
    "CREATE TABLE search_entry_next (profile_id BIGINT NOT NULL, term TEXT COLLATE \"C\" NOT NULL, \
     weight BIGINT NOT NULL, score BIGINT NOT NULL)",
    "CREATE TABLE search_count_next (term TEXT COLLATE \"C\" NOT NULL, profiles BIGINT NOT NULL, \
     max_weight BIGINT NOT NULL)",
    "CREATE TABLE search_document_next (profile_id BIGINT NOT NULL, search_rank BIGINT NOT NULL, \
     document TSVECTOR NOT NULL)",
];

/// Indexes built on the full tables, under names of their own until the swap.
const POSTGRES_INDEX: &[&str] = &[
    "CREATE UNIQUE INDEX search_entry_next_pkey ON search_entry_next (profile_id, term)",
    "CREATE INDEX idx_search_entry_page_next ON search_entry_next (term, score DESC, profile_id) INCLUDE (weight)",
    "CREATE UNIQUE INDEX search_count_next_pkey ON search_count_next (term)",
    "CREATE UNIQUE INDEX search_document_next_pkey ON search_document_next (profile_id)",
    "CREATE INDEX idx_search_document_next ON search_document_next USING GIN (document)",
];

const POSTGRES_SWAP: &[&str] = &[
    "DROP TABLE search_entry, search_count, search_document",
    "ALTER TABLE search_entry_next RENAME TO search_entry",
    "ALTER TABLE search_entry ADD CONSTRAINT search_entry_pkey PRIMARY KEY USING INDEX search_entry_next_pkey",
    "ALTER INDEX idx_search_entry_page_next RENAME TO idx_search_entry_page",
    "ALTER TABLE search_entry ADD CONSTRAINT search_entry_profile_id_fkey FOREIGN KEY (profile_id) \
     REFERENCES directory_profile (id) ON DELETE CASCADE",
    "ALTER TABLE search_count_next RENAME TO search_count",
    "ALTER TABLE search_count ADD CONSTRAINT search_count_pkey PRIMARY KEY USING INDEX search_count_next_pkey",
    "ALTER TABLE search_document_next RENAME TO search_document",
    "ALTER TABLE search_document ADD CONSTRAINT search_document_pkey PRIMARY KEY USING INDEX search_document_next_pkey",
    "ALTER INDEX idx_search_document_next RENAME TO idx_search_document",
    "ALTER TABLE search_document ADD CONSTRAINT search_document_profile_id_fkey FOREIGN KEY (profile_id) \
     REFERENCES directory_profile (id) ON DELETE CASCADE",
];

async fn run_all<C: ConnectionTrait>(conn: &C, statements: &[&str]) -> Result<(), DbErr> {
    for sql in statements {
        conn.execute_unprepared(sql).await?;
    }
    Ok(())
}

/// Rebuilds every entry, count and document, and the typo index of names, from the stored
/// profiles; how many profiles are listed. Run in a transaction.
pub async fn rebuild<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    let backend = conn.get_database_backend();
    let postgres = backend == DbBackend::Postgres;
    if postgres {
        conn.execute_unprepared("LOCK TABLE directory_profile IN SHARE MODE")
            .await?;
    }
    run_all(conn, if postgres { POSTGRES_NEW } else { SQLITE_NEW }).await?;
    // Each term's rows and their highest weight.
    let mut counts: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut indexed = 0;
    let mut after = 0_i64;
    loop {
        #[derive(FromQueryResult)]
        struct Id {
            id: i64,
        }
        let mut p = Params::new(backend);
        let (from, limit) = (p.push(after), p.push(i64::try_from(REBUILD_BATCH).unwrap_or(1_000)));
        let ids: Vec<i64> = Id::find_by_statement(p.statement(format!(
            "SELECT id FROM directory_profile WHERE id > {from} AND status = 'active' ORDER BY id LIMIT {limit}"
        )))
        .all(conn)
        .await?
        .into_iter()
        .map(|row| row.id)
        .collect();
        let Some(&last) = ids.last() else { break };
        after = last;
        let mut rows = Vec::new();
        let mut documents = Vec::new();
        for (profile, specialties) in load(conn, &ids).await? {
            let entries = entries_of(&profile, &specialties);
            if entries.is_empty() {
                continue;
            }
            indexed += 1;
            names.extend(name_words_of(&entries));
            documents.push((
                profile.id,
                profile.search_rank,
                whole_words(entries.iter().map(|(t, w)| (t, *w))),
            ));
            for (term, weight) in entries {
                let count = counts.entry(term.clone()).or_insert((0, 0));
                count.0 += 1;
                count.1 = count.1.max(weight);
                rows.push((profile.id, term, weight, weight + profile.search_rank));
            }
        }
        // In primary-key order (profile, then term), which SQLite appends cheaply.
        insert_rows_into(conn, "search_entry_next", &rows).await?;
        insert_documents(conn, "search_document_next", &documents).await?;
    }
    let counts: Vec<(String, (i64, i64))> = counts.into_iter().collect();
    for chunk in counts.chunks(rows_per_statement(backend, 3)) {
        let mut p = Params::new(backend);
        let values = chunk
            .iter()
            .map(|(term, (n, max))| format!("({}, {}, {})", p.push(term.clone()), p.push(*n), p.push(*max)))
            .collect::<Vec<_>>()
            .join(", ");
        conn.execute_raw(p.statement(format!(
            "INSERT INTO search_count_next (term, profiles, max_weight) VALUES {values}"
        )))
        .await?;
    }
    if postgres {
        run_all(conn, POSTGRES_INDEX).await?;
    }
    run_all(conn, if postgres { POSTGRES_SWAP } else { SQLITE_SWAP }).await?;
    conn.execute_unprepared("DELETE FROM name_trigram").await?;
    super::typos::remember_name_words(conn, &names.into_iter().collect::<Vec<_>>()).await?;
    if postgres {
        // Plans for the new tables come from their statistics, not an empty table's.
        for table in ["search_entry", "search_count", "search_document", "name_trigram"] {
            conn.execute_unprepared(&format!("ANALYZE {table}")).await?;
        }
    }
    Ok(indexed)
}
