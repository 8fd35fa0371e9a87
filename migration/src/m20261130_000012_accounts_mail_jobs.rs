//! Shared foundations (issue 11):
//! - `member.email_confirmed_at`: an account logs in only once its address is confirmed;
//!   existing accounts count as confirmed when they were created.
//! - `directory_profile.chosen_status`: what the member (or staff) chose, apart from
//!   `status`, which becomes what the public sees: listed only while the account is active
//!   too. Existing rows are recomputed and copied to the rows that list profiles.
//! - `email_confirmation`: hashed tokens of confirmation links, each with the password hash
//!   and name of the registration that sent it (applied when that link is used).
//! - `outbox_message` becomes one generic outbox (recipient member or address, headers,
//!   attempts, next attempt, last error). Relay messages queued before are kept and will be
//!   delivered, with the visitor's address as `Reply-To`.
//! - `job_lease`: one row per scheduled job, so servers sharing a database run each job
//!   run once.

use sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

// One change after another reads best as one long list.
#[allow(
    clippy::too_many_lines,
    reason = "one migration reads best as one list of statements"
)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on SQLite too (sea-orm wraps only PostgreSQL's by default): a half-run
    /// migration (the outbox renamed, not yet copied) could not be run again.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == DatabaseBackend::Postgres;

        manager
            .alter_table(
                Table::alter()
                    .table(Member::Table)
                    .add_column(timestamp_with_time_zone_null(Member::EmailConfirmedAt))
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared("UPDATE member SET email_confirmed_at = created_at")
            .await?;

        db.execute_unprepared(
            "ALTER TABLE directory_profile ADD COLUMN chosen_status VARCHAR(16) NOT NULL DEFAULT 'active'",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE directory_profile SET chosen_status = status, status = CASE WHEN status = 'active' AND \
             (SELECT m.status FROM member m WHERE m.id = directory_profile.member_id) = 'active' \
             THEN 'active' ELSE 'disabled' END",
        )
        .await?;
        let mut listing_tables = vec!["profile_specialty"];
        if postgres {
            listing_tables.extend(["profile_search", "search_posting"]);
        }
        for table in listing_tables {
            db.execute_unprepared(&format!(
                "UPDATE {table} SET status = (SELECT d.status FROM directory_profile d WHERE d.id = {table}.profile_id)"
            ))
            .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(EmailConfirmation::Table)
                    .if_not_exists()
                    .col(big_pk_auto(EmailConfirmation::Id))
                    .col(big_integer(EmailConfirmation::MemberId))
                    .col(string_len(EmailConfirmation::TokenHash, 64).unique_key())
                    .col(string_null(EmailConfirmation::PasswordHash))
                    .col(string_len_null(EmailConfirmation::LegalName, 200))
                    .col(timestamp_with_time_zone(EmailConfirmation::CreatedAt))
                    .col(timestamp_with_time_zone(EmailConfirmation::ExpiresAt))
                    .col(timestamp_with_time_zone_null(EmailConfirmation::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_email_confirmation_member")
                            .from(EmailConfirmation::Table, EmailConfirmation::MemberId)
                            .to(Member::Table, Member::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_email_confirmation_member")
                    .table(EmailConfirmation::Table)
                    .col(EmailConfirmation::MemberId)
                    .to_owned(),
            )
            .await?;

        // The outbox: the old table is renamed, the new one created, queued rows copied.
        db.execute_unprepared("DROP INDEX IF EXISTS idx_outbox_status").await?;
        db.execute_unprepared("ALTER TABLE outbox_message RENAME TO outbox_message_before_12")
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OutboxMessage::Table)
                    .col(big_pk_auto(OutboxMessage::Id))
                    .col(timestamp_with_time_zone(OutboxMessage::CreatedAt))
                    .col(string_len(OutboxMessage::Kind, 32))
                    .col(big_integer_null(OutboxMessage::RecipientMemberId))
                    .col(string_len_null(OutboxMessage::RecipientAddress, 254))
                    .col(string_len(OutboxMessage::Subject, 200))
                    .col(text(OutboxMessage::Headers))
                    .col(text(OutboxMessage::Body))
                    .col(string_len_null(OutboxMessage::SenderIp, 45))
                    .col(string_len(OutboxMessage::Status, 16))
                    .col(integer(OutboxMessage::Attempts).default(0))
                    .col(timestamp_with_time_zone(OutboxMessage::NextAttemptAt))
                    .col(text_null(OutboxMessage::LastError))
                    .col(timestamp_with_time_zone_null(OutboxMessage::SentAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_outbox_message_recipient")
                            .from(OutboxMessage::Table, OutboxMessage::RecipientMemberId)
                            .to(Member::Table, Member::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "idx_outbox_message_due",
                vec![OutboxMessage::Status, OutboxMessage::NextAttemptAt],
            ),
            ("idx_outbox_message_recipient", vec![OutboxMessage::RecipientMemberId]),
        ] {
            let mut index = Index::create();
            index.name(name).table(OutboxMessage::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.clone()).await?;
        }
        let newline = if postgres { "chr(10)" } else { "char(10)" };
        // `services::mail::MailHeaders` as JSON: the visitor as `Reply-To`.
        let reply_to = if postgres {
            "json_build_object('reply_to', json_build_object('name', sender_name, 'address', sender_email))::text"
        } else {
            "json_object('reply_to', json_object('name', sender_name, 'address', sender_email))"
        };
        db.execute_unprepared(&format!(
            "INSERT INTO outbox_message (created_at, kind, recipient_member_id, recipient_address, subject, headers, \
             body, sender_ip, status, attempts, next_attempt_at, last_error, sent_at) \
             SELECT created_at, kind, recipient_member_id, NULL, subject, {reply_to}, \
             sender_name || ' (' || sender_email || ') wrote through the CPTN Network directory' || \
             COALESCE(' from IP address ' || sender_ip, '') || ':' || {newline} || {newline} || body, \
             sender_ip, status, 0, created_at, NULL, sent_at FROM outbox_message_before_12 ORDER BY id"
        ))
        .await?;
        db.execute_unprepared("DROP TABLE outbox_message_before_12").await?;

        manager
            .create_table(
                Table::create()
                    .table(JobLease::Table)
                    .if_not_exists()
                    .col(string_len(JobLease::Name, 64).primary_key())
                    .col(string_len(JobLease::Holder, 64))
                    .col(timestamp_with_time_zone(JobLease::LeaseUntil))
                    .col(timestamp_with_time_zone(JobLease::NextRunAt))
                    .col(timestamp_with_time_zone_null(JobLease::LastStartedAt))
                    .col(timestamp_with_time_zone_null(JobLease::LastFinishedAt))
                    .col(text_null(JobLease::LastOutcome))
                    .col(big_integer(JobLease::Runs).default(0))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for table in [JobLease::Table.into_iden(), EmailConfirmation::Table.into_iden()] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        // The outbox goes back to its relay-only shape; messages to addresses are lost.
        db.execute_unprepared("ALTER TABLE outbox_message RENAME TO outbox_message_after_12")
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OutboxMessage::Table)
                    .col(big_pk_auto(OutboxMessage::Id))
                    .col(timestamp_with_time_zone(OutboxMessage::CreatedAt))
                    .col(string_len(OutboxMessage::Kind, 32))
                    .col(big_integer(OutboxMessage::RecipientMemberId))
                    .col(string_len(BeforeOutbox::SenderName, 120))
                    .col(string_len(BeforeOutbox::SenderEmail, 254))
                    .col(string_len_null(OutboxMessage::SenderIp, 45))
                    .col(string_len(OutboxMessage::Subject, 200))
                    .col(text(OutboxMessage::Body))
                    .col(string_len(OutboxMessage::Status, 16))
                    .col(timestamp_with_time_zone_null(OutboxMessage::SentAt))
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(
            "INSERT INTO outbox_message (created_at, kind, recipient_member_id, sender_name, sender_email, sender_ip, \
             subject, body, status, sent_at) SELECT created_at, kind, recipient_member_id, '', '', sender_ip, subject, \
             body, CASE WHEN status = 'sent' THEN 'sent' ELSE 'queued' END, sent_at FROM outbox_message_after_12 \
             WHERE recipient_member_id IS NOT NULL AND kind = 'contact_relay' ORDER BY id",
        )
        .await?;
        db.execute_unprepared("DROP TABLE outbox_message_after_12").await?;
        db.execute_unprepared("UPDATE directory_profile SET status = chosen_status")
            .await?;
        db.execute_unprepared("ALTER TABLE directory_profile DROP COLUMN chosen_status")
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Member::Table)
                    .drop_column(Member::EmailConfirmedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Member {
    Table,
    Id,
    EmailConfirmedAt,
}

/// Columns of the outbox before this migration (for `down`).
#[derive(DeriveIden)]
enum BeforeOutbox {
    SenderName,
    SenderEmail,
}

#[derive(DeriveIden)]
enum EmailConfirmation {
    Table,
    Id,
    MemberId,
    TokenHash,
    PasswordHash,
    LegalName,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum OutboxMessage {
    Table,
    Id,
    CreatedAt,
    Kind,
    RecipientMemberId,
    RecipientAddress,
    Subject,
    Headers,
    Body,
    SenderIp,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    SentAt,
}

#[derive(DeriveIden)]
enum JobLease {
    Table,
    Name,
    Holder,
    LeaseUntil,
    NextRunAt,
    LastStartedAt,
    LastFinishedAt,
    LastOutcome,
    Runs,
}
