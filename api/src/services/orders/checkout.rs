//! Paying online: a Stripe Checkout Session for the order's total. The buyer pays on
//! Stripe's page; the order becomes `paid` only when Stripe's signed webhook says so
//! (`services::payments::webhook`). A session is asked for with an idempotency key bound to
//! the order's current amounts, so a retry gets the same session, and any change to the
//! order forgets it. The order's hold is stretched to outlive the session, so Stripe stops
//! taking payment before the seats are given back.

use super::settle::settle;
use super::{OrderView, changeable, view_of};
use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::db::orders::Payment;
use crate::error::{Error, Result};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::mail::{self, Mail, MailHeaders};
use crate::services::payments::gateway::{CheckoutRequest, GatewayError};
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use entity::enums::{AuditKind, MessageKind, PaymentMethod};

/// Stripe takes payment until the session expires; the order holds its seats this much
/// longer, for the webhook of a payment made at the last moment.
const WEBHOOK_GRACE: Duration = Duration::minutes(10);

/// Where the buyer goes to pay, and the order.
pub struct CheckoutStart {
    pub url: String,
    pub order: OrderView,
}

/// The caller pays their pending order `order_id`: the URL of Stripe's payment page (or of
/// the order itself when there is nothing to pay, which pays it at once).
/// `PAYMENTS_UNAVAILABLE` when online payment is not configured or Stripe fails.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn checkout(state: &AppState, viewer: &Viewer, meta: &RequestMeta, order_id: i64) -> Result<CheckoutStart> {
    authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let view = changeable(viewer, view_of(&state.db, order_id).await?)?;
    if view.is_keyed() {
        return Err(Error::Conflict {
            field: Some("orderId"),
            message: "Staff keyed this order: send its buyer a payment link.".to_owned(),
        });
    }
    if view.items.is_empty() {
        return Err(Error::invalid("orderId", "This order is empty."));
    }
    if view.order.total_cents == 0 {
        return pay_nothing(state, viewer, meta, view).await;
    }
    let (session_id, url, expires_at) = offer(state, &view, state.settings.payments.hold).await?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    if !db::orders::set_checkout(
        write.conn(),
        order_id,
        &session_id,
        &url,
        expires_at,
        meta.ip_string(),
        write.now(),
    )
    .await?
    {
        return Err(Error::Conflict {
            field: Some("orderId"),
            message: "This order changed meanwhile: look at it again.".to_owned(),
        });
    }
    write
        .commit(
            AuditRecord::new(AuditKind::CheckoutStarted)
                .about(view.order.member_id)
                .detail(format!(
                    "order {order_id}: {}",
                    shared::Money::from_cents(view.order.total_cents)
                )),
        )
        .await?;
    Ok(CheckoutStart {
        url,
        order: view_of(&state.db, order_id).await?,
    })
}

/// An order with nothing to pay (free items, or a coupon covering everything) is paid now.
async fn pay_nothing(state: &AppState, viewer: &Viewer, meta: &RequestMeta, view: OrderView) -> Result<CheckoutStart> {
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let payment = Payment {
        method: PaymentMethod::NoCharge,
        payment_intent_id: None,
        cheque_reference: None,
    };
    let Some(paid) = settle(state, &write, view.order.id, payment).await? else {
        return Err(Error::Conflict {
            field: Some("orderId"),
            message: "This order changed meanwhile: look at it again.".to_owned(),
        });
    };
    write
        .record(
            AuditRecord::new(AuditKind::CheckoutStarted)
                .about(view.order.member_id)
                .detail(format!("order {}: nothing to pay", view.order.id)),
        )
        .await?;
    write.commit(paid).await?;
    state.wake_mailer();
    Ok(CheckoutStart {
        url: order_page(state, view.order.id),
        order: view_of(&state.db, view.order.id).await?,
    })
}

/// The web app's page of order `id`.
pub fn order_page(state: &AppState, id: i64) -> String {
    format!("{}/orders/{id}", state.settings.public_url)
}

