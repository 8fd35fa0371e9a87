//! Data requests from people without an account (P23): relay senders, newsletter
//! subscribers, phone and mail-in buyers. They ask by e-mail address and prove control of
//! it through the link mailed to it. An export is answered at once, on the confirmation
//! page: what is held under the address (subscriptions and consent records, messages to
//! it or naming it, orders it bought, audit events naming it), as JSON. An erasure joins
//! the staff queue, due 30 days out, and staff erase those same things.

use super::retention::REQUEST_DUE_DAYS;
use crate::auth::{RequestMeta, Viewer};
use crate::db;
use crate::error::{Error, Result};
use crate::services::accounts::registration::{new_token, token_hash};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::mail::{self, Mail, MailHeaders, Recipient};
use crate::state::AppState;
use entity::enums::{AuditKind, MessageKind, PrivacyRequestKind, PrivacyRequestStatus};
use entity::privacy_request;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use shared::Email;

/// Asks, for `email`, for what is held under it (`Export`) or its erasure (`Erasure`):
/// mails the confirmation link. Answers the same whatever is held; limited per IP and per
/// address.
#[tracing::instrument(skip_all)]
pub async fn request(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    email: &str,
    kind: PrivacyRequestKind,
) -> Result<()> {
    if kind == PrivacyRequestKind::Relink {
        return Err(Error::invalid("kind", "Ask for an export or an erasure."));
    }
    let email = Email::parse("email", email)?;
    if let Some(ip) = meta.ip
        && let Err(retry_after) = state.register_limiter.check(&ip).await
    {
        return Err(Error::RateLimited { retry_after });
    }
    if state.resend_limiter.check(&email.as_str().to_owned()).await.is_err() {
        return Ok(());
    }
    let (token, hash) = new_token();
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let now = write.now();
    let due = now + chrono::Duration::days(REQUEST_DUE_DAYS);
    let request = db::privacy::insert_address_request(write.conn(), kind, email.as_str(), &hash, now, due).await?;
    let what = if kind == PrivacyRequestKind::Export {
        "a copy of what CPTN Network holds under this address"
    } else {
        "the erasure of what CPTN Network holds under this address"
    };
    let link = format!("{}/data-request/confirm?token={token}", state.settings.public_url);
    mail::queue(
        write.conn(),
        now,
        Mail {
            kind: MessageKind::DataRequestConfirmation,
            to: Recipient::Address(email),
            subject: "Confirm your data request to CPTN Network".to_owned(),
            body: format!(
                "Someone (we hope you) asked for {what}.\n\nTo confirm that this address is yours and go on, open this link:\n\n{link}\n\nIf you did not ask, ignore this message: nothing happens without the link.\n\nAsked on {} UTC from IP address {}.\n",
                now.format("%Y-%m-%d %H:%M"),
                meta.ip_string().unwrap_or_else(|| "unknown".to_owned()),
            ),
            headers: MailHeaders::automatic(),
            sender_ip: meta.ip_string(),
        },
    )
    .await?;
    write
        .commit(AuditRecord::new(AuditKind::AddressRequestFiled).detail(format!("request {}", request.id)))
        .await?;
    state.wake_mailer();
    Ok(())
}

/// A confirmed address request, and for an export what is held under the address.
pub struct Confirmed {
    pub request: privacy_request::Model,
    pub archive: Option<Value>,
}

/// Confirms the request whose link carries `token`. `NOT_FOUND` for a token we did not
/// send or one already used.
#[tracing::instrument(skip_all)]
pub async fn confirm(state: &AppState, viewer: &Viewer, meta: &RequestMeta, token: &str) -> Result<Confirmed> {
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let request = db::privacy::request_by_token(write.conn(), &token_hash(token.trim()))
        .await?
        .ok_or(Error::NotFound)?;
    let email = request.email.clone().ok_or(Error::NotFound)?;
    let export = request.kind == PrivacyRequestKind::Export;
    let to = if export {
        PrivacyRequestStatus::Completed
    } else {
        PrivacyRequestStatus::Open
    };
    if !db::privacy::confirm_address_request(write.conn(), request.id, to, write.now()).await? {
        return Err(Error::NotFound);
    }
    let archive = if export {
        Some(held_under(write.conn(), &email).await?)
    } else {
        None
    };
    write
        .commit(AuditRecord::new(AuditKind::AddressRequestConfirmed).detail(format!("request {}", request.id)))
        .await?;
    let request = db::privacy::find_request(&state.db, request.id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Confirmed { request, archive })
}

/// Everything held under `email`, by table, as stored (without what names other people).
async fn held_under<C: ConnectionTrait>(conn: &C, email: &str) -> Result<Value> {
    let subscriptions = db::privacy::rows_about(conn, "subscription", "email", email.to_owned()).await?;
    let mut consent = Vec::new();
    for id in subscriptions.iter().filter_map(|s| s["id"].as_i64()) {
        consent.extend(db::privacy::rows_about(conn, "consent_event", "subscription_id", id).await?);
    }
    let orders = db::privacy::rows_about(conn, "purchase_order", "buyer_email", email.to_owned()).await?;
    let mut items = Vec::new();
    for id in orders.iter().filter_map(|o| o["id"].as_i64()) {
        items.extend(db::privacy::rows_about(conn, "order_item", "order_id", id).await?);
    }
    let mut messages = db::privacy::rows_about(conn, "outbox_message", "recipient_address", email.to_owned()).await?;
    messages.extend(db::privacy::mail_naming(conn, email).await?);
    for message in &mut messages {
        if let Some(row) = message.as_object_mut() {
            row.remove("headers");
        }
    }
    let events = db::privacy::audit_naming(conn, email).await?;
    let reports = db::privacy::rows_about(conn, "vulnerability_report", "reporter_email", email.to_owned()).await?;
    Ok(json!({
        "email": email,
        "about": "Everything CPTN Network holds under this e-mail address, by table, as stored.",
        "tables": {
            "subscription": subscriptions,
            "consent_event": consent,
            "purchase_order": orders,
            "order_item": items,
            "outbox_message": messages,
            "audit_event": events,
            "vulnerability_report": reports,
        }
    }))
}

/// Erases what is held under `email` inside the caller's transaction: subscriptions and
/// their consent records, mail to it or naming it, a keyed order's buyer details, audit
/// details naming it (the rows stay, masked), vulnerability reports sent from it. Answers
/// the attachments to remove after the commit.
pub(crate) async fn erase<C: ConnectionTrait>(conn: &C, email: &str) -> Result<Vec<String>> {
    let mut attachments = Vec::new();
    for report in db::security::of_address(conn, email).await? {
        db::security::delete(conn, report.id).await?;
        attachments.extend(report.attachment);
    }
    // No member has id 0: only the address matches.
    db::newsletters::delete_subscriptions_of(conn, email, 0).await?;
    db::privacy::delete_mail_of(conn, 0, email).await?;
    db::privacy::mask_audit_of(conn, 0, &[email]).await?;
    db::privacy::forget_buyer(conn, email).await?;
    Ok(attachments)
}
