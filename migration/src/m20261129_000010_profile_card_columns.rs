//! Everything a directory card shows, on the profile row itself: its specialties as text
//! (`id TAB slug TAB name` lines, ordered by name) and the phone while it is showcased
//! (NULL otherwise, P5). A page of 20 results then reads 20 rows of one table, instead of
//! aggregating each profile's specialty links and looking up each member record; both
//! columns are rewritten by the API whenever their sources change (`db::profiles::
//! refresh_public_phone`, `refresh_specialty_list`), and a migration that renames a
//! specialty must rewrite them too.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let (aggregate, tab, newline) = match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => ("string_agg", "chr(9)", "chr(10)"),
            _ => ("group_concat", "char(9)", "char(10)"),
        };
        db.execute_unprepared("ALTER TABLE directory_profile ADD COLUMN specialty_list TEXT NOT NULL DEFAULT ''")
            .await?;
        db.execute_unprepared("ALTER TABLE directory_profile ADD COLUMN public_phone TEXT")
            .await?;
        db.execute_unprepared(&format!(
            "UPDATE directory_profile SET \
             specialty_list = COALESCE((SELECT {aggregate}(line, {newline}) FROM \
             (SELECT sp.id || {tab} || sp.slug || {tab} || sp.name AS line FROM profile_specialty ps \
             JOIN specialty sp ON sp.id = ps.specialty_id WHERE ps.profile_id = directory_profile.id \
             ORDER BY sp.name) lines), ''), \
             public_phone = CASE WHEN show_phone THEN \
             (SELECT m.phone FROM member m WHERE m.id = directory_profile.member_id) END"
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for column in ["public_phone", "specialty_list"] {
            db.execute_unprepared(&format!("ALTER TABLE directory_profile DROP COLUMN {column}"))
                .await?;
        }
        Ok(())
    }
}
