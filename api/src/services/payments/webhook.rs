//! `POST /webhooks/stripe`: Stripe's events, verified, stored once, then applied.
//!
//! 1. The `Stripe-Signature` header is checked against the raw body ([`super::signature`]).
//!    Stripe signs with its own clock, so the tolerance is measured against the system
//!    clock (as token expiry is), not the application clock tests move.
//! 2. The event is stored by its id with one insert that ignores a known id: a repeat, even
//!    at the same moment, is stored once and answered 200 like the first. Only the fields
//!    an order needs are kept: the payload carries the buyer's name and e-mail, which we
//!    neither need nor keep.
//! 3. The answer goes back at once; the event is applied after it by the server's applier
//!    ([`applier`], one per server, on a pool of its own so that applying never takes a
//!    connection the intake needs) and, should the server stop first, by the `orders` job
//!    of any server. Applying is idempotent: an
//!    order is paid by one conditional update from `pending`, so repeats and events out of
//!    order change nothing twice, and an event is marked processed in the same transaction.
//!
//! A payment that cannot pay its order (the order lapsed, changed after the session was
//! offered, or was paid another way) is refunded in full at once.

use super::signature::{self, SignatureError};
use crate::db;
use crate::db::orders::Payment;
use crate::error::Result;
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::orders::{lifecycle, settle::settle, view_of};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::enums::{AuditKind, OrderStatus, PaymentMethod};
use entity::stripe_event;
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;
use serde::Deserialize;
use std::collections::HashMap;
use tokio_util::sync::CancellationToken;

/// Why a webhook was refused (400, or 503 when not configured).
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `CPTN_STRIPE_WEBHOOK_SECRET` is not set.
    NotConfigured,
    Signature(SignatureError),
    /// Signed, but not an event we can read.
    Malformed,
}

/// What became of a genuine event.
#[derive(Debug, PartialEq, Eq)]
pub enum Received {
    /// Stored now; it is being applied.
    Stored,
    /// Known already (a repeat): nothing more happens.
    Repeat,
}

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    created: i64,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: EventObject,
}

#[derive(Deserialize, Default)]
struct EventObject {
    id: Option<String>,
    #[serde(default)]
    metadata: HashMap<String, String>,
    client_reference_id: Option<String>,
    /// An id, or the expanded object.
    payment_intent: Option<serde_json::Value>,
    payment_status: Option<String>,
    amount_total: Option<i64>,
    amount: Option<i64>,
    currency: Option<String>,
}

impl Event {
    /// The row to store: the order it names, the amounts, no personal data.
    fn row(self, now: DateTime<Utc>) -> stripe_event::Model {
        let object = self.data.object;
        let order_id = object
            .metadata
            .get("order_id")
            .or(object.client_reference_id.as_ref())
            .and_then(|id| id.parse().ok());
        let intent = match object.payment_intent {
            Some(serde_json::Value::String(id)) => Some(id),
            Some(serde_json::Value::Object(o)) => o.get("id").and_then(|v| v.as_str()).map(str::to_owned),
            _ if self.kind.starts_with("payment_intent.") => object.id.clone(),
            _ => None,
        };
        let cut = |s: String, n: usize| -> String { s.chars().take(n).collect() };
        stripe_event::Model {
            id: cut(self.id, 255),
            event_type: cut(self.kind, 100),
            object_id: object.id.map(|s| cut(s, 255)),
            order_id,
            payment_intent_id: intent.map(|s| cut(s, 255)),
            payment_status: object.payment_status.map(|s| cut(s, 40)),
            amount_cents: object.amount_total.or(object.amount),
            currency: object.currency.map(|c| cut(c.to_uppercase(), 3)),
            stripe_created_at: DateTime::from_timestamp(self.created, 0).unwrap_or(now),
            received_at: now,
            processed_at: None,
            outcome: None,
        }
    }
}

/// Verifies and stores a webhook delivery; a new event is then applied in the background.
#[tracing::instrument(skip_all)]
pub async fn receive(
    state: &AppState,
    signature_header: Option<&str>,
    body: &[u8],
) -> Result<std::result::Result<Received, Refusal>> {
    let Some(secret) = &state.settings.payments.stripe_webhook_secret else {
        return Ok(Err(Refusal::NotConfigured));
    };
    let now_unix = Utc::now().timestamp();
    if let Err(e) = signature::verify(
        signature_header,
        body,
        secret.expose_secret(),
        now_unix,
        signature::TOLERANCE_SECONDS,
    ) {
        tracing::info!(reason = ?e, "webhook refused: signature");
        return Ok(Err(Refusal::Signature(e)));
    }
    let Ok(event) = serde_json::from_slice::<Event>(body) else {
        return Ok(Err(Refusal::Malformed));
    };
    let row = event.row(state.now());
    let id = row.id.clone();
    if !db::payments::insert_event(&state.db, row).await? {
        return Ok(Ok(Received::Repeat));
    }
    tracing::debug!(event = %id, "Stripe event stored");
    state.payment_events.notify_one();
    Ok(Ok(Received::Stored))
}

/// The server's applier: applies stored events as soon as one arrives (and every few
/// seconds anyway), in Stripe's order, until `stop`; a failure is logged and retried on the
/// next round.
#[tracing::instrument(skip_all, name = "payment_applier")]
pub async fn applier(db_pool: DatabaseConnection, state: AppState, stop: CancellationToken) {
    loop {
        tokio::select! {
            biased;
            () = stop.cancelled() => break,
            () = state.payment_events.notified() => {}
            () = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
        }
        // Everything stored so far, including what arrived while the last round ran.
        while let Ok(applied) = apply_pending(&db_pool, &state, false).await {
            if applied == 0 || stop.is_cancelled() {
                break;
            }
        }
    }
}

