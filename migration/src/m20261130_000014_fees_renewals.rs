//! Fees and renewals (issue 13):
//! - `fee`: what a member owes for something (a renewal today; enrolments and petitions to
//!   come), in integer cents of one currency, `awaiting_payment` until paid (staff mark it
//!   paid until online payment makes payment the trigger).
//! - `certification_renewal`: a member's request to renew the cycle that counts; its new
//!   cycle is created when its fee is paid.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Fee::Table)
                    .col(big_pk_auto(Fee::Id))
                    .col(big_integer(Fee::MemberId))
                    .col(string_len(Fee::Purpose, 16))
                    .col(big_integer(Fee::AmountCents))
                    .col(string_len(Fee::Currency, 3))
                    .col(string_len(Fee::Status, 24))
                    .col(timestamp_with_time_zone(Fee::CreatedAt))
                    .col(timestamp_with_time_zone_null(Fee::PaidAt))
                    .col(big_integer_null(Fee::MarkedPaidBy))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Fee::Table, Fee::MemberId)
                            .to(Member::Table, Member::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_fee_member")
                    .table(Fee::Table)
                    .col(Fee::MemberId)
                    .col(Fee::Status)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Renewal::Table)
                    .col(big_pk_auto(Renewal::Id))
                    .col(big_integer(Renewal::MemberId))
                    .col(big_integer(Renewal::CycleId))
                    .col(big_integer(Renewal::FeeId))
                    .col(string_len(Renewal::Status, 24))
                    .col(timestamp_with_time_zone(Renewal::RequestedAt))
                    .col(timestamp_with_time_zone_null(Renewal::CompletedAt))
                    .col(big_integer_null(Renewal::NewCycleId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Renewal::Table, Renewal::MemberId)
                            .to(Member::Table, Member::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Renewal::Table, Renewal::CycleId)
                            .to(Cycle::Table, Cycle::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Renewal::Table, Renewal::FeeId)
                            .to(Fee::Table, Fee::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One renewal of a cycle: a second request (or two at once) is a conflict.
        manager
            .create_index(
                Index::create()
                    .name("idx_renewal_cycle")
                    .table(Renewal::Table)
                    .col(Renewal::CycleId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_renewal_fee")
                    .table(Renewal::Table)
                    .col(Renewal::FeeId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Renewal::Table).if_exists().to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Fee::Table).if_exists().to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Member {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Cycle {
    #[sea_orm(iden = "certification_cycle")]
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Fee {
    Table,
    Id,
    MemberId,
    Purpose,
    AmountCents,
    Currency,
    Status,
    CreatedAt,
    PaidAt,
    MarkedPaidBy,
}

#[derive(DeriveIden)]
enum Renewal {
    #[sea_orm(iden = "certification_renewal")]
    Table,
    Id,
    MemberId,
    CycleId,
    FeeId,
    Status,
    RequestedAt,
    CompletedAt,
    NewCycleId,
}
