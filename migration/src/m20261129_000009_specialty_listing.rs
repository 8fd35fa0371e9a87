//! Listing one specialty's trainers (optionally in one city) by rank, with no search words:
//! each specialty link carries its profile's status, folded city and rank (copied from the
//! profile whenever they change), and two indexes give the page and the count as a range
//! instead of joining all of a specialty's links to the profiles of a city.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 3] = [
    "ALTER TABLE profile_specialty ADD COLUMN status TEXT NOT NULL DEFAULT 'active'",
    "ALTER TABLE profile_specialty ADD COLUMN city_folded TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE profile_specialty ADD COLUMN search_rank BIGINT NOT NULL DEFAULT 0",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in COLUMNS {
            db.execute_unprepared(sql).await?;
        }
        db.execute_unprepared(
            "UPDATE profile_specialty SET \
             status = (SELECT p.status FROM directory_profile p WHERE p.id = profile_specialty.profile_id), \
             city_folded = (SELECT p.city_folded FROM directory_profile p WHERE p.id = profile_specialty.profile_id), \
             search_rank = (SELECT p.search_rank FROM directory_profile p WHERE p.id = profile_specialty.profile_id)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_specialty_rank ON profile_specialty (specialty_id, status, search_rank DESC, profile_id)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_specialty_city_rank ON profile_specialty \
             (specialty_id, status, city_folded, search_rank DESC, profile_id)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS idx_specialty_city_rank")
            .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS idx_specialty_rank").await?;
        for column in ["status", "city_folded", "search_rank"] {
            db.execute_unprepared(&format!("ALTER TABLE profile_specialty DROP COLUMN {column}"))
                .await?;
        }
        Ok(())
    }
}
