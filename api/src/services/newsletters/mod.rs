//! Newsletters with consent (P17): lists of the body's own and lists run on behalf of a
//! named partner (we send its mail; a partner never receives an address). Subscribing is a
//! double opt-in: `subscribe` mails a confirmation link to the address, and only the
//! address's owner confirms. Every request, confirmation and unsubscription is kept as
//! consent evidence with its time, IP, user agent and the version of the wording agreed
//! to. Every campaign message carries `List-Unsubscribe` with a one-click link (RFC 8058):
//! one `POST` to it, with no login, unsubscribes; the same link opened in a browser shows
//! a page with a button. Mail is plain text: no tracking pixel, no rewritten link.

pub mod campaigns;

use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::error::{Error, Result, conflict_on_unique};
use crate::services::accounts::registration::{new_token, token_hash};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::mail::{self, Mail, MailHeaders, Recipient};
use crate::state::AppState;
use entity::enums::{AuditKind, ConsentAction, MessageKind};
use entity::{consent_event, mailing_list, subscription};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use shared::Email;

/// The version of the consent wording (`consent_wording`) recorded with each consent.
/// Change it whenever the wording changes.
pub const WORDING_VERSION: &str = "2026-11-30";

/// What someone agrees to when subscribing to `list` (shown on the form, mailed with the
/// confirmation link).
pub fn consent_wording(list: &mailing_list::Model) -> String {
    let sender = list.partner_name.as_ref().map_or_else(
        || "CPTN Network".to_owned(),
        |partner| format!("CPTN Network on behalf of {partner} (who never receives your address)"),
    );
    format!(
        "I agree to receive \"{}\" by e-mail from {sender}. I can unsubscribe at any time with one click from any message.",
        list.name
    )
}

/// The lists open to subscription. Audience: public.
#[tracing::instrument(skip_all)]
pub async fn lists(state: &AppState) -> Result<Vec<mailing_list::Model>> {
    Ok(db::newsletters::open_lists(&state.db).await?)
}

/// What staff give a new list.
pub struct ListInput {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub partner_name: Option<String>,
}

/// Staff: creates a list.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn create_list(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    input: ListInput,
) -> Result<mailing_list::Model> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let slug = shared::validate::slug("slug", &input.slug)?;
    let name = shared::validate::bounded_text("name", &input.name, 120, true, false)?;
    let description = shared::validate::bounded_text("description", &input.description, 2000, false, true)?;
    let partner = input
        .partner_name
        .map(|p| shared::validate::bounded_text("partnerName", &p, 120, true, false))
        .transpose()?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let list = db::newsletters::insert_list(
        write.conn(),
        db::newsletters::NewList {
            slug: &slug,
            name: &name,
            description: &description,
            partner_name: partner.as_deref(),
        },
        write.now(),
    )
    .await
    .map_err(|e| conflict_on_unique(e, "slug", "A list with this slug exists."))?;
    write
        .commit(AuditRecord::new(AuditKind::MailingListCreated).detail(format!("list {}", list.slug)))
        .await?;
    Ok(list)
}

/// Asks to subscribe `email` to list `slug`: mails it a confirmation link. Answers the same
/// whatever the address's state (nothing tells a visitor who is subscribed); limited per IP
/// and per address.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn subscribe(state: &AppState, viewer: &Viewer, meta: &RequestMeta, slug: &str, email: &str) -> Result<()> {
    let email = Email::parse("email", email)?;
    if let Some(ip) = meta.ip
        && let Err(retry_after) = state.register_limiter.check(&ip).await
    {
        return Err(Error::RateLimited { retry_after });
    }
    let list = db::newsletters::list_by_slug(&state.db, slug.trim())
        .await?
        .filter(|l| l.retired_at.is_none())
        .ok_or(Error::NotFound)?;
    if state.resend_limiter.check(&email.as_str().to_owned()).await.is_err() {
        // The address had its links already: answered the same, nothing sent.
        return Ok(());
    }
    // A member subscribing their own address links the subscription to them (P16).
    let member_id = match viewer.member_id() {
        Some(id) => db::members::find_by_id(&state.db, id)
            .await?
            .filter(|m| m.email == email.as_str())
            .map(|m| m.id),
        None => None,
    };
    let (token, hash) = new_token();
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let now = write.now();
    let Some(subscription) =
        db::newsletters::request(write.conn(), list.id, email.as_str(), member_id, &hash, now).await?
    else {
        // Confirmed already: nothing to confirm, and the answer says nothing of it.
        return Ok(());
    };
    db::newsletters::record_consent(
        write.conn(),
        db::newsletters::NewConsent {
            subscription_id: subscription.id,
            action: ConsentAction::Requested,
            at: now,
            ip: meta.ip_string(),
            user_agent: meta.user_agent.as_deref(),
            wording_version: WORDING_VERSION,
        },
    )
    .await?;
    let link = format!("{}/subscriptions/confirm?token={token}", state.settings.public_url);
    mail::queue(
        write.conn(),
        now,
        Mail {
            kind: MessageKind::SubscriptionConfirmation,
            to: Recipient::Address(email),
            subject: format!("Confirm your subscription to {}", list.name),
            body: format!(
                "Someone (we hope you) asked to subscribe this address to \"{}\".\n\n{}\n\nTo confirm, open this link:\n\n{link}\n\nIf you did not ask for this, ignore this message: nothing will be sent to you.\n\nAsked on {} UTC from IP address {}.\n",
                list.name,
                consent_wording(&list),
                now.format("%Y-%m-%d %H:%M"),
                meta.ip_string().unwrap_or_else(|| "unknown".to_owned()),
            ),
            headers: MailHeaders::automatic(),
            sender_ip: meta.ip_string(),
        },
    )
    .await?;
    write
        .commit(
            AuditRecord::new(AuditKind::SubscriptionRequested)
                .about(member_id)
                .detail(format!("subscription {} to {}", subscription.id, list.slug)),
        )
        .await?;
    state.wake_mailer();
    Ok(())
}

