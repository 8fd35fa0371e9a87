//! Directory search from precomputed entries, the same tables on both engines (issue 17).
//!
//! `search_entry` holds, for every active profile, one row per term a query may ask for:
//! each whole word of its text (`w:`), each prefix of one to three letters of those words
//! (`p:`), and each listing it belongs to (`l:`: the whole directory, its city, each of its
//! specialties alone and in its city). A row carries the term's weight in the profile and
//! its score (weight plus the profile's search rank), so one index range gives any
//! single-term page in order, however many profiles match. `search_count` counts the rows of
//! each term: the exact `totalCount` of such a page is one row; with it, the highest weight
//! its rows have had (an upper bound of what the term adds to a profile's score, which lets
//! a search of several words stop reading a word's entries once no later one can make the
//! page). Both are derived: the
//! application computes them (`db::search::entries`) in the transaction of every change, and
//! `cptn search reindex` rebuilds them; `db::migrate` builds them after this migration.
//!
//! `search_document` serves searches of several words (and any with a filter or a typo):
//! a full-text index (FTS5 on SQLite, a GIN-indexed `tsvector` on PostgreSQL) of the same
//! words, which intersects their matches from compressed lists; the entries then weigh them.
//!
//! They replace what each engine had of its own: the FTS5 table on SQLite, and on PostgreSQL
//! the `tsvector` entries, their GIN index, the one-word postings and the word counts; and,
//! on both, the listing columns copied to the specialty links.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "DROP TABLE IF EXISTS profile_search",
    // Specialty listings come from the entries: the copies of the profile's status, city
    // and rank on its specialty links (migration 9) and their indexes are no longer read.
    "DROP INDEX IF EXISTS idx_specialty_city_rank",
    "DROP INDEX IF EXISTS idx_specialty_rank",
    "ALTER TABLE profile_specialty DROP COLUMN status",
    "ALTER TABLE profile_specialty DROP COLUMN city_folded",
    "ALTER TABLE profile_specialty DROP COLUMN search_rank",
    // Rows stored in primary-key order: a profile's entries are together, which is what its
    // upkeep reads and rewrites.
    "CREATE TABLE search_entry (\
        profile_id BIGINT NOT NULL REFERENCES directory_profile (id) ON DELETE CASCADE, \
        term TEXT NOT NULL, weight BIGINT NOT NULL, score BIGINT NOT NULL, \
        PRIMARY KEY (profile_id, term)) WITHOUT ROWID",
    "CREATE INDEX idx_search_entry_page ON search_entry (term, score DESC, profile_id, weight)",
    "CREATE TABLE search_count (term TEXT PRIMARY KEY, profiles BIGINT NOT NULL, max_weight BIGINT NOT NULL) \
     WITHOUT ROWID",
    // Searches of several words intersect their matches here (rowid = profile id): the
    // words of the name, and all the others.
    "CREATE VIRTUAL TABLE search_document USING fts5(name, other, \
     tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3')",
];

const POSTGRES_UP: &[&str] = &[
    "DROP TABLE IF EXISTS search_posting",
    "DROP TABLE IF EXISTS search_word",
    "DROP TABLE IF EXISTS profile_search",
    // Specialty listings come from the entries: the copies of the profile's status, city
    // and rank on its specialty links (migration 9) and their indexes are no longer read.
    "DROP INDEX IF EXISTS idx_specialty_city_rank",
    "DROP INDEX IF EXISTS idx_specialty_rank",
    "ALTER TABLE profile_specialty DROP COLUMN status",
    "ALTER TABLE profile_specialty DROP COLUMN city_folded",
    "ALTER TABLE profile_specialty DROP COLUMN search_rank",
    // Terms compare byte-wise ("C"), so a prefix's words are one range whatever the
    // database's collation.
    "CREATE TABLE search_entry (\
        profile_id BIGINT NOT NULL REFERENCES directory_profile (id) ON DELETE CASCADE, \
        term TEXT COLLATE \"C\" NOT NULL, weight BIGINT NOT NULL, score BIGINT NOT NULL, \
        PRIMARY KEY (profile_id, term))",
    "CREATE INDEX idx_search_entry_page ON search_entry (term, score DESC, profile_id) INCLUDE (weight)",
    "CREATE TABLE search_count (term TEXT COLLATE \"C\" PRIMARY KEY, profiles BIGINT NOT NULL, \
     max_weight BIGINT NOT NULL)",
    // Searches of several words intersect their matches here: each word once, labelled by
    // its best field (A name, B city or specialty, D bio), so `ts_rank` gives back its weight.
    "CREATE TABLE search_document (\
        profile_id BIGINT PRIMARY KEY REFERENCES directory_profile (id) ON DELETE CASCADE, \
        search_rank BIGINT NOT NULL, document TSVECTOR NOT NULL)",
    "CREATE INDEX idx_search_document ON search_document USING GIN (document)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES_UP,
            _ => SQLITE_UP,
        };
        for sql in statements {
            manager.get_connection().execute_unprepared(sql).await?;
        }
        Ok(())
    }

    /// The entries are dropped; the old engine-specific indexes are not rebuilt (a database
    /// taken down this far is rebuilt from scratch, as the earlier migrations create them).
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP TABLE IF EXISTS search_document").await?;
        db.execute_unprepared("DROP TABLE IF EXISTS search_count").await?;
        db.execute_unprepared("DROP TABLE IF EXISTS search_entry").await?;
        Ok(())
    }
}
