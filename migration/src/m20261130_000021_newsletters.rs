//! Newsletters and consent (P17):
//! - `mailing_list`: the body's own lists and lists run on behalf of a named partner (the
//!   partner never receives addresses: we send its mail).
//! - `subscription`: an address on a list, `pending` until confirmed through the link
//!   mailed to it (double opt-in), then `confirmed`, or `unsubscribed`; the member it
//!   belongs to when a member subscribed. The confirmation token is stored as its hash.
//! - `consent_event`: the evidence: each request, confirmation and unsubscription with its
//!   time, IP, user agent and the version of the wording agreed to.
//! - `campaign`: a message staff wrote for a list; queued through the outbox to every
//!   confirmed address.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_lists(manager).await?;
        create_subscriptions(manager).await?;
        create_campaigns(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Campaign::Table.into_iden(),
            ConsentEvent::Table.into_iden(),
            Subscription::Table.into_iden(),
            MailingList::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

async fn create_lists(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(MailingList::Table)
                .col(big_pk_auto(MailingList::Id))
                .col(string_len(MailingList::Slug, 64).unique_key())
                .col(string_len(MailingList::Name, 120))
                .col(text(MailingList::Description))
                .col(string_len_null(MailingList::PartnerName, 120))
                .col(timestamp_with_time_zone(MailingList::CreatedAt))
                .col(timestamp_with_time_zone_null(MailingList::RetiredAt))
                .to_owned(),
        )
        .await
}

async fn create_subscriptions(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Subscription::Table)
                .col(big_pk_auto(Subscription::Id))
                .col(big_integer(Subscription::ListId))
                .col(string_len(Subscription::Email, 254))
                .col(big_integer_null(Subscription::MemberId))
                .col(string_len(Subscription::Status, 16))
                .col(string_len_null(Subscription::TokenHash, 64))
                .col(timestamp_with_time_zone(Subscription::CreatedAt))
                .col(timestamp_with_time_zone_null(Subscription::ConfirmedAt))
                .col(timestamp_with_time_zone_null(Subscription::UnsubscribedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Subscription::Table, Subscription::ListId)
                        .to(MailingList::Table, MailingList::Id),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_subscription_list_email")
                .table(Subscription::Table)
                .col(Subscription::ListId)
                .col(Subscription::Email)
                .unique()
                .to_owned(),
        )
        .await?;
    for (name, column) in [
        ("idx_subscription_email", Subscription::Email),
        ("idx_subscription_member", Subscription::MemberId),
        ("idx_subscription_token", Subscription::TokenHash),
    ] {
        manager
            .create_index(
                Index::create()
                    .name(name)
                    .table(Subscription::Table)
                    .col(column)
                    .to_owned(),
            )
            .await?;
    }
    manager
        .create_table(
            Table::create()
                .table(ConsentEvent::Table)
                .col(big_pk_auto(ConsentEvent::Id))
                .col(big_integer(ConsentEvent::SubscriptionId))
                .col(string_len(ConsentEvent::Action, 16))
                .col(timestamp_with_time_zone(ConsentEvent::OccurredAt))
                .col(string_len_null(ConsentEvent::Ip, 64))
                .col(string_len_null(ConsentEvent::UserAgent, 512))
                .col(string_len(ConsentEvent::WordingVersion, 32))
                .foreign_key(
                    ForeignKey::create()
                        .from(ConsentEvent::Table, ConsentEvent::SubscriptionId)
                        .to(Subscription::Table, Subscription::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_consent_event_subscription")
                .table(ConsentEvent::Table)
                .col(ConsentEvent::SubscriptionId)
                .to_owned(),
        )
        .await
}

async fn create_campaigns(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Campaign::Table)
                .col(big_pk_auto(Campaign::Id))
                .col(big_integer(Campaign::ListId))
                .col(string_len(Campaign::Subject, 200))
                .col(text(Campaign::Body))
                .col(string_len(Campaign::Status, 16))
                .col(big_integer_null(Campaign::CreatedBy))
                .col(timestamp_with_time_zone(Campaign::CreatedAt))
                .col(timestamp_with_time_zone(Campaign::UpdatedAt))
                .col(timestamp_with_time_zone_null(Campaign::QueuedAt))
                .col(integer(Campaign::Recipients))
                .foreign_key(
                    ForeignKey::create()
                        .from(Campaign::Table, Campaign::ListId)
                        .to(MailingList::Table, MailingList::Id),
                )
                .to_owned(),
        )
        .await
}

#[derive(DeriveIden)]
enum MailingList {
    Table,
    Id,
    Slug,
    Name,
    Description,
    PartnerName,
    CreatedAt,
    RetiredAt,
}

#[derive(DeriveIden)]
enum Subscription {
    Table,
    Id,
    ListId,
    Email,
    MemberId,
    Status,
    TokenHash,
    CreatedAt,
    ConfirmedAt,
    UnsubscribedAt,
}

#[derive(DeriveIden)]
enum ConsentEvent {
    Table,
    Id,
    SubscriptionId,
    Action,
    OccurredAt,
    Ip,
    UserAgent,
    WordingVersion,
}

#[derive(DeriveIden)]
enum Campaign {
    Table,
    Id,
    ListId,
    Subject,
    Body,
    Status,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
    QueuedAt,
    Recipients,
}
