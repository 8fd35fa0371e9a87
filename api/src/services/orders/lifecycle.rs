//! What happens to orders without anyone asking: pending orders lapse and give their
//! seats and coupon uses back; keyed orders are shredded once processed; refunds Stripe did
//! not confirm are asked for again. The `orders` job runs these every minute, on its own
//! pool (`db_pool`).
//!
//! Shredding (P11, "mail-in forms not kept once processed"): a phone or mail-in order's
//! buyer details (name, address, phone, e-mail, notes) are erased from the database, set to
//! null rather than hidden, as soon as the order is processed: paid and its receipt sent,
//! or cancelled, or expired. The order keeps its amounts, items, dates and member link for
//! accounting; the mail sent to the buyer's address (receipt, payment link) goes too.

use super::{OrderView, cart, receipts, view_of};
use crate::db;
use crate::error::{Error, Result};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::enums::{AuditKind, MessageKind, OrderStatus};
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// The mail a keyed order sends to its buyer's own address.
const BUYER_MAIL: [MessageKind; 3] = [
    MessageKind::OrderReceipt,
    MessageKind::RefundReceipt,
    MessageKind::PaymentLink,
];

/// Closes pending `view` as `to` (`expired` or `cancelled`) inside the caller's transaction:
/// every line gives back what it held, the coupon its use, a keyed order its buyer's
/// details. `false` when it was no longer pending.
pub(crate) async fn close<C: ConnectionTrait>(
    conn: &C,
    view: &OrderView,
    to: OrderStatus,
    now: DateTime<Utc>,
) -> Result<bool> {
    if !db::orders::close(conn, view.order.id, to, now).await? {
        return Ok(false);
    }
    for item in &view.items {
        cart::release_item(conn, item).await?;
    }
    if let Some(coupon) = view.order.coupon_id {
        db::coupons::release_use(conn, coupon).await?;
    }
    if view.is_keyed() {
        shred_now(conn, view, now).await?;
    }
    Ok(true)
}

/// Erases a keyed order's buyer details and the mail to their address.
async fn shred_now<C: ConnectionTrait>(conn: &C, view: &OrderView, now: DateTime<Utc>) -> Result<bool> {
    if let Some(address) = &view.order.buyer_email {
        db::outbox::delete_to_address(conn, address, &BUYER_MAIL).await?;
    }
    Ok(db::orders::shred(conn, view.order.id, now).await?)
}

/// Expires pending orders whose hold ended: their seats and coupon uses are freed.
#[tracing::instrument(skip_all)]
pub async fn expire_lapsed(db_pool: &DatabaseConnection, state: &AppState, dry_run: bool) -> Result<usize> {
    let now = state.now();
    let lapsed = db::orders::lapsed(db_pool, now, 500).await?;
    if dry_run {
        return Ok(lapsed.len());
    }
    let mut expired = 0;
    for order in lapsed {
        let write = AuditedWrite::begin(db_pool, Actor::operator(now)).await?;
        let view = view_of(write.conn(), order.id).await?;
        if close(write.conn(), &view, OrderStatus::Expired, now).await? {
            write
                .commit(
                    AuditRecord::new(AuditKind::OrderExpired)
                        .about(order.member_id)
                        .detail(format!("order {}: unpaid when its hold ended", order.id)),
                )
                .await?;
            expired += 1;
        }
    }
    Ok(expired)
}

/// Shreds keyed orders that are processed: closed, or paid with no mail to the buyer's
/// address still waiting to go.
#[tracing::instrument(skip_all)]
pub async fn shred_processed(db_pool: &DatabaseConnection, state: &AppState, dry_run: bool) -> Result<usize> {
    let now = state.now();
    let mut shredded = 0;
    for order in db::orders::unshredded_processed(db_pool, 500).await? {
        if let Some(address) = &order.buyer_email
            && db::outbox::queued_to_address(db_pool, address).await? > 0
        {
            continue;
        }
        if dry_run {
            shredded += 1;
            continue;
        }
        let write = AuditedWrite::begin(db_pool, Actor::operator(now)).await?;
        let view = view_of(write.conn(), order.id).await?;
        if shred_now(write.conn(), &view, now).await? {
            write
                .commit(
                    AuditRecord::new(AuditKind::OrderShredded)
                        .about(order.member_id)
                        .detail(format!("order {}: buyer details erased", order.id)),
                )
                .await?;
            shredded += 1;
        }
    }
    Ok(shredded)
}

/// Asks Stripe to return the money of pending refund `refund_id` (idempotently: the key is
/// the refund's own id). On success the refund is confirmed and its receipt queued; a
/// failure is recorded on the refund for the next try.
#[tracing::instrument(skip_all)]
pub async fn push_refund(db_pool: &DatabaseConnection, state: &AppState, refund_id: i64) -> Result<bool> {
    let refund = db::orders::find_refund(db_pool, refund_id)
        .await?
        .ok_or(Error::NotFound)?;
    let order = db::orders::find(db_pool, refund.order_id)
        .await?
        .ok_or(Error::NotFound)?;
    let outcome = match (state.stripe(), order.stripe_payment_intent_id.as_deref()) {
        (Ok(gateway), Some(intent)) => gateway
            .refund(intent, refund.amount_cents, &format!("cptn-refund-{}", refund.id))
            .await
            .map_err(|e| e.to_string()),
        (Err(_), _) => Err("online payment is not configured".to_owned()),
        (_, None) => Err("the order names no Stripe payment".to_owned()),
    };
    let now = state.now();
    let write = AuditedWrite::begin(db_pool, Actor::operator(now)).await?;
    let confirmed = match outcome {
        Ok(stripe_refund) => {
            if !db::orders::confirm_refund(write.conn(), refund.id, &stripe_refund, now).await? {
                return Ok(true);
            }
            let view = view_of(write.conn(), order.id).await?;
            let refund = db::orders::find_refund(write.conn(), refund.id)
                .await?
                .ok_or(Error::NotFound)?;
            receipts::queue_refund_receipt(write.conn(), &view, &refund, now).await?;
            write
                .commit(
                    AuditRecord::new(AuditKind::RefundConfirmed)
                        .about(order.member_id)
                        .detail(format!("order {}: refund {} confirmed by Stripe", order.id, refund.id)),
                )
                .await?;
            true
        }
        Err(reason) => {
            tracing::warn!(refund = refund.id, reason = %reason, "refund not confirmed; will retry");
            let reason: String = reason.chars().take(300).collect();
            db::orders::refund_failed(write.conn(), refund.id, &reason).await?;
            write
                .commit(
                    AuditRecord::new(AuditKind::OrderRefunded)
                        .about(order.member_id)
                        .detail(format!(
                            "order {}: refund {} not confirmed yet (retried)",
                            order.id, refund.id
                        )),
                )
                .await?;
            false
        }
    };
    state.wake_mailer();
    Ok(confirmed)
}

/// Pushes every refund Stripe has not confirmed yet; how many it confirmed.
#[tracing::instrument(skip_all)]
pub async fn push_pending_refunds(db_pool: &DatabaseConnection, state: &AppState, dry_run: bool) -> Result<usize> {
    let pending = db::orders::pending_refunds(db_pool, 100).await?;
    if dry_run {
        return Ok(pending.len());
    }
    let mut confirmed = 0;
    for refund in pending {
        if push_refund(db_pool, state, refund.id).await? {
            confirmed += 1;
        }
    }
    Ok(confirmed)
}