/// Asks Stripe for a session paying `view`'s total, valid `validity` (Stripe allows 30
/// minutes to 24 hours): the session's id and URL, and how long the order now holds.
async fn offer(
    state: &AppState,
    view: &OrderView,
    validity: std::time::Duration,
) -> Result<(String, String, DateTime<Utc>)> {
    let now = state.now();
    if let (Some(id), Some(url)) = (&view.order.stripe_session_id, &view.order.checkout_url)
        && view.order.expires_at - WEBHOOK_GRACE > now + Duration::minutes(5)
    {
        return Ok((id.clone(), url.clone(), view.order.expires_at));
    }
    let gateway = state.stripe()?;
    let validity = Duration::from_std(validity)
        .unwrap_or(Duration::minutes(30))
        .clamp(Duration::minutes(30), Duration::hours(24));
    let session_expires = now + validity;
    let page = order_page(state, view.order.id);
    let success = format!("{page}?paid=1");
    let session = gateway
        .create_checkout(CheckoutRequest {
            order_id: view.order.id,
            amount_cents: view.order.total_cents,
            success_url: &success,
            cancel_url: &page,
            expires_at: session_expires,
            idempotency_key: format!(
                "cptn-order-{}-{}-{}",
                view.order.id,
                view.order.updated_at.timestamp_micros(),
                view.order.total_cents
            ),
        })
        .await
        .map_err(|e| unavailable(&e))?;
    Ok((session.id, session.url, session_expires + WEBHOOK_GRACE))
}

/// A Stripe failure as the buyer sees it; the cause is logged.
pub(crate) fn unavailable(err: &GatewayError) -> Error {
    tracing::warn!(error = %err, "Stripe request failed");
    Error::PaymentsUnavailable("The payment service did not answer. Try again in a few minutes.")
}

/// Staff: a Stripe payment link for keyed order `order_id`, valid
/// `CPTN_PAYMENT_LINK_HOURS`; e-mailed to the buyer when there is an address to send it to,
/// and returned to be read out otherwise.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn send_payment_link(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    order_id: i64,
) -> Result<CheckoutStart> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let view = changeable(viewer, view_of(&state.db, order_id).await?)?;
    if view.order.total_cents == 0 || view.items.is_empty() {
        return Err(Error::invalid("orderId", "This order has nothing to pay."));
    }
    let (session_id, url, expires_at) = offer(state, &view, state.settings.payments.payment_link_validity).await?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    if !db::orders::set_checkout(write.conn(), order_id, &session_id, &url, expires_at, None, write.now()).await? {
        return Err(Error::Conflict {
            field: Some("orderId"),
            message: "This order changed meanwhile: look at it again.".to_owned(),
        });
    }
    let to = super::receipts::recipient(&view);
    let mailed = to.is_some();
    if let Some(to) = to {
        mail::queue(
            write.conn(),
            write.now(),
            Mail {
                kind: MessageKind::PaymentLink,
                to,
                subject: format!("Pay your CPTN Network order {order_id}"),
                body: format!(
                    "To pay order {order_id} ({}), open this link by {} UTC:\n\n{url}\n\nThe payment page is Stripe's; we never see your card.\n",
                    shared::Money::from_cents(view.order.total_cents),
                    (expires_at - WEBHOOK_GRACE).format("%Y-%m-%d %H:%M"),
                ),
                headers: MailHeaders::automatic(),
                sender_ip: None,
            },
        )
        .await?;
    }
    write
        .commit(
            AuditRecord::new(AuditKind::PaymentLinkSent)
                .about(view.order.member_id)
                .detail(format!(
                    "order {order_id}: link {}",
                    if mailed { "e-mailed" } else { "read out" }
                )),
        )
        .await?;
    state.wake_mailer();
    Ok(CheckoutStart {
        url,
        order: view_of(&state.db, order_id).await?,
    })
}
