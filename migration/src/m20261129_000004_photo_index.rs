//! Photos are served only while their profile is active; this index answers that check.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_profile_photo_file")
                    .table(DirectoryProfile::Table)
                    .col(DirectoryProfile::PhotoFile)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_profile_photo_file").to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DirectoryProfile {
    Table,
    PhotoFile,
}
