//! Catalogue search (issue 13), on the directory's machinery:
//! - `course_search`: the full-text index of current and retired courses (the query joins
//!   `course` for the filters and drops retired ones): FTS5 on SQLite (title, code,
//!   provider, description; `rowid` is the course id), a weighted `tsvector` with a GIN
//!   index on PostgreSQL. Text is folded (lower case, no accents) by the server before it
//!   is indexed, as the directory's is.
//! - `course_trigram`: the trigrams of the words of course titles and provider names, where
//!   the typo rules (`shared::fuzzy`) find the words a search word may be a typo of.
//!   Catalogue text is not personal data; a word that leaves every title only widens a
//!   query, which then matches nothing more.
//!
//! Courses that exist when this runs are indexed by the server at start-up
//! (`services::catalogue::search::index_missing`), which folds their text as it does for
//! every write.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE TABLE course_search (course_id BIGINT PRIMARY KEY REFERENCES course (id), \
                     document TSVECTOR NOT NULL)",
                )
                .await?;
                db.execute_unprepared("CREATE INDEX idx_course_search_document ON course_search USING GIN (document)")
                    .await?;
            }
            _ => {
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE course_search USING fts5(title, code, provider, description, \
                     tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
                )
                .await?;
            }
        }
        db.execute_unprepared(
            "CREATE TABLE course_trigram (trigram VARCHAR(8) NOT NULL, word VARCHAR(64) NOT NULL, \
             PRIMARY KEY (trigram, word))",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP TABLE IF EXISTS course_trigram").await?;
        db.execute_unprepared("DROP TABLE IF EXISTS course_search").await?;
        Ok(())
    }
}
