//! Accounts, sessions, the audit trail, the access log and the counters.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

// One table after another reads best as one long list.
#[allow(
    clippy::too_many_lines,
    reason = "one migration reads best as one list of statements"
)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Counter::Table)
                    .if_not_exists()
                    .col(string(Counter::Name).primary_key())
                    .col(big_integer(Counter::Value))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Member::Table)
                    .if_not_exists()
                    .col(big_pk_auto(Member::Id))
                    .col(big_integer(Member::MemberNumber).unique_key())
                    .col(string_len(Member::Email, 254).unique_key())
                    .col(string(Member::PasswordHash))
                    .col(string_len(Member::LegalName, 200))
                    .col(string_len(Member::Role, 16))
                    .col(string_len(Member::Status, 16))
                    .col(timestamp_with_time_zone(Member::CreatedAt))
                    .col(timestamp_with_time_zone(Member::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Session::Table)
                    .if_not_exists()
                    .col(string_len(Session::Id, 36).primary_key())
                    .col(big_integer(Session::MemberId))
                    .col(string_len(Session::CurrentJti, 36))
                    .col(timestamp_with_time_zone(Session::CreatedAt))
                    .col(timestamp_with_time_zone(Session::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Session::RevokedAt))
                    .col(string_len_null(Session::Ip, 45))
                    .col(string_len_null(Session::UserAgent, 512))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_session_member")
                            .from(Session::Table, Session::MemberId)
                            .to(Member::Table, Member::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_session_member")
                    .table(Session::Table)
                    .col(Session::MemberId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .if_not_exists()
                    .col(big_pk_auto(AuditEvent::Id))
                    .col(timestamp_with_time_zone(AuditEvent::OccurredAt))
                    .col(string_len(AuditEvent::Kind, 64))
                    .col(big_integer_null(AuditEvent::MemberId))
                    .col(big_integer_null(AuditEvent::ActorId))
                    .col(string_len_null(AuditEvent::Ip, 45))
                    .col(string_len_null(AuditEvent::UserAgent, 512))
                    .col(text_null(AuditEvent::Detail))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_audit_event_member", AuditEvent::MemberId),
            ("idx_audit_event_kind", AuditEvent::Kind),
            ("idx_audit_event_ip", AuditEvent::Ip),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AuditEvent::Table)
                        .col(col)
                        .col(AuditEvent::Id)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(AccessLog::Table)
                    .if_not_exists()
                    .col(big_pk_auto(AccessLog::Id))
                    .col(timestamp_with_time_zone(AccessLog::OccurredAt))
                    .col(string_len_null(AccessLog::Ip, 45))
                    .col(string_len(AccessLog::Method, 16))
                    .col(string_len(AccessLog::Target, 512))
                    .col(big_integer_null(AccessLog::MemberId))
                    .col(integer(AccessLog::Status))
                    .col(big_integer(AccessLog::DurationUs))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_access_log_occurred_at")
                    .table(AccessLog::Table)
                    .col(AccessLog::OccurredAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AccessLog::Table.into_iden(),
            AuditEvent::Table.into_iden(),
            Session::Table.into_iden(),
            Member::Table.into_iden(),
            Counter::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Counter {
    Table,
    Name,
    Value,
}

// The column names are what they are.
#[allow(clippy::enum_variant_names, reason = "the column names are what they are")]
#[derive(DeriveIden)]
enum Member {
    Table,
    Id,
    MemberNumber,
    Email,
    PasswordHash,
    LegalName,
    Role,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Session {
    Table,
    Id,
    MemberId,
    CurrentJti,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    Ip,
    UserAgent,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Id,
    OccurredAt,
    Kind,
    MemberId,
    ActorId,
    Ip,
    UserAgent,
    Detail,
}

#[derive(DeriveIden)]
enum AccessLog {
    Table,
    Id,
    OccurredAt,
    Ip,
    Method,
    Target,
    MemberId,
    Status,
    DurationUs,
}
