//! Renewal reminders (issue 13): one row per (cycle, reminder) decides, by its unique key,
//! that a reminder is sent once per cycle however many times or on however many servers the
//! `reminders` job runs; reminders a late run passed over are recorded as skipped.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Reminder::Table)
                    .col(big_pk_auto(Reminder::Id))
                    .col(big_integer(Reminder::CycleId))
                    .col(big_integer(Reminder::MemberId))
                    .col(integer(Reminder::DaysBefore))
                    .col(string_len(Reminder::Outcome, 16))
                    .col(timestamp_with_time_zone(Reminder::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Reminder::Table, Reminder::CycleId)
                            .to(Cycle::Table, Cycle::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_reminder_cycle_days")
                    .table(Reminder::Table)
                    .col(Reminder::CycleId)
                    .col(Reminder::DaysBefore)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Reminder::Table).if_exists().to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Cycle {
    #[sea_orm(iden = "certification_cycle")]
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Reminder {
    #[sea_orm(iden = "renewal_reminder")]
    Table,
    Id,
    CycleId,
    MemberId,
    DaysBefore,
    Outcome,
    CreatedAt,
}
