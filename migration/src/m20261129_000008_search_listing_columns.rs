//! PostgreSQL: each search-index entry carries what a search filters and orders on besides
//! the text (status, folded city, search rank), copied from its profile whenever those
//! change. A search then reads only `profile_search` for its matches instead of looking
//! up every match's profile, or joining a whole city's profiles to the matches.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE profile_search ADD COLUMN status TEXT NOT NULL DEFAULT 'active', \
             ADD COLUMN city_folded TEXT NOT NULL DEFAULT '', ADD COLUMN search_rank BIGINT NOT NULL DEFAULT 0",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE profile_search s SET status = p.status, city_folded = p.city_folded, search_rank = p.search_rank \
             FROM directory_profile p WHERE p.id = s.profile_id",
        )
        .await?;
        // Rewriting every row added every entry to the full-text index again (first into its
        // pending list, which each search scans until the next vacuum): rebuild it compact.
        db.execute_unprepared("REINDEX INDEX idx_profile_search_document")
            .await?;
        db.execute_unprepared("ANALYZE profile_search").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "ALTER TABLE profile_search DROP COLUMN status, DROP COLUMN city_folded, DROP COLUMN search_rank",
                )
                .await?;
        }
        Ok(())
    }
}
