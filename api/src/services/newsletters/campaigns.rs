//! Campaigns: staff write a message for a list, preview it as a recipient will read it,
//! and queue it through the outbox to every confirmed address, each message with its own
//! one-click unsubscribe link (`List-Unsubscribe`, `List-Unsubscribe-Post`, RFC 8058).

use super::unsubscribe_url;
use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::error::{Error, Result};
use crate::page::{Page, PageRequest};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::mail::{self, Mail, MailHeaders, Recipient};
use crate::state::AppState;
use entity::enums::{AuditKind, MessageKind};
use entity::{campaign, mailing_list};
use shared::Email;

/// What staff write.
pub struct CampaignInput {
    pub list_slug: String,
    pub subject: String,
    pub body: String,
}

struct Checked {
    list: mailing_list::Model,
    subject: String,
    body: String,
}

async fn checked(state: &AppState, input: &CampaignInput) -> Result<Checked> {
    let subject = shared::validate::bounded_text("subject", &input.subject, 200, true, false)?;
    let body = shared::validate::bounded_text("body", &input.body, 50_000, true, true)?;
    let list = db::newsletters::list_by_slug(&state.db, input.list_slug.trim())
        .await?
        .filter(|l| l.retired_at.is_none())
        .ok_or_else(|| Error::invalid("listSlug", "No open list has this slug."))?;
    Ok(Checked { list, subject, body })
}

/// The message as `address` receives it: the text, then why they receive it and the
/// one-click link that ends it. Plain text: links stay as written, nothing tracks a read.
pub fn render(list: &mailing_list::Model, body: &str, address: &str, unsubscribe: &str) -> String {
    let on_behalf = list
        .partner_name
        .as_ref()
        .map(|p| format!(" We send it on behalf of {p}, who never receives your address."))
        .unwrap_or_default();
    format!(
        "{body}\n\n-- \nYou receive \"{name}\" because {address} subscribed to it and confirmed.{on_behalf}\nUnsubscribe with one click: {unsubscribe}\n",
        body = body.trim_end(),
        name = list.name,
    )
}

/// Staff: writes a new draft, or rewrites draft `id` (`CONFLICT` once queued).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn save(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    id: Option<i64>,
    input: CampaignInput,
) -> Result<campaign::Model> {
    let me = authz::require(viewer, Audience::Staff, Subject::NOBODY)?.member_id;
    let Checked { list, subject, body } = checked(state, &input).await?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let text = db::newsletters::CampaignText {
        list_id: list.id,
        subject: &subject,
        body: &body,
    };
    let id = match id {
        None => {
            db::newsletters::insert_campaign(write.conn(), text, me, write.now())
                .await?
                .id
        }
        Some(id) => {
            db::newsletters::find_campaign(write.conn(), id)
                .await?
                .ok_or(Error::NotFound)?;
            if !db::newsletters::update_draft(write.conn(), id, text, write.now()).await? {
                return Err(Error::Conflict {
                    field: None,
                    message: "This campaign was sent: write a new one.".to_owned(),
                });
            }
            id
        }
    };
    write
        .commit(AuditRecord::new(AuditKind::CampaignSaved).detail(format!("campaign {id} for {}", list.slug)))
        .await?;
    db::newsletters::find_campaign(&state.db, id)
        .await?
        .ok_or(Error::NotFound)
}

/// Staff: the message as a subscriber will read it (with a sample address and link).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn preview(state: &AppState, viewer: &Viewer, input: CampaignInput) -> Result<String> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let Checked { list, body, .. } = checked(state, &input).await?;
    let sample = format!("{}/unsubscribe/…", state.settings.public_url);
    Ok(render(&list, &body, "subscriber@example.org", &sample))
}

/// Staff: queues draft `id` to every confirmed address of its list, in one transaction
/// (all or none); `CONFLICT` when it was queued already.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn send(state: &AppState, viewer: &Viewer, meta: &RequestMeta, id: i64) -> Result<campaign::Model> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let campaign = db::newsletters::find_campaign(write.conn(), id)
        .await?
        .ok_or(Error::NotFound)?;
    let list = db::newsletters::lists_by_id(write.conn(), &[campaign.list_id])
        .await?
        .pop()
        .ok_or(Error::NotFound)?;
    let recipients = db::newsletters::confirmed_addresses(write.conn(), list.id).await?;
    let list_id = format!("<{}.lists.cptn-network>", list.slug);
    let mut mails = Vec::with_capacity(recipients.len());
    for (subscription, address) in &recipients {
        let Ok(email) = Email::parse("email", address) else {
            continue;
        };
        let url = unsubscribe_url(state, *subscription);
        mails.push(Mail {
            kind: MessageKind::Newsletter,
            to: Recipient::Address(email),
            subject: campaign.subject.clone(),
            body: render(&list, &campaign.body, address, &url),
            headers: MailHeaders {
                reply_to: None,
                other: vec![
                    ("List-Id".to_owned(), list_id.clone()),
                    ("List-Unsubscribe".to_owned(), format!("<{url}>")),
                    (
                        "List-Unsubscribe-Post".to_owned(),
                        "List-Unsubscribe=One-Click".to_owned(),
                    ),
                    ("Precedence".to_owned(), "bulk".to_owned()),
                ],
            },
            sender_ip: None,
        });
    }
    let now = write.now();
    let queued = mail::queue_many(write.conn(), now, mails).await?;
    let count = i32::try_from(queued).unwrap_or(i32::MAX);
    if !db::newsletters::mark_queued(write.conn(), id, count, now).await? {
        return Err(Error::Conflict {
            field: None,
            message: "This campaign was sent already.".to_owned(),
        });
    }
    write
        .commit(
            AuditRecord::new(AuditKind::CampaignQueued)
                .detail(format!("campaign {id} to {queued} addresses of {}", list.slug)),
        )
        .await?;
    state.wake_mailer();
    db::newsletters::find_campaign(&state.db, id)
        .await?
        .ok_or(Error::NotFound)
}

/// Staff: campaigns, newest first.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn campaigns(state: &AppState, viewer: &Viewer, request: PageRequest<i64>) -> Result<Page<campaign::Model>> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let rows = db::newsletters::campaigns(&state.db, request.after, request.limit_plus_one()).await?;
    Ok(Page::from_rows(rows, request.first))
}

/// The list a campaign goes to.
#[tracing::instrument(skip_all)]
pub async fn list_of(state: &AppState, campaign: &campaign::Model) -> Result<mailing_list::Model> {
    db::newsletters::lists_by_id(&state.db, &[campaign.list_id])
        .await?
        .pop()
        .ok_or(Error::NotFound)
}
