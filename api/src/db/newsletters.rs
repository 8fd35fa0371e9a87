//! Newsletter lists, subscriptions, consent records and campaigns.

use chrono::{DateTime, Utc};
use entity::enums::{CampaignStatus, ConsentAction, SubscriptionStatus};
use entity::{campaign, consent_event, mailing_list, subscription};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

pub struct NewList<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub description: &'a str,
    pub partner_name: Option<&'a str>,
}

pub async fn insert_list<C: ConnectionTrait>(
    conn: &C,
    new: NewList<'_>,
    now: DateTime<Utc>,
) -> Result<mailing_list::Model, DbErr> {
    mailing_list::ActiveModel {
        slug: Set(new.slug.to_owned()),
        name: Set(new.name.to_owned()),
        description: Set(new.description.to_owned()),
        partner_name: Set(new.partner_name.map(str::to_owned)),
        created_at: Set(now),
        retired_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// The lists open to subscription, by name.
pub async fn open_lists<C: ConnectionTrait>(conn: &C) -> Result<Vec<mailing_list::Model>, DbErr> {
    mailing_list::Entity::find()
        .filter(mailing_list::Column::RetiredAt.is_null())
        .order_by_asc(mailing_list::Column::Name)
        .all(conn)
        .await
}

pub async fn list_by_slug<C: ConnectionTrait>(conn: &C, slug: &str) -> Result<Option<mailing_list::Model>, DbErr> {
    mailing_list::Entity::find()
        .filter(mailing_list::Column::Slug.eq(slug))
        .one(conn)
        .await
}

pub async fn lists_by_id<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Vec<mailing_list::Model>, DbErr> {
    mailing_list::Entity::find()
        .filter(mailing_list::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await
}

pub async fn subscription_of<C: ConnectionTrait>(
    conn: &C,
    list_id: i64,
    email: &str,
) -> Result<Option<subscription::Model>, DbErr> {
    subscription::Entity::find()
        .filter(subscription::Column::ListId.eq(list_id))
        .filter(subscription::Column::Email.eq(email))
        .one(conn)
        .await
}

pub async fn find_subscription<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<subscription::Model>, DbErr> {
    subscription::Entity::find_by_id(id).one(conn).await
}

pub async fn subscription_by_token<C: ConnectionTrait>(
    conn: &C,
    token_hash: &str,
) -> Result<Option<subscription::Model>, DbErr> {
    subscription::Entity::find()
        .filter(subscription::Column::TokenHash.eq(token_hash))
        .one(conn)
        .await
}

/// Creates the subscription pending, or makes an existing one (unsubscribed or pending)
/// pending again with a new token; a confirmed one is left as it is (`None`).
pub async fn request<C: ConnectionTrait>(
    conn: &C,
    list_id: i64,
    email: &str,
    member_id: Option<i64>,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<subscription::Model>, DbErr> {
    match subscription_of(conn, list_id, email).await? {
        Some(existing) if existing.status == SubscriptionStatus::Confirmed => Ok(None),
        Some(existing) => {
            let mut row: subscription::ActiveModel = existing.into();
            row.status = Set(SubscriptionStatus::Pending);
            row.token_hash = Set(Some(token_hash.to_owned()));
            if member_id.is_some() {
                row.member_id = Set(member_id);
            }
            Ok(Some(row.update(conn).await?))
        }
        None => Ok(Some(
            subscription::ActiveModel {
                list_id: Set(list_id),
                email: Set(email.to_owned()),
                member_id: Set(member_id),
                status: Set(SubscriptionStatus::Pending),
                token_hash: Set(Some(token_hash.to_owned())),
                created_at: Set(now),
                confirmed_at: Set(None),
                unsubscribed_at: Set(None),
                ..Default::default()
            }
            .insert(conn)
            .await?,
        )),
    }
}

/// Confirms pending subscription `id` (one conditional update).
pub async fn confirm<C: ConnectionTrait>(conn: &C, id: i64, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let updated = subscription::Entity::update_many()
        .col_expr(subscription::Column::Status, Expr::val(SubscriptionStatus::Confirmed))
        .col_expr(subscription::Column::TokenHash, Expr::val(None::<String>))
        .col_expr(subscription::Column::ConfirmedAt, Expr::val(now))
        .col_expr(subscription::Column::UnsubscribedAt, Expr::val(None::<DateTime<Utc>>))
        .filter(subscription::Column::Id.eq(id))
        .filter(subscription::Column::Status.eq(SubscriptionStatus::Pending))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Unsubscribes `id` unless it is already (one conditional update).
pub async fn unsubscribe<C: ConnectionTrait>(conn: &C, id: i64, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let updated = subscription::Entity::update_many()
        .col_expr(
            subscription::Column::Status,
            Expr::val(SubscriptionStatus::Unsubscribed),
        )
        .col_expr(subscription::Column::TokenHash, Expr::val(None::<String>))
        .col_expr(subscription::Column::UnsubscribedAt, Expr::val(now))
        .filter(subscription::Column::Id.eq(id))
        .filter(subscription::Column::Status.ne(SubscriptionStatus::Unsubscribed))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

pub struct NewConsent<'a> {
    pub subscription_id: i64,
    pub action: ConsentAction,
    pub at: DateTime<Utc>,
    pub ip: Option<String>,
    pub user_agent: Option<&'a str>,
    pub wording_version: &'a str,
}

pub async fn record_consent<C: ConnectionTrait>(conn: &C, new: NewConsent<'_>) -> Result<(), DbErr> {
    consent_event::ActiveModel {
        subscription_id: Set(new.subscription_id),
        action: Set(new.action),
        occurred_at: Set(new.at),
        ip: Set(new.ip),
        user_agent: Set(new.user_agent.map(str::to_owned)),
        wording_version: Set(new.wording_version.to_owned()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Subscriptions of an address or a member, oldest first.
pub async fn subscriptions_of<C: ConnectionTrait>(
    conn: &C,
    email: &str,
    member_id: i64,
) -> Result<Vec<subscription::Model>, DbErr> {
    subscription::Entity::find()
        .filter(
            Condition::any()
                .add(subscription::Column::Email.eq(email))
                .add(subscription::Column::MemberId.eq(member_id)),
        )
        .order_by_asc(subscription::Column::Id)
        .all(conn)
        .await
}

/// The consent records of these subscriptions, oldest first.
pub async fn consent_of<C: ConnectionTrait>(
    conn: &C,
    subscriptions: &[i64],
) -> Result<Vec<consent_event::Model>, DbErr> {
    consent_event::Entity::find()
        .filter(consent_event::Column::SubscriptionId.is_in(subscriptions.iter().copied()))
        .order_by_asc(consent_event::Column::Id)
        .all(conn)
        .await
}

/// The confirmed subscriptions of a list, by id: (id, address).
pub async fn confirmed_addresses<C: ConnectionTrait>(conn: &C, list_id: i64) -> Result<Vec<(i64, String)>, DbErr> {
    subscription::Entity::find()
        .select_only()
        .column(subscription::Column::Id)
        .column(subscription::Column::Email)
        .filter(subscription::Column::ListId.eq(list_id))
        .filter(subscription::Column::Status.eq(SubscriptionStatus::Confirmed))
        .order_by_asc(subscription::Column::Id)
        .into_tuple()
        .all(conn)
        .await
}

/// Deletes the subscriptions (and, by cascade, consent records) of an address or member.
pub async fn delete_subscriptions_of<C: ConnectionTrait>(conn: &C, email: &str, member_id: i64) -> Result<u64, DbErr> {
    let ids: Vec<i64> = subscriptions_of(conn, email, member_id)
        .await?
        .iter()
        .map(|s| s.id)
        .collect();
    consent_event::Entity::delete_many()
        .filter(consent_event::Column::SubscriptionId.is_in(ids.iter().copied()))
        .exec(conn)
        .await?;
    Ok(subscription::Entity::delete_many()
        .filter(subscription::Column::Id.is_in(ids))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Pending subscriptions asked for before `before` (never confirmed): deleted with
/// `delete`, else counted.
pub async fn pending_before<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>, delete: bool) -> Result<u64, DbErr> {
    let stale: Vec<i64> = subscription::Entity::find()
        .select_only()
        .column(subscription::Column::Id)
        .filter(subscription::Column::Status.eq(SubscriptionStatus::Pending))
        .filter(subscription::Column::ConfirmedAt.is_null())
        .filter(subscription::Column::CreatedAt.lt(before))
        .into_tuple()
        .all(conn)
        .await?;
    if delete && !stale.is_empty() {
        for chunk in stale.chunks(500) {
            consent_event::Entity::delete_many()
                .filter(consent_event::Column::SubscriptionId.is_in(chunk.iter().copied()))
                .exec(conn)
                .await?;
            subscription::Entity::delete_many()
                .filter(subscription::Column::Id.is_in(chunk.iter().copied()))
                .exec(conn)
                .await?;
        }
    }
    Ok(stale.len() as u64)
}

pub struct CampaignText<'a> {
    pub list_id: i64,
    pub subject: &'a str,
    pub body: &'a str,
}

pub async fn insert_campaign<C: ConnectionTrait>(
    conn: &C,
    text: CampaignText<'_>,
    by: i64,
    now: DateTime<Utc>,
) -> Result<campaign::Model, DbErr> {
    campaign::ActiveModel {
        list_id: Set(text.list_id),
        subject: Set(text.subject.to_owned()),
        body: Set(text.body.to_owned()),
        status: Set(CampaignStatus::Draft),
        created_by: Set(Some(by)),
        created_at: Set(now),
        updated_at: Set(now),
        queued_at: Set(None),
        recipients: Set(0),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// Rewrites a draft (`false` once it is queued).
pub async fn update_draft<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    text: CampaignText<'_>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let updated = campaign::Entity::update_many()
        .col_expr(campaign::Column::ListId, Expr::val(text.list_id))
        .col_expr(campaign::Column::Subject, Expr::val(text.subject))
        .col_expr(campaign::Column::Body, Expr::val(text.body))
        .col_expr(campaign::Column::UpdatedAt, Expr::val(now))
        .filter(campaign::Column::Id.eq(id))
        .filter(campaign::Column::Status.eq(CampaignStatus::Draft))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Marks a draft queued with its recipient count (one conditional update).
pub async fn mark_queued<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    recipients: i32,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let updated = campaign::Entity::update_many()
        .col_expr(campaign::Column::Status, Expr::val(CampaignStatus::Queued))
        .col_expr(campaign::Column::Recipients, Expr::val(recipients))
        .col_expr(campaign::Column::QueuedAt, Expr::val(now))
        .col_expr(campaign::Column::UpdatedAt, Expr::val(now))
        .filter(campaign::Column::Id.eq(id))
        .filter(campaign::Column::Status.eq(CampaignStatus::Draft))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

pub async fn find_campaign<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<campaign::Model>, DbErr> {
    campaign::Entity::find_by_id(id).one(conn).await
}

/// Campaigns, newest first, after id `after`.
pub async fn campaigns<C: ConnectionTrait>(
    conn: &C,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<campaign::Model>, DbErr> {
    let mut query = campaign::Entity::find();
    if let Some(after) = after {
        query = query.filter(campaign::Column::Id.lt(after));
    }
    query.order_by_desc(campaign::Column::Id).limit(limit).all(conn).await
}
