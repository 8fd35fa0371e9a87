//! Cancellation and refunds. A pending order is cancelled (its seats freed); a paid one is
//! refunded, whole or by item: what each item did is reversed in one transaction (the
//! enrolment and its seat, credit not yet used for a renewal, a renewal's new cycle, a
//! petition's review), the refund is recorded `pending`, and Stripe's Refund API is called
//! at once with an idempotency key of that record (the `orders` job retries a refund Stripe
//! did not confirm). Staff can refund anything; members cancel their own orders within
//! `CPTN_CANCEL_WINDOW_DAYS` (14) of paying and never once a workshop in them has begun.

use super::{OrderView, lifecycle, readable, receipts, view_of};
use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::error::{Error, Result};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::certification::ledger::reverse_unused_credit;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::enums::{AuditKind, FeePurpose, OrderStatus, PaymentMethod, PaymentStatus, PetitionStatus, RefundStatus};
use entity::order_item;
use sea_orm::ConnectionTrait;

/// Cancels order `order_id`, or refunds items `item_ids` of it (all when `None`). Members:
/// their own order, a paid one within the window. Staff: any order, any time.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn cancel_order(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    order_id: i64,
    item_ids: Option<Vec<i64>>,
) -> Result<OrderView> {
    authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let view = readable(viewer, view_of(&state.db, order_id).await?)?;
    let staff = authz::allows(viewer, Audience::Staff, Subject::NOBODY);
    match view.order.status {
        OrderStatus::Pending if item_ids.is_none() => cancel_pending(state, viewer, meta, &view).await,
        OrderStatus::Pending => Err(Error::invalid("items", "Remove lines from an unpaid order instead.")),
        OrderStatus::Paid | OrderStatus::PartiallyRefunded => {
            let items = chosen(&view, item_ids.as_deref())?;
            if !staff {
                within_window(state, &view, &items).await?;
            }
            refund(state, viewer, meta, &view, &items).await
        }
        other => Err(Error::Conflict {
            field: Some("orderId"),
            message: format!("This order is {}.", super::status_word(other)),
        }),
    }
}

/// The unrefunded items `ids` names (all of them when `None`).
fn chosen(view: &OrderView, ids: Option<&[i64]>) -> Result<Vec<order_item::Model>> {
    if let Some(ids) = ids
        && let Some(stranger) = ids.iter().find(|id| !view.items.iter().any(|i| i.id == **id))
    {
        return Err(Error::invalid(
            "items",
            format!("Item {stranger} is not in this order."),
        ));
    }
    let items: Vec<order_item::Model> = view
        .items
        .iter()
        .filter(|i| i.refunded_at.is_none() && ids.is_none_or(|ids| ids.contains(&i.id)))
        .cloned()
        .collect();
    if items.is_empty() {
        return Err(Error::Conflict {
            field: Some("items"),
            message: "These items are already refunded.".to_owned(),
        });
    }
    Ok(items)
}

/// Whether paid order `order` is still within the members' cancellation window.
fn in_window(state: &AppState, order: &entity::purchase_order::Model) -> bool {
    let window = chrono::Duration::days(i64::from(state.settings.payments.cancel_window_days));
    order.paid_at.is_some_and(|paid| paid + window >= state.now())
}

/// Whether `viewer` may cancel `view` now, as the order page offers it: a pending order
/// (a keyed one by staff only), a paid one within the window for its buyer, any for
/// staff. `cancelOrder` checks the finer rules (a workshop begun, a course completed).
pub fn cancellable(state: &AppState, viewer: &Viewer, view: &OrderView) -> bool {
    let staff = authz::allows(viewer, Audience::Staff, Subject::NOBODY);
    match view.order.status {
        OrderStatus::Pending => staff || !view.is_keyed(),
        OrderStatus::Paid | OrderStatus::PartiallyRefunded => staff || in_window(state, &view.order),
        OrderStatus::Expired | OrderStatus::Cancelled | OrderStatus::Refunded => false,
    }
}

