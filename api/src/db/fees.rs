//! Fees members owe.

use chrono::{DateTime, Utc};
use entity::enums::{FeePurpose, PaymentStatus};
use entity::fee;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

pub async fn insert<C: ConnectionTrait>(
    conn: &C,
    member_id: i64,
    purpose: FeePurpose,
    amount: shared::Money,
    now: DateTime<Utc>,
) -> Result<fee::Model, DbErr> {
    fee::ActiveModel {
        member_id: Set(member_id),
        purpose: Set(purpose),
        amount_cents: Set(amount.cents),
        currency: Set(shared::Money::CURRENCY.to_owned()),
        status: Set(PaymentStatus::AwaitingPayment),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<fee::Model>, DbErr> {
    fee::Entity::find_by_id(id).one(conn).await
}

/// Marks the fee paid if it was awaiting payment; `false` when it was not (already paid):
/// one conditional update, so two concurrent payments apply its effects once.
pub async fn mark_paid<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let updated = fee::Entity::update_many()
        .col_expr(fee::Column::Status, Expr::val(PaymentStatus::Paid))
        .col_expr(fee::Column::PaidAt, Expr::val(now))
        .col_expr(fee::Column::MarkedPaidBy, Expr::val(by))
        .filter(fee::Column::Id.eq(id))
        .filter(fee::Column::Status.eq(PaymentStatus::AwaitingPayment))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

pub async fn by_ids<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Vec<fee::Model>, DbErr> {
    fee::Entity::find()
        .filter(fee::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await
}

/// Moves a fee from `from` to `to`; `false` when it was not in `from`.
pub async fn set_status<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    from: PaymentStatus,
    to: PaymentStatus,
) -> Result<bool, DbErr> {
    let updated = fee::Entity::update_many()
        .col_expr(fee::Column::Status, Expr::val(to))
        .filter(fee::Column::Id.eq(id))
        .filter(fee::Column::Status.eq(from))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}
