//! Directory search. Both engines get the same logical index, `profile_search`, kept up
//! to date by the application in the transaction that changes a profile:
//! - SQLite: an FTS5 table (rowid = profile id) with prefix indexes;
//! - PostgreSQL: a weighted `tsvector` with a GIN index.
//!
//! Typos in names are matched through `name_trigram` (migration 5), the same on both engines.
//!
//! Typeahead reads folded name and city columns through ordinary B-tree indexes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &[&str] = &[
    "ALTER TABLE directory_profile ADD COLUMN name_folded VARCHAR(120) NOT NULL DEFAULT ''",
    "ALTER TABLE directory_profile ADD COLUMN city_folded VARCHAR(100) NOT NULL DEFAULT ''",
    "CREATE INDEX idx_profile_name_folded ON directory_profile (status, name_folded)",
    "CREATE INDEX idx_profile_city_folded ON directory_profile (status, city_folded)",
    "CREATE INDEX idx_profile_rank ON directory_profile (status, search_rank DESC, id)",
    "CREATE VIRTUAL TABLE profile_search USING fts5(display_name, city, specialties, bio, \
     tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
];

const POSTGRES_UP: &[&str] = &[
    "ALTER TABLE directory_profile ADD COLUMN name_folded VARCHAR(120) NOT NULL DEFAULT ''",
    "ALTER TABLE directory_profile ADD COLUMN city_folded VARCHAR(100) NOT NULL DEFAULT ''",
    "CREATE INDEX idx_profile_name_folded ON directory_profile (status, name_folded text_pattern_ops)",
    "CREATE INDEX idx_profile_city_folded ON directory_profile (status, city_folded text_pattern_ops)",
    "CREATE INDEX idx_profile_rank ON directory_profile (status, search_rank DESC, id)",
    "CREATE TABLE profile_search (\
        profile_id BIGINT PRIMARY KEY REFERENCES directory_profile (id) ON DELETE CASCADE, \
        name_folded TEXT NOT NULL, \
        document TSVECTOR NOT NULL)",
    "CREATE INDEX idx_profile_search_document ON profile_search USING GIN (document)",
];

const DOWN: &[&str] = &[
    "DROP TABLE IF EXISTS profile_search",
    "DROP INDEX IF EXISTS idx_profile_rank",
    "DROP INDEX IF EXISTS idx_profile_city_folded",
    "DROP INDEX IF EXISTS idx_profile_name_folded",
    "ALTER TABLE directory_profile DROP COLUMN city_folded",
    "ALTER TABLE directory_profile DROP COLUMN name_folded",
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

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for sql in DOWN {
            manager.get_connection().execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