/// A member's cancellation rules: within the window after paying, before any workshop in
/// it begins, before a course in it is completed.
async fn within_window(state: &AppState, view: &OrderView, items: &[order_item::Model]) -> Result<()> {
    let now = state.now();
    let refuse = |message: String| Error::Conflict {
        field: Some("orderId"),
        message,
    };
    if !in_window(state, &view.order) {
        return Err(refuse(format!(
            "Orders can be cancelled within {} days of payment. Contact us.",
            state.settings.payments.cancel_window_days
        )));
    }
    let workshop_ids: Vec<i64> = items.iter().filter_map(|i| i.workshop_id).collect();
    let workshops = db::enrolment::workshops_by_id(&state.db, &workshop_ids).await?;
    if workshops.iter().any(|w| w.starts_at <= now) {
        return Err(refuse(
            "A workshop in this order has begun: it can no longer be cancelled.".to_owned(),
        ));
    }
    for item in items {
        let Some(fee) = item.fee_id else { continue };
        let done = match item.purpose {
            FeePurpose::Enrolment => db::enrolment::enrolment_paid_by(&state.db, fee)
                .await?
                .is_some_and(|e| e.completed_on.is_some())
                .then_some("A course in this order is completed"),
            FeePurpose::Petition => db::petitions::paid_by(&state.db, fee)
                .await?
                .is_some_and(|p| matches!(p.status, PetitionStatus::Approved | PetitionStatus::Rejected))
                .then_some("The petition in this order is decided"),
            FeePurpose::Renewal => None,
        };
        if let Some(what) = done {
            return Err(refuse(format!("{what}: it can no longer be cancelled. Contact us.")));
        }
    }
    Ok(())
}

async fn cancel_pending(state: &AppState, viewer: &Viewer, meta: &RequestMeta, view: &OrderView) -> Result<OrderView> {
    if view.is_keyed() {
        authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    }
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    if !lifecycle::close(write.conn(), view, OrderStatus::Cancelled, write.now()).await? {
        return Err(Error::Conflict {
            field: Some("orderId"),
            message: "This order is no longer awaiting payment.".to_owned(),
        });
    }
    write
        .commit(
            AuditRecord::new(AuditKind::OrderCancelled)
                .about(view.order.member_id)
                .detail(format!("order {}", view.order.id)),
        )
        .await?;
    view_of(&state.db, view.order.id).await
}

/// Refunds `items` of paid order `view`: reverses them, records the refund, then asks
/// Stripe for the money back.
async fn refund(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    view: &OrderView,
    items: &[order_item::Model],
) -> Result<OrderView> {
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let mut amount = 0;
    for item in items {
        reverse_item(write.conn(), state, item, viewer.member_id(), write.now()).await?;
        let total = OrderView::item_total(item);
        if !db::orders::refund_item(write.conn(), item.id, total, write.now()).await? {
            return Err(Error::Conflict {
                field: Some("items"),
                message: "These items were refunded meanwhile.".to_owned(),
            });
        }
        amount += total;
    }
    let left = view.items.iter().filter(|i| i.refunded_at.is_none()).count() - items.len();
    let to = if left == 0 {
        OrderStatus::Refunded
    } else {
        OrderStatus::PartiallyRefunded
    };
    if !db::orders::add_refund(write.conn(), view.order.id, amount, to, write.now()).await? {
        return Err(Error::Conflict {
            field: Some("orderId"),
            message: "This order changed meanwhile: look at it again.".to_owned(),
        });
    }
    let method = view.order.payment_method.unwrap_or(PaymentMethod::NoCharge);
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let refund = db::orders::insert_refund(
        write.conn(),
        view.order.id,
        amount,
        &ids,
        method,
        viewer.member_id(),
        write.now(),
    )
    .await?;
    if refund.status == RefundStatus::Succeeded {
        let after = view_of(write.conn(), view.order.id).await?;
        receipts::queue_refund_receipt(write.conn(), &after, &refund, write.now()).await?;
    }
    write
        .commit(
            AuditRecord::new(AuditKind::OrderRefunded)
                .about(view.order.member_id)
                .detail(format!(
                    "order {}: refund {} of {}",
                    view.order.id,
                    refund.id,
                    shared::Money::from_cents(amount)
                )),
        )
        .await?;
    state.wake_mailer();
    if refund.status == RefundStatus::Pending {
        // A failure is recorded on the refund and retried by the `orders` job.
        lifecycle::push_refund(&state.db, state, refund.id).await?;
    }
    view_of(&state.db, view.order.id).await
}

