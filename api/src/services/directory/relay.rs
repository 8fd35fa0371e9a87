//! The contact relay (P4, P13): a visitor writes to a trainer without learning their
//! address; the message carries the sender's IP.

use crate::auth::{RequestMeta, Viewer};
use crate::db;
use crate::error::{Error, Result};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::mail::{self, Mail, MailHeaders, NamedAddress, Recipient};
use crate::state::AppState;
use entity::enums::{AuditKind, MessageKind};
use shared::Email;
use shared::validate::bounded_text;

/// A visitor's message to a trainer.
pub struct ContactMessage {
    pub profile_slug: String,
    pub sender_name: String,
    pub sender_email: String,
    pub message: String,
}

/// Queues a message to the trainer at `profile_slug` for relay by e-mail, with the
/// visitor's address as `Reply-To` and their IP in the message (P13). The answer never
/// contains the trainer's address (P4).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn contact_trainer(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    input: ContactMessage,
) -> Result<()> {
    if let Some(ip) = meta.ip
        && let Err(retry_after) = state.contact_limiter.check(&ip).await
    {
        return Err(Error::RateLimited { retry_after });
    }
    let sender_name = bounded_text("senderName", &input.sender_name, 120, true, false)?;
    let sender_email = Email::parse("senderEmail", &input.sender_email)?;
    let message = bounded_text("message", &input.message, 5000, true, true)?;
    let recipient = db::profiles::active_member_by_slug(&state.db, input.profile_slug.trim())
        .await?
        .ok_or(Error::NotFound)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let body = format!(
        "{sender_name} wrote to you through your profile in the CPTN Network directory:\n\n\
         {message}\n\n\
         -- \n\
         Reply to this e-mail to answer {sender_name} at {address}. They have not seen your \
         e-mail address; they will when you reply.\n\
         Sent from IP address {ip} on {when} UTC.\n",
        address = sender_email.as_str(),
        ip = meta.ip_string().unwrap_or_else(|| "unknown".to_owned()),
        when = write.now().format("%Y-%m-%d %H:%M"),
    );
    let message_id = mail::queue(
        write.conn(),
        write.now(),
        Mail {
            kind: MessageKind::ContactRelay,
            to: Recipient::Member(recipient),
            subject: format!("CPTN Network: a message from {sender_name}"),
            body,
            headers: MailHeaders {
                reply_to: Some(NamedAddress {
                    name: Some(sender_name.clone()),
                    address: sender_email.into_inner(),
                }),
                other: Vec::new(),
            },
            sender_ip: meta.ip_string(),
        },
    )
    .await?;
    write
        .commit(
            AuditRecord::new(AuditKind::TrainerContacted)
                .about(recipient)
                .detail(format!("outbox message {message_id}")),
        )
        .await?;
    state.wake_mailer();
    Ok(())
}
