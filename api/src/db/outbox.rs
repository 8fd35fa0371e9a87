//! The outbox of outgoing e-mail (see `entity::outbox_message`).

use chrono::{DateTime, Utc};
use entity::enums::{MessageKind, MessageStatus};
use entity::outbox_message as message;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// A message about to be queued.
pub struct NewMessage {
    pub kind: MessageKind,
    pub recipient_member_id: Option<i64>,
    pub recipient_address: Option<String>,
    pub subject: String,
    /// JSON list of `[name, value]` pairs.
    pub headers: String,
    pub body: String,
    pub sender_ip: Option<String>,
    pub now: DateTime<Utc>,
}

pub async fn insert<C: ConnectionTrait>(conn: &C, new: NewMessage) -> Result<message::Model, DbErr> {
    message::ActiveModel {
        created_at: Set(new.now),
        kind: Set(new.kind),
        recipient_member_id: Set(new.recipient_member_id),
        recipient_address: Set(new.recipient_address),
        subject: Set(new.subject),
        headers: Set(new.headers),
        body: Set(new.body),
        sender_ip: Set(new.sender_ip),
        status: Set(MessageStatus::Queued),
        attempts: Set(0),
        next_attempt_at: Set(new.now),
        last_error: Set(None),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// Inserts many messages (a campaign's), 500 to a statement.
pub async fn insert_many<C: ConnectionTrait>(conn: &C, messages: Vec<NewMessage>) -> Result<u64, DbErr> {
    let mut inserted = 0;
    let mut rows = messages.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<message::ActiveModel> = rows
            .by_ref()
            .take(500)
            .map(|new| message::ActiveModel {
                created_at: Set(new.now),
                kind: Set(new.kind),
                recipient_member_id: Set(new.recipient_member_id),
                recipient_address: Set(new.recipient_address),
                subject: Set(new.subject),
                headers: Set(new.headers),
                body: Set(new.body),
                sender_ip: Set(new.sender_ip),
                status: Set(MessageStatus::Queued),
                attempts: Set(0),
                next_attempt_at: Set(new.now),
                last_error: Set(None),
                sent_at: Set(None),
                ..Default::default()
            })
            .collect();
        inserted += chunk.len() as u64;
        message::Entity::insert_many(chunk).exec_without_returning(conn).await?;
    }
    Ok(inserted)
}

/// Queued messages whose next attempt is due, oldest first.
pub async fn due<C: ConnectionTrait>(conn: &C, now: DateTime<Utc>, limit: u64) -> Result<Vec<message::Model>, DbErr> {
    message::Entity::find()
        .filter(message::Column::Status.eq(MessageStatus::Queued))
        .filter(message::Column::NextAttemptAt.lte(now))
        .order_by_asc(message::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Starts an attempt: counts it and pushes the next one to `presumed_lost_at`, so that a
/// message whose sender died mid-attempt is tried again then. False when the message is
/// no longer due (another sender took it).
pub async fn claim<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    now: DateTime<Utc>,
    presumed_lost_at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = message::Entity::update_many()
        .col_expr(message::Column::Attempts, Expr::col(message::Column::Attempts).add(1))
        .col_expr(message::Column::NextAttemptAt, Expr::value(presumed_lost_at))
        .filter(message::Column::Id.eq(id))
        .filter(message::Column::Status.eq(MessageStatus::Queued))
        .filter(message::Column::NextAttemptAt.lte(now))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn mark_sent<C: ConnectionTrait>(conn: &C, id: i64, now: DateTime<Utc>) -> Result<(), DbErr> {
    message::Entity::update_many()
        .col_expr(message::Column::Status, Expr::value(MessageStatus::Sent))
        .col_expr(message::Column::SentAt, Expr::value(now))
        .col_expr(message::Column::LastError, Expr::value(Option::<String>::None))
        .filter(message::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Records a failed attempt: tried again at `retry_at`, or given up on when `None`.
pub async fn mark_failed<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    let mut update = message::Entity::update_many()
        .col_expr(message::Column::LastError, Expr::value(error))
        .filter(message::Column::Id.eq(id));
    update = match retry_at {
        Some(at) => update.col_expr(message::Column::NextAttemptAt, Expr::value(at)),
        None => update.col_expr(message::Column::Status, Expr::value(MessageStatus::Failed)),
    };
    update.exec(conn).await?;
    Ok(())
}

/// Messages sent, or given up on, before `before` (sent ones by when they were sent,
/// failed ones by when they were queued).
fn finished_before(before: DateTime<Utc>) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(
            sea_orm::Condition::all()
                .add(message::Column::Status.eq(MessageStatus::Sent))
                .add(message::Column::SentAt.lt(before)),
        )
        .add(
            sea_orm::Condition::all()
                .add(message::Column::Status.eq(MessageStatus::Failed))
                .add(message::Column::CreatedAt.lt(before)),
        )
}

pub async fn count_finished_before<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    message::Entity::find()
        .filter(finished_before(before))
        .count(conn)
        .await
}

pub async fn delete_finished_before<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
    let result = message::Entity::delete_many()
        .filter(finished_before(before))
        .exec(conn)
        .await?;
    Ok(result.rows_affected)
}

/// How many messages to literal address `address` still wait to be sent.
pub async fn queued_to_address<C: ConnectionTrait>(conn: &C, address: &str) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    message::Entity::find()
        .filter(message::Column::RecipientAddress.eq(address))
        .filter(message::Column::Status.eq(MessageStatus::Queued))
        .count(conn)
        .await
}

/// Deletes every message to literal address `address` of the given kinds (a keyed order's
/// receipts and payment link, once its buyer details are erased).
pub async fn delete_to_address<C: ConnectionTrait>(
    conn: &C,
    address: &str,
    kinds: &[entity::enums::MessageKind],
) -> Result<u64, DbErr> {
    let deleted = message::Entity::delete_many()
        .filter(message::Column::RecipientAddress.eq(address))
        .filter(message::Column::Kind.is_in(kinds.iter().copied()))
        .exec(conn)
        .await?;
    Ok(deleted.rows_affected)
}
