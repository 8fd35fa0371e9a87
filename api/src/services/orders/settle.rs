//! Paying an order: one conditional update from `pending` to `paid`, then each item takes
//! effect (its fee is paid: the enrolment is confirmed, the renewal starts its cycle, the
//! petition goes to the staff queue) and the receipt is queued, all in the transaction of
//! the payment. However many times a payment is reported, it takes effect once.

use super::{receipts, view_of};
use crate::db;
use crate::db::orders::Payment;
use crate::error::Result;
use crate::services::audit::{AuditRecord, AuditedWrite};
use crate::services::fees::apply_paid_fee;
use crate::state::AppState;
use entity::enums::{AuditKind, PaymentMethod};

/// Marks pending order `order_id` paid by `payment` and applies its items inside `write`
/// (their audit rows written); queues its receipt (wake the mailer after committing). The
/// payment's own audit row is for the caller to commit with; `None` when the order was no
/// longer pending: nothing was applied.
pub(crate) async fn settle(
    state: &AppState,
    write: &AuditedWrite,
    order_id: i64,
    payment: Payment,
) -> Result<Option<AuditRecord>> {
    let method = payment.method;
    if !db::orders::mark_paid(write.conn(), order_id, payment, write.now()).await? {
        return Ok(None);
    }
    let view = view_of(write.conn(), order_id).await?;
    for item in &view.items {
        let Some(fee_id) = item.fee_id else { continue };
        let Some(fee) = db::fees::find(write.conn(), fee_id).await? else {
            continue;
        };
        if let Some(effect) = apply_paid_fee(write.conn(), state, &fee, write.now()).await? {
            write.record(effect).await?;
        }
    }
    receipts::queue_receipt(write.conn(), &view, write.now()).await?;
    Ok(Some(paid(&view.order, method)))
}

/// The audit row of a payment.
fn paid(order: &entity::purchase_order::Model, method: PaymentMethod) -> AuditRecord {
    AuditRecord::new(AuditKind::OrderPaid)
        .about(order.member_id)
        .detail(format!(
            "order {}: {} by {}",
            order.id,
            shared::Money::from_cents(order.total_cents),
            match method {
                PaymentMethod::StripeCheckout => "Stripe Checkout",
                PaymentMethod::StripeTerminal => "card in Stripe's terminal",
                PaymentMethod::Cheque => "cheque",
                PaymentMethod::NoCharge => "nothing to pay",
            }
        ))
}