/// Confirms the subscription whose link carries `token` (consent given). `NOT_FOUND` for a
/// token we did not send or one already used.
#[tracing::instrument(skip_all)]
pub async fn confirm(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    token: &str,
) -> Result<mailing_list::Model> {
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let subscription = db::newsletters::subscription_by_token(write.conn(), &token_hash(token.trim()))
        .await?
        .ok_or(Error::NotFound)?;
    let now = write.now();
    if !db::newsletters::confirm(write.conn(), subscription.id, now).await? {
        return Err(Error::NotFound);
    }
    record(write.conn(), &subscription, ConsentAction::Confirmed, meta, now).await?;
    let list = db::newsletters::lists_by_id(write.conn(), &[subscription.list_id])
        .await?
        .pop()
        .ok_or(Error::NotFound)?;
    write
        .commit(
            AuditRecord::new(AuditKind::SubscriptionConfirmed)
                .about(subscription.member_id)
                .detail(format!("subscription {} to {}", subscription.id, list.slug)),
        )
        .await?;
    Ok(list)
}

async fn record<C: sea_orm::ConnectionTrait>(
    conn: &C,
    subscription: &subscription::Model,
    action: ConsentAction,
    meta: &RequestMeta,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    db::newsletters::record_consent(
        conn,
        db::newsletters::NewConsent {
            subscription_id: subscription.id,
            action,
            at,
            ip: meta.ip_string(),
            user_agent: meta.user_agent.as_deref(),
            wording_version: WORDING_VERSION,
        },
    )
    .await?;
    Ok(())
}

/// The key of unsubscribe links: derived from the key-encryption key, so every server
/// makes and checks the same links and none is stored.
fn unsubscribe_mac(state: &AppState, subscription_id: i64) -> Hmac<Sha256> {
    let mut mac = crate::services::signing::link_mac(&state.settings.key_encryption_key, "cptn newsletter unsubscribe");
    mac.update(&subscription_id.to_be_bytes());
    mac
}

/// The token of subscription `id`'s one-click unsubscribe link.
pub fn unsubscribe_token(state: &AppState, id: i64) -> String {
    let tag = unsubscribe_mac(state, id).finalize().into_bytes();
    format!("{id}-{}", shared::hex::encode(&tag))
}

/// The one-click unsubscribe URL of subscription `id` (RFC 8058).
pub fn unsubscribe_url(state: &AppState, id: i64) -> String {
    format!(
        "{}/unsubscribe/{}",
        state.settings.public_url,
        unsubscribe_token(state, id)
    )
}

/// Unsubscribes the subscription `token` names (the link of a campaign message): no login,
/// no second step. Unsubscribing twice is fine; a token we did not make is `NOT_FOUND`.
#[tracing::instrument(skip_all)]
pub async fn unsubscribe(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    token: &str,
) -> Result<mailing_list::Model> {
    let (id, tag) = token.trim().split_once('-').ok_or(Error::NotFound)?;
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    let tag = shared::hex::decode(tag).ok_or(Error::NotFound)?;
    unsubscribe_mac(state, id)
        .verify_slice(&tag)
        .map_err(|_| Error::NotFound)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let subscription = db::newsletters::find_subscription(write.conn(), id)
        .await?
        .ok_or(Error::NotFound)?;
    let list = db::newsletters::lists_by_id(write.conn(), &[subscription.list_id])
        .await?
        .pop()
        .ok_or(Error::NotFound)?;
    let now = write.now();
    if db::newsletters::unsubscribe(write.conn(), id, now).await? {
        record(write.conn(), &subscription, ConsentAction::Unsubscribed, meta, now).await?;
    }
    write
        .commit(
            AuditRecord::new(AuditKind::Unsubscribed)
                .about(subscription.member_id)
                .detail(format!("subscription {id} to {}", list.slug)),
        )
        .await?;
    Ok(list)
}

/// A member's subscription with its list and consent records.
pub struct MySubscription {
    pub subscription: subscription::Model,
    pub list: mailing_list::Model,
    pub consent: Vec<consent_event::Model>,
    /// The link that unsubscribes it (the page, or one `POST`).
    pub unsubscribe_token: String,
}

/// The caller's subscriptions (their address's, or made while logged in) with their
/// consent history.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn my_subscriptions(state: &AppState, viewer: &Viewer) -> Result<Vec<MySubscription>> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?.member_id;
    let member = db::members::find_by_id(&state.db, me)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let subscriptions = db::newsletters::subscriptions_of(&state.db, &member.email, me).await?;
    let ids: Vec<i64> = subscriptions.iter().map(|s| s.id).collect();
    let list_ids: Vec<i64> = subscriptions.iter().map(|s| s.list_id).collect();
    let lists = db::newsletters::lists_by_id(&state.db, &list_ids).await?;
    let consent = db::newsletters::consent_of(&state.db, &ids).await?;
    Ok(subscriptions
        .into_iter()
        .filter_map(|subscription| {
            let list = lists.iter().find(|l| l.id == subscription.list_id)?.clone();
            let consent = consent
                .iter()
                .filter(|c| c.subscription_id == subscription.id)
                .cloned()
                .collect();
            let unsubscribe_token = unsubscribe_token(state, subscription.id);
            Some(MySubscription {
                subscription,
                list,
                consent,
                unsubscribe_token,
            })
        })
        .collect())
}
