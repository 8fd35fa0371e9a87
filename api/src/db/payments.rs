//! Stripe webhook events, each stored once (issue 14).

use chrono::{DateTime, Utc};
use entity::stripe_event;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};

/// Stores an event unless its id is known: `true` when it was new. One statement, so two
/// deliveries of the same event at the same moment store it once.
pub async fn insert_event<C: ConnectionTrait>(conn: &C, event: stripe_event::Model) -> Result<bool, DbErr> {
    let row = stripe_event::ActiveModel {
        id: Set(event.id),
        event_type: Set(event.event_type),
        object_id: Set(event.object_id),
        order_id: Set(event.order_id),
        payment_intent_id: Set(event.payment_intent_id),
        payment_status: Set(event.payment_status),
        amount_cents: Set(event.amount_cents),
        currency: Set(event.currency),
        stripe_created_at: Set(event.stripe_created_at),
        received_at: Set(event.received_at),
        processed_at: Set(None),
        outcome: Set(None),
    };
    let inserted = stripe_event::Entity::insert(row)
        .on_conflict(OnConflict::column(stripe_event::Column::Id).do_nothing().to_owned())
        .exec_without_returning(conn)
        .await?;
    Ok(inserted == 1)
}

/// Events not processed yet, in Stripe's order.
pub async fn unprocessed<C: ConnectionTrait>(conn: &C, limit: u64) -> Result<Vec<stripe_event::Model>, DbErr> {
    stripe_event::Entity::find()
        .filter(stripe_event::Column::ProcessedAt.is_null())
        .order_by_asc(stripe_event::Column::StripeCreatedAt)
        .order_by_asc(stripe_event::Column::ReceivedAt)
        .limit(limit)
        .all(conn)
        .await
}

pub async fn find_event<C: ConnectionTrait>(conn: &C, id: &str) -> Result<Option<stripe_event::Model>, DbErr> {
    stripe_event::Entity::find_by_id(id.to_owned()).one(conn).await
}

/// Marks an event processed (once: `false` when another worker got there first).
pub async fn mark_processed<C: ConnectionTrait>(
    conn: &C,
    id: &str,
    outcome: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let updated = stripe_event::Entity::update_many()
        .col_expr(stripe_event::Column::ProcessedAt, Expr::val(now))
        .col_expr(stripe_event::Column::Outcome, Expr::val(outcome))
        .filter(stripe_event::Column::Id.eq(id))
        .filter(stripe_event::Column::ProcessedAt.is_null())
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}