/// Applies every stored event not applied yet (the applier, the `orders` job); how many.
#[tracing::instrument(skip_all)]
pub async fn apply_pending(db_pool: &DatabaseConnection, state: &AppState, dry_run: bool) -> Result<usize> {
    let pending = db::payments::unprocessed(db_pool, 500).await?;
    if dry_run {
        return Ok(pending.len());
    }
    let mut applied = 0;
    for event in pending {
        if let Err(e) = apply(db_pool, state, &event.id).await {
            tracing::warn!(error = %e, "applying a Stripe event failed; it is retried");
            return Err(e);
        }
        applied += 1;
    }
    Ok(applied)
}

/// What an event means for its order.
enum Meaning {
    /// A completed payment for the order.
    Paid,
    /// The session lapsed unpaid.
    Expired,
    /// A payment attempt failed; the buyer may try again.
    Declined,
    /// Nothing for us.
    Ignored,
}

fn meaning(event: &stripe_event::Model) -> Meaning {
    match event.event_type.as_str() {
        "checkout.session.completed" if event.payment_status.as_deref() == Some("paid") => Meaning::Paid,
        "checkout.session.async_payment_succeeded" => Meaning::Paid,
        "checkout.session.expired" => Meaning::Expired,
        "checkout.session.async_payment_failed" | "payment_intent.payment_failed" => Meaning::Declined,
        _ => Meaning::Ignored,
    }
}

/// Applies stored event `id` once.
async fn apply(db_pool: &DatabaseConnection, state: &AppState, id: &str) -> Result<()> {
    let Some(event) = db::payments::find_event(db_pool, id)
        .await?
        .filter(|e| e.processed_at.is_none())
    else {
        return Ok(());
    };
    let order = match event.order_id {
        Some(order_id) => db::orders::find(db_pool, order_id).await?,
        None => None,
    };
    let now = state.now();
    let (meaning, Some(order)) = (meaning(&event), order) else {
        db::payments::mark_processed(db_pool, id, "no order of ours", now).await?;
        return Ok(());
    };
    let current = order.status == OrderStatus::Pending && order.stripe_session_id == event.object_id;
    let write = AuditedWrite::begin(db_pool, Actor::operator(now)).await?;
    let (outcome, record) = match meaning {
        Meaning::Paid if current && event.amount_cents == Some(order.total_cents) => {
            let payment = Payment {
                method: PaymentMethod::StripeCheckout,
                payment_intent_id: event.payment_intent_id.clone(),
                cheque_reference: None,
            };
            match settle(state, &write, order.id, payment).await? {
                Some(paid) => ("order paid", paid),
                None => return Ok(()),
            }
        }
        Meaning::Paid
            if order.stripe_payment_intent_id.is_some()
                && order.stripe_payment_intent_id == event.payment_intent_id =>
        {
            drop(write);
            db::payments::mark_processed(db_pool, id, "order already paid by this payment", now).await?;
            return Ok(());
        }
        Meaning::Paid => {
            drop(write);
            return refund_stray(db_pool, state, &event, &order).await;
        }
        Meaning::Expired if current => {
            let view = view_of(write.conn(), order.id).await?;
            if !lifecycle::close(write.conn(), &view, OrderStatus::Expired, now).await? {
                return Ok(());
            }
            let record = AuditRecord::new(AuditKind::OrderExpired)
                .about(order.member_id)
                .detail(format!("order {}: its Stripe session expired", order.id));
            ("order expired", record)
        }
        Meaning::Declined if order.status == OrderStatus::Pending => {
            db::orders::mark_declined(write.conn(), order.id, now).await?;
            let record = AuditRecord::new(AuditKind::PaymentDeclined)
                .about(order.member_id)
                .detail(format!("order {}: a payment attempt failed", order.id));
            ("payment declined", record)
        }
        Meaning::Expired | Meaning::Declined | Meaning::Ignored => {
            drop(write);
            db::payments::mark_processed(db_pool, id, "nothing to do", now).await?;
            return Ok(());
        }
    };
    if !db::payments::mark_processed(write.conn(), id, outcome, now).await? {
        // Another worker applied it meanwhile: this transaction rolls back.
        return Ok(());
    }
    write.commit(record).await?;
    state.wake_mailer();
    Ok(())
}

/// A payment that cannot pay its order is given back in full.
async fn refund_stray(
    db_pool: &DatabaseConnection,
    state: &AppState,
    event: &stripe_event::Model,
    order: &entity::purchase_order::Model,
) -> Result<()> {
    let (Some(intent), Some(amount)) = (event.payment_intent_id.as_deref(), event.amount_cents) else {
        db::payments::mark_processed(db_pool, &event.id, "payment without an amount", state.now()).await?;
        return Ok(());
    };
    let gateway = state.stripe()?;
    let refund = gateway
        .refund(intent, amount, &format!("cptn-stray-{}", event.id))
        .await
        .map_err(|e| crate::error::Error::Unexpected(anyhow::anyhow!("refunding a stray payment: {e}")))?;
    let write = AuditedWrite::begin(db_pool, Actor::operator(state.now())).await?;
    if !db::payments::mark_processed(
        write.conn(),
        &event.id,
        "payment refunded: the order could not take it",
        state.now(),
    )
    .await?
    {
        return Ok(());
    }
    write
        .commit(
            AuditRecord::new(AuditKind::OrderRefunded)
                .about(order.member_id)
                .detail(format!(
                    "order {} ({}): a payment for an outdated checkout was refunded ({refund})",
                    order.id,
                    crate::services::orders::status_word(order.status)
                )),
        )
        .await?;
    Ok(())
}
