//! Orders, their items, tax lines and refunds (issue 14).

use chrono::{DateTime, Utc};
use entity::enums::{FeePurpose, OrderChannel, OrderStatus, PaymentMethod, RefundStatus};
use entity::{order_item, order_refund, order_tax_line, purchase_order as order};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// A new order (the buyer's details only for a keyed order).
pub struct NewOrder {
    pub member_id: Option<i64>,
    pub channel: OrderChannel,
    pub placed_ip: Option<String>,
    pub keyed_by: Option<i64>,
    pub expires_at: DateTime<Utc>,
    pub buyer: Buyer,
}

/// A keyed order's buyer, kept until the order is processed.
#[derive(Clone, Debug, Default)]
pub struct Buyer {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub notes: Option<String>,
}

pub async fn insert<C: ConnectionTrait>(conn: &C, new: NewOrder, now: DateTime<Utc>) -> Result<order::Model, DbErr> {
    order::ActiveModel {
        member_id: Set(new.member_id),
        channel: Set(new.channel),
        status: Set(OrderStatus::Pending),
        currency: Set(shared::Money::CURRENCY.to_owned()),
        subtotal_cents: Set(0),
        discount_cents: Set(0),
        tax_cents: Set(0),
        total_cents: Set(0),
        refunded_cents: Set(0),
        placed_ip: Set(new.placed_ip),
        keyed_by: Set(new.keyed_by),
        created_at: Set(now),
        updated_at: Set(now),
        expires_at: Set(new.expires_at),
        payment_declined: Set(false),
        buyer_name: Set(new.buyer.name),
        buyer_email: Set(new.buyer.email),
        buyer_phone: Set(new.buyer.phone),
        buyer_address: Set(new.buyer.address),
        notes: Set(new.buyer.notes),
        ..Default::default()
    }
    .insert(conn)
    .await
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<order::Model>, DbErr> {
    order::Entity::find_by_id(id).one(conn).await
}

/// A member's cart: their pending online order.
pub async fn cart_of<C: ConnectionTrait>(conn: &C, member_id: i64) -> Result<Option<order::Model>, DbErr> {
    order::Entity::find()
        .filter(order::Column::MemberId.eq(member_id))
        .filter(order::Column::Channel.eq(OrderChannel::Online))
        .filter(order::Column::Status.eq(OrderStatus::Pending))
        .order_by_desc(order::Column::Id)
        .one(conn)
        .await
}

/// A new line.
pub struct NewItem {
    pub order_id: i64,
    pub purpose: FeePurpose,
    pub fee_id: Option<i64>,
    pub course_id: Option<i64>,
    pub workshop_id: Option<i64>,
    pub description: String,
    pub price_cents: i64,
}

pub async fn insert_item<C: ConnectionTrait>(conn: &C, new: NewItem) -> Result<order_item::Model, DbErr> {
    order_item::ActiveModel {
        order_id: Set(new.order_id),
        purpose: Set(new.purpose),
        fee_id: Set(new.fee_id),
        course_id: Set(new.course_id),
        workshop_id: Set(new.workshop_id),
        description: Set(new.description),
        price_cents: Set(new.price_cents),
        discount_cents: Set(0),
        tax_cents: Set(0),
        refunded_cents: Set(0),
        ..Default::default()
    }
    .insert(conn)
    .await
}

pub async fn delete_item<C: ConnectionTrait>(conn: &C, id: i64) -> Result<(), DbErr> {
    order_item::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

pub async fn items_of<C: ConnectionTrait>(conn: &C, order_ids: &[i64]) -> Result<Vec<order_item::Model>, DbErr> {
    order_item::Entity::find()
        .filter(order_item::Column::OrderId.is_in(order_ids.iter().copied()))
        .order_by_asc(order_item::Column::Id)
        .all(conn)
        .await
}

pub async fn tax_lines_of<C: ConnectionTrait>(
    conn: &C,
    order_ids: &[i64],
) -> Result<Vec<order_tax_line::Model>, DbErr> {
    order_tax_line::Entity::find()
        .filter(order_tax_line::Column::OrderId.is_in(order_ids.iter().copied()))
        .order_by_asc(order_tax_line::Column::Id)
        .all(conn)
        .await
}

pub async fn refunds_of<C: ConnectionTrait>(conn: &C, order_ids: &[i64]) -> Result<Vec<order_refund::Model>, DbErr> {
    order_refund::Entity::find()
        .filter(order_refund::Column::OrderId.is_in(order_ids.iter().copied()))
        .order_by_asc(order_refund::Column::Id)
        .all(conn)
        .await
}

/// The pending order a fee is in, if any (a fee is in one pending order at most).
pub async fn pending_item_of_fee<C: ConnectionTrait>(
    conn: &C,
    fee_id: i64,
) -> Result<Option<(order_item::Model, order::Model)>, DbErr> {
    let items = order_item::Entity::find()
        .filter(order_item::Column::FeeId.eq(fee_id))
        .all(conn)
        .await?;
    let pending = order::Entity::find()
        .filter(order::Column::Id.is_in(items.iter().map(|i| i.order_id)))
        .filter(order::Column::Status.eq(OrderStatus::Pending))
        .one(conn)
        .await?;
    Ok(pending.and_then(|order| Some((items.into_iter().find(|i| i.order_id == order.id)?, order))))
}

/// The amounts of an order after pricing.
pub struct Totals {
    pub subtotal_cents: i64,
    pub discount_cents: i64,
    pub tax_cents: i64,
    pub total_cents: i64,
    /// Per item: id, discount, tax.
    pub items: Vec<(i64, i64, i64)>,
    /// Per tax: name, rate, amount.
    pub tax_lines: Vec<(String, i32, i64)>,
}

/// Writes a pending order's amounts, its items' discounts and taxes and its tax lines, and
/// sets its coupon and hold; forgets the checkout offered for the old amounts.
pub async fn set_totals<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    coupon_id: Option<i64>,
    totals: &Totals,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for &(item, discount, tax) in &totals.items {
        order_item::Entity::update_many()
            .col_expr(order_item::Column::DiscountCents, Expr::val(discount))
            .col_expr(order_item::Column::TaxCents, Expr::val(tax))
            .filter(order_item::Column::Id.eq(item))
            .exec(conn)
            .await?;
    }
    order_tax_line::Entity::delete_many()
        .filter(order_tax_line::Column::OrderId.eq(id))
        .exec(conn)
        .await?;
    for (name, rate, amount) in &totals.tax_lines {
        order_tax_line::ActiveModel {
            order_id: Set(id),
            name: Set(name.clone()),
            rate_basis_points: Set(*rate),
            amount_cents: Set(*amount),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    order::Entity::update_many()
        .col_expr(order::Column::SubtotalCents, Expr::val(totals.subtotal_cents))
        .col_expr(order::Column::DiscountCents, Expr::val(totals.discount_cents))
        .col_expr(order::Column::TaxCents, Expr::val(totals.tax_cents))
        .col_expr(order::Column::TotalCents, Expr::val(totals.total_cents))
        .col_expr(order::Column::CouponId, Expr::val(coupon_id))
        .col_expr(order::Column::ExpiresAt, Expr::val(expires_at))
        .col_expr(order::Column::StripeSessionId, Expr::val(None::<String>))
        .col_expr(order::Column::CheckoutUrl, Expr::val(None::<String>))
        .col_expr(order::Column::UpdatedAt, Expr::val(now))
        .filter(order::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Records the Checkout Session offered for a pending order (and the IP placing it).
pub async fn set_checkout<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    session_id: &str,
    url: &str,
    expires_at: DateTime<Utc>,
    placed_ip: Option<String>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = order::Entity::update_many()
        .col_expr(order::Column::StripeSessionId, Expr::val(session_id))
        .col_expr(order::Column::CheckoutUrl, Expr::val(url))
        .col_expr(order::Column::ExpiresAt, Expr::val(expires_at))
        .col_expr(order::Column::PaymentDeclined, Expr::val(false))
        .col_expr(order::Column::UpdatedAt, Expr::val(now));
    if let Some(ip) = placed_ip {
        update = update.col_expr(order::Column::PlacedIp, Expr::val(ip));
    }
    let updated = update
        .filter(order::Column::Id.eq(id))
        .filter(order::Column::Status.eq(OrderStatus::Pending))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

pub async fn mark_declined<C: ConnectionTrait>(conn: &C, id: i64, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let updated = order::Entity::update_many()
        .col_expr(order::Column::PaymentDeclined, Expr::val(true))
        .col_expr(order::Column::UpdatedAt, Expr::val(now))
        .filter(order::Column::Id.eq(id))
        .filter(order::Column::Status.eq(OrderStatus::Pending))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// How a pending order was paid.
pub struct Payment {
    pub method: PaymentMethod,
    pub payment_intent_id: Option<String>,
    pub cheque_reference: Option<String>,
}

/// `pending` -> `paid`: one conditional update, so however many webhooks arrive the order
/// is paid (and its effects applied) once. `false` when it was no longer pending.
pub async fn mark_paid<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    payment: Payment,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let updated = order::Entity::update_many()
        .col_expr(order::Column::Status, Expr::val(OrderStatus::Paid))
        .col_expr(order::Column::PaidAt, Expr::val(now))
        .col_expr(order::Column::PaymentMethod, Expr::val(payment.method))
        .col_expr(
            order::Column::StripePaymentIntentId,
            Expr::val(payment.payment_intent_id),
        )
        .col_expr(order::Column::ChequeReference, Expr::val(payment.cheque_reference))
        .col_expr(order::Column::PaymentDeclined, Expr::val(false))
        .col_expr(order::Column::UpdatedAt, Expr::val(now))
        .filter(order::Column::Id.eq(id))
        .filter(order::Column::Status.eq(OrderStatus::Pending))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// `pending` -> `expired` or `cancelled`; `false` when it was no longer pending.
pub async fn close<C: ConnectionTrait>(conn: &C, id: i64, to: OrderStatus, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let updated = order::Entity::update_many()
        .col_expr(order::Column::Status, Expr::val(to))
        .col_expr(order::Column::ClosedAt, Expr::val(now))
        .col_expr(order::Column::StripeSessionId, Expr::val(None::<String>))
        .col_expr(order::Column::CheckoutUrl, Expr::val(None::<String>))
        .col_expr(order::Column::UpdatedAt, Expr::val(now))
        .filter(order::Column::Id.eq(id))
        .filter(order::Column::Status.eq(OrderStatus::Pending))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Marks an item refunded (once: `false` when it already was).
pub async fn refund_item<C: ConnectionTrait>(
    conn: &C,
    item_id: i64,
    amount_cents: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let updated = order_item::Entity::update_many()
        .col_expr(order_item::Column::RefundedCents, Expr::val(amount_cents))
        .col_expr(order_item::Column::RefundedAt, Expr::val(now))
        .filter(order_item::Column::Id.eq(item_id))
        .filter(order_item::Column::RefundedAt.is_null())
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Adds `amount_cents` to a paid order's refunds and moves it to `to`, from `paid` or
/// `partially_refunded` only; `false` otherwise.
pub async fn add_refund<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    amount_cents: i64,
    to: OrderStatus,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let updated = order::Entity::update_many()
        .col_expr(
            order::Column::RefundedCents,
            Expr::col(order::Column::RefundedCents).add(amount_cents),
        )
        .col_expr(order::Column::Status, Expr::val(to))
        .col_expr(order::Column::UpdatedAt, Expr::val(now))
        .filter(order::Column::Id.eq(id))
        .filter(order::Column::Status.is_in([OrderStatus::Paid, OrderStatus::PartiallyRefunded]))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

pub async fn insert_refund<C: ConnectionTrait>(
    conn: &C,
    order_id: i64,
    amount_cents: i64,
    items: &[i64],
    method: PaymentMethod,
    requested_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<order_refund::Model, DbErr> {
    let stripe = matches!(method, PaymentMethod::StripeCheckout | PaymentMethod::StripeTerminal);
    order_refund::ActiveModel {
        order_id: Set(order_id),
        amount_cents: Set(amount_cents),
        items: Set(items.iter().map(i64::to_string).collect::<Vec<_>>().join(",")),
        method: Set(method),
        status: Set(if stripe {
            RefundStatus::Pending
        } else {
            RefundStatus::Succeeded
        }),
        requested_by: Set(requested_by),
        created_at: Set(now),
        completed_at: Set((!stripe).then_some(now)),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// Refunds the payment provider has not confirmed yet, oldest first.
pub async fn pending_refunds<C: ConnectionTrait>(conn: &C, limit: u64) -> Result<Vec<order_refund::Model>, DbErr> {
    order_refund::Entity::find()
        .filter(order_refund::Column::Status.eq(RefundStatus::Pending))
        .order_by_asc(order_refund::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

pub async fn find_refund<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<order_refund::Model>, DbErr> {
    order_refund::Entity::find_by_id(id).one(conn).await
}

/// The provider confirmed refund `id` (once: `false` when it already was).
pub async fn confirm_refund<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    stripe_refund_id: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let updated = order_refund::Entity::update_many()
        .col_expr(order_refund::Column::Status, Expr::val(RefundStatus::Succeeded))
        .col_expr(order_refund::Column::StripeRefundId, Expr::val(stripe_refund_id))
        .col_expr(order_refund::Column::LastError, Expr::val(None::<String>))
        .col_expr(order_refund::Column::CompletedAt, Expr::val(now))
        .filter(order_refund::Column::Id.eq(id))
        .filter(order_refund::Column::Status.eq(RefundStatus::Pending))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

pub async fn refund_failed<C: ConnectionTrait>(conn: &C, id: i64, error: &str) -> Result<(), DbErr> {
    order_refund::Entity::update_many()
        .col_expr(order_refund::Column::LastError, Expr::val(error))
        .filter(order_refund::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Pending orders whose hold ended by `now`, oldest first.
pub async fn lapsed<C: ConnectionTrait>(conn: &C, now: DateTime<Utc>, limit: u64) -> Result<Vec<order::Model>, DbErr> {
    order::Entity::find()
        .filter(order::Column::Status.eq(OrderStatus::Pending))
        .filter(order::Column::ExpiresAt.lte(now))
        .order_by_asc(order::Column::ExpiresAt)
        .limit(limit)
        .all(conn)
        .await
}

/// Keyed orders that still hold a buyer's details and are no longer pending.
pub async fn unshredded_processed<C: ConnectionTrait>(conn: &C, limit: u64) -> Result<Vec<order::Model>, DbErr> {
    order::Entity::find()
        .filter(order::Column::Channel.ne(OrderChannel::Online))
        .filter(order::Column::ShreddedAt.is_null())
        .filter(order::Column::Status.ne(OrderStatus::Pending))
        .order_by_asc(order::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Erases a keyed order's buyer details (P11): the columns become null, not hidden.
pub async fn shred<C: ConnectionTrait>(conn: &C, id: i64, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let updated = order::Entity::update_many()
        .col_expr(order::Column::BuyerName, Expr::val(None::<String>))
        .col_expr(order::Column::BuyerEmail, Expr::val(None::<String>))
        .col_expr(order::Column::BuyerPhone, Expr::val(None::<String>))
        .col_expr(order::Column::BuyerAddress, Expr::val(None::<String>))
        .col_expr(order::Column::Notes, Expr::val(None::<String>))
        .col_expr(order::Column::ShreddedAt, Expr::val(now))
        .filter(order::Column::Id.eq(id))
        .filter(order::Column::ShreddedAt.is_null())
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

pub async fn set_receipt_message<C: ConnectionTrait>(conn: &C, id: i64, message_id: i64) -> Result<(), DbErr> {
    order::Entity::update_many()
        .col_expr(order::Column::ReceiptMessageId, Expr::val(message_id))
        .filter(order::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// What staff search orders by.
#[derive(Clone, Debug, Default)]
pub struct OrderFilter {
    pub status: Option<OrderStatus>,
    pub channel: Option<OrderChannel>,
    pub member_id: Option<i64>,
}

/// Orders newest first, after id `after`.
pub async fn search<C: ConnectionTrait>(
    conn: &C,
    filter: &OrderFilter,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<order::Model>, DbErr> {
    let mut condition = Condition::all();
    if let Some(status) = filter.status {
        condition = condition.add(order::Column::Status.eq(status));
    }
    if let Some(channel) = filter.channel {
        condition = condition.add(order::Column::Channel.eq(channel));
    }
    if let Some(member) = filter.member_id {
        condition = condition.add(order::Column::MemberId.eq(member));
    }
    if let Some(after) = after {
        condition = condition.add(order::Column::Id.lt(after));
    }
    order::Entity::find()
        .filter(condition)
        .order_by_desc(order::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

pub async fn find_item<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<order_item::Model>, DbErr> {
    order_item::Entity::find_by_id(id).one(conn).await
}

/// A pending online order of `cents`, offered through Stripe session `session` (the
/// benchmark's sample orders: no items, so paying it applies nothing but the payment).
#[cfg(feature = "sample-directory")]
pub async fn insert_sample_pending<C: ConnectionTrait>(
    conn: &C,
    member_id: i64,
    session: &str,
    cents: i64,
    now: DateTime<Utc>,
) -> Result<i64, DbErr> {
    let order = order::ActiveModel {
        member_id: Set(Some(member_id)),
        channel: Set(OrderChannel::Online),
        status: Set(OrderStatus::Pending),
        currency: Set(shared::Money::CURRENCY.to_owned()),
        subtotal_cents: Set(cents),
        discount_cents: Set(0),
        tax_cents: Set(0),
        total_cents: Set(cents),
        refunded_cents: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        expires_at: Set(now + chrono::Duration::days(1)),
        stripe_session_id: Set(Some(session.to_owned())),
        payment_declined: Set(false),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(order.id)
}
