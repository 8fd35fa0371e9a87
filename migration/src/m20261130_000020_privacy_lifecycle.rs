//! The privacy lifecycle (issue 15):
//! - `member.wiped_at`: set when the account was wiped of personal data (P3); the row is
//!   then a tombstone holding the member number, and certification history, ledger,
//!   petition outcomes and order amounts still point at it.
//! - `member.last_login_at`: the last successful login, for the rule that purges accounts
//!   with no certification and no login for years (P8).
//! - `directory_profile.disabled_since`: since when the public has not seen the profile,
//!   for the rule that deletes long-disabled profiles (P8). Profiles already hidden count
//!   from their last change.
//! - `wipe_receipt`: when a member number's personal data was wiped, why, and which
//!   categories: the proof, holding no personal data.
//! - `privacy_request`: a member's erasure request or a returning member's request to be
//!   linked to their old member number, in the staff queue with its due date; or the
//!   request of someone without an account, by e-mail address (export or erasure of what
//!   is held under it), once they confirmed the address through the link mailed to it.
//! - `signing_key`: the keys that sign outgoing mail (P15), shared by every server: the
//!   public half, and the private half sealed with the key-encryption key (never stored in
//!   clear). The active key of a purpose has no `retired_at`; retired keys still verify.
//! - `data_export`: an archive of everything held about a member, built on their request
//!   and deleted 24 hours later (the file under the storage root, named at random).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_columns(manager).await?;
        create_receipts_and_requests(manager).await?;
        create_exports(manager).await?;
        create_signing_keys(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SigningKey::Table.into_iden(),
            DataExport::Table.into_iden(),
            PrivacyRequest::Table.into_iden(),
            WipeReceipt::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(DirectoryProfile::Table)
                    .drop_column(DirectoryProfile::DisabledSince)
                    .to_owned(),
            )
            .await?;
        for column in [Member::WipedAt, Member::LastLoginAt] {
            manager
                .alter_table(Table::alter().table(Member::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

async fn add_columns(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    for column in [
        timestamp_with_time_zone_null(Member::WipedAt),
        timestamp_with_time_zone_null(Member::LastLoginAt),
    ] {
        manager
            .alter_table(Table::alter().table(Member::Table).add_column(column).to_owned())
            .await?;
    }
    manager
        .alter_table(
            Table::alter()
                .table(DirectoryProfile::Table)
                .add_column(timestamp_with_time_zone_null(DirectoryProfile::DisabledSince))
                .to_owned(),
        )
        .await?;
    manager
        .exec_stmt(
            Query::update()
                .table(DirectoryProfile::Table)
                .value(DirectoryProfile::DisabledSince, Expr::col(DirectoryProfile::UpdatedAt))
                .and_where(Expr::col(DirectoryProfile::Status).eq("disabled"))
                .to_owned(),
        )
        .await?;
    Ok(())
}

async fn create_receipts_and_requests(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(WipeReceipt::Table)
                .col(big_pk_auto(WipeReceipt::Id))
                .col(big_integer(WipeReceipt::MemberNumber))
                .col(string_len(WipeReceipt::Reason, 24))
                .col(text(WipeReceipt::Categories))
                .col(timestamp_with_time_zone(WipeReceipt::WipedAt))
                .col(big_integer_null(WipeReceipt::RequestId))
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_wipe_receipt_number")
                .table(WipeReceipt::Table)
                .col(WipeReceipt::MemberNumber)
                .to_owned(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table(PrivacyRequest::Table)
                .col(big_pk_auto(PrivacyRequest::Id))
                .col(string_len(PrivacyRequest::Kind, 16))
                .col(big_integer_null(PrivacyRequest::MemberNumber))
                .col(string_len_null(PrivacyRequest::Email, 254))
                .col(string_len_null(PrivacyRequest::TokenHash, 64))
                .col(big_integer_null(PrivacyRequest::ClaimedNumber))
                .col(text(PrivacyRequest::Message))
                .col(string_len(PrivacyRequest::Status, 16))
                .col(timestamp_with_time_zone(PrivacyRequest::CreatedAt))
                .col(timestamp_with_time_zone(PrivacyRequest::DueAt))
                .col(timestamp_with_time_zone_null(PrivacyRequest::ClosedAt))
                .col(big_integer_null(PrivacyRequest::ClosedBy))
                .col(text_null(PrivacyRequest::Outcome))
                .col(timestamp_with_time_zone_null(PrivacyRequest::FlaggedOverdueAt))
                .to_owned(),
        )
        .await?;
    for (name, column) in [
        ("idx_privacy_request_member", PrivacyRequest::MemberNumber),
        ("idx_privacy_request_status", PrivacyRequest::Status),
    ] {
        manager
            .create_index(
                Index::create()
                    .name(name)
                    .table(PrivacyRequest::Table)
                    .col(column)
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}

async fn create_exports(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(DataExport::Table)
                .col(big_pk_auto(DataExport::Id))
                .col(big_integer(DataExport::MemberId))
                .col(string_len(DataExport::File, 64))
                .col(big_integer(DataExport::Bytes))
                .col(timestamp_with_time_zone(DataExport::CreatedAt))
                .col(timestamp_with_time_zone(DataExport::ExpiresAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(DataExport::Table, DataExport::MemberId)
                        .to(Member::Table, Member::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_data_export_member")
                .table(DataExport::Table)
                .col(DataExport::MemberId)
                .to_owned(),
        )
        .await?;
    Ok(())
}

async fn create_signing_keys(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(SigningKey::Table)
                .col(string_len(SigningKey::Id, 64).primary_key())
                .col(string_len(SigningKey::Purpose, 16))
                .col(string_len(SigningKey::Algorithm, 16))
                .col(text(SigningKey::PublicKey))
                .col(text(SigningKey::SealedPrivateKey))
                .col(timestamp_with_time_zone(SigningKey::CreatedAt))
                .col(timestamp_with_time_zone_null(SigningKey::RetiredAt))
                .to_owned(),
        )
        .await
}

#[derive(DeriveIden)]
enum SigningKey {
    Table,
    Id,
    Purpose,
    Algorithm,
    PublicKey,
    SealedPrivateKey,
    CreatedAt,
    RetiredAt,
}

#[derive(DeriveIden)]
enum DataExport {
    Table,
    Id,
    MemberId,
    File,
    Bytes,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Member {
    Table,
    Id,
    WipedAt,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum DirectoryProfile {
    Table,
    DisabledSince,
    UpdatedAt,
    Status,
}

#[derive(DeriveIden)]
enum WipeReceipt {
    Table,
    Id,
    MemberNumber,
    Reason,
    Categories,
    WipedAt,
    RequestId,
}

#[derive(DeriveIden)]
enum PrivacyRequest {
    Table,
    Id,
    Kind,
    MemberNumber,
    Email,
    TokenHash,
    ClaimedNumber,
    Message,
    Status,
    CreatedAt,
    DueAt,
    ClosedAt,
    ClosedBy,
    Outcome,
    FlaggedOverdueAt,
}