/// The reason a refund's reversing ledger entries give.
const WHY: &str = "Refunded";

/// Reverses what a paid item did, inside the refund's transaction.
async fn reverse_item<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    item: &order_item::Model,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(fee_id) = item.fee_id else {
        // A keyed buyer's seat.
        if let Some(workshop) = item.workshop_id {
            db::enrolment::release_seat(conn, workshop).await?;
        }
        return Ok(());
    };
    match item.purpose {
        FeePurpose::Enrolment => {
            if let Some(enrolment) = db::enrolment::enrolment_paid_by(conn, fee_id).await? {
                if let Some(entry) = enrolment.cec_entry_id {
                    reverse_unused_credit(conn, entry, WHY, by, now).await?;
                }
                db::enrolment::delete_enrolment(conn, enrolment.id).await?;
                if let Some(workshop) = enrolment.workshop_id {
                    db::enrolment::release_seat(conn, workshop).await?;
                }
            }
        }
        FeePurpose::Petition => {
            if let Some(petition) = db::petitions::paid_by(conn, fee_id).await? {
                if let Some(entry) = petition.cec_entry_id {
                    reverse_unused_credit(conn, entry, WHY, by, now).await?;
                }
                if petition.status != PetitionStatus::Rejected {
                    db::petitions::advance(
                        conn,
                        petition.id,
                        petition.status,
                        PetitionStatus::Withdrawn,
                        db::petitions::Step::default(),
                        now,
                    )
                    .await?;
                }
            }
        }
        FeePurpose::Renewal => undo_renewal(conn, state, fee_id).await?,
    }
    db::fees::set_status(conn, fee_id, PaymentStatus::Paid, PaymentStatus::Refunded).await?;
    Ok(())
}

/// A refunded renewal takes its cycle back, unless credit was already recorded in it.
async fn undo_renewal<C: ConnectionTrait>(conn: &C, state: &AppState, fee_id: i64) -> Result<()> {
    let Some(renewal) = db::certification::renewal_paid_by(conn, fee_id).await? else {
        return Ok(());
    };
    if let Some(cycle) = renewal.new_cycle_id
        && db::certification::entries_in_cycle(conn, cycle).await? > 0
    {
        return Err(Error::Conflict {
            field: Some("items"),
            message: "The renewed cycle already holds credit: correct the ledger before refunding the renewal."
                .to_owned(),
        });
    }
    db::certification::undo_renewal(conn, &renewal).await?;
    crate::services::certification::cycles::refresh_directory(conn, state, renewal.member_id).await?;
    Ok(())
}

/// Staff: refunds items `item_ids` (all when `None`) of paid order `order_id`, any time.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn refund_order(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    order_id: i64,
    item_ids: Option<Vec<i64>>,
) -> Result<OrderView> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let view = view_of(&state.db, order_id).await?;
    if !matches!(view.order.status, OrderStatus::Paid | OrderStatus::PartiallyRefunded) {
        return Err(Error::Conflict {
            field: Some("orderId"),
            message: format!(
                "This order is {}: only a paid order is refunded.",
                super::status_word(view.order.status)
            ),
        });
    }
    let items = chosen(&view, item_ids.as_deref())?;
    refund(state, viewer, meta, &view, &items).await
}
