//! Outgoing e-mail, through one outbox (P4, P13; the base of P15 and P17).
//!
//! A domain that sends mail calls [`queue`] inside the transaction of the change that
//! causes it, so the message exists exactly when the change does; the `mail` job
//! ([`deliver_due`]) sends it later with lettre, over SMTP when `CPTN_SMTP_URL` is set and
//! otherwise as an `.eml` file under `<data dir>/mail/`. A failed attempt is retried with
//! exponential backoff. An attempt is marked as started before the message goes out, so a
//! crash between sending and marking it sent may send it twice but never loses it.
//!
//! A message to a member names the member: their address is read only when it is sent,
//! and never appears in anything a visitor receives.

use crate::clock::Clock;
use crate::config::MailSettings;
use crate::db;
use crate::error::{Error, Result};
use crate::services::mail_signature::{SignedMail, signed_body};
use chrono::{DateTime, Timelike as _, Utc};
use entity::enums::MessageKind;
use futures_util::StreamExt as _;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use shared::Email;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Who a message goes to.
#[derive(Clone, Debug)]
pub enum Recipient {
    /// A member, at whatever address their record holds when the message is sent.
    Member(i64),
    /// Someone without an account.
    Address(Email),
}

/// A name and address, e.g. for `Reply-To`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedAddress {
    pub name: Option<String>,
    pub address: String,
}

/// The headers of a message beyond `From`, `To`, `Subject` and `Date`, as stored in the
/// outbox (JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailHeaders {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<NamedAddress>,
    /// Other headers as `[name, value]`, e.g. `Auto-Submitted`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other: Vec<(String, String)>,
}

impl MailHeaders {
    /// Headers of mail the system sends on its own (RFC 3834: no auto-replies to it).
    pub fn automatic() -> Self {
        Self {
            reply_to: None,
            other: vec![("Auto-Submitted".to_owned(), "auto-generated".to_owned())],
        }
    }
}

/// A message to queue.
#[derive(Clone, Debug)]
pub struct Mail {
    pub kind: MessageKind,
    pub to: Recipient,
    pub subject: String,
    pub body: String,
    pub headers: MailHeaders,
    /// The IP address of the request that caused it (P13).
    pub sender_ip: Option<String>,
}

/// Queues `mail` on `conn`: pass the transaction of the change that causes it. Wake the
/// sender (`AppState::wake_mailer`) after committing.
pub async fn queue<C: ConnectionTrait>(conn: &C, now: DateTime<Utc>, mail: Mail) -> Result<i64> {
    let (recipient_member_id, recipient_address) = match mail.to {
        Recipient::Member(id) => (Some(id), None),
        Recipient::Address(email) => (None, Some(email.into_inner())),
    };
    let headers = serde_json::to_string(&mail.headers).map_err(anyhow::Error::from)?;
    let row = db::outbox::insert(
        conn,
        db::outbox::NewMessage {
            kind: mail.kind,
            recipient_member_id,
            recipient_address,
            subject: mail.subject.chars().take(200).collect(),
            headers,
            body: mail.body,
            sender_ip: mail.sender_ip,
            now,
        },
    )
    .await?;
    Ok(row.id)
}

/// Queues many messages at once (a newsletter campaign's) on `conn`, inside the change's
/// transaction; their count.
pub async fn queue_many<C: ConnectionTrait>(conn: &C, now: DateTime<Utc>, mails: Vec<Mail>) -> Result<u64> {
    let mut rows = Vec::with_capacity(mails.len());
    for mail in mails {
        let (recipient_member_id, recipient_address) = match mail.to {
            Recipient::Member(id) => (Some(id), None),
            Recipient::Address(email) => (None, Some(email.into_inner())),
        };
        rows.push(db::outbox::NewMessage {
            kind: mail.kind,
            recipient_member_id,
            recipient_address,
            subject: mail.subject,
            headers: serde_json::to_string(&mail.headers).map_err(anyhow::Error::from)?,
            body: mail.body,
            sender_ip: mail.sender_ip,
            now,
        });
    }
    Ok(db::outbox::insert_many(conn, rows).await?)
}

/// Where mail goes: an SMTP server, or a folder of `.eml` files.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// Why one attempt failed.
#[derive(Debug)]
pub struct SendFailure {
    /// True when trying again cannot help (the server refused the message for good, or
    /// the stored message cannot be built).
    pub permanent: bool,
    /// What to record as the message's last error. Never holds credentials.
    pub reason: String,
}

impl Mailer {
    /// The transport the settings name. Fails on a malformed `CPTN_SMTP_URL` or `From`.
    pub fn new(settings: &MailSettings, data_dir: &Path) -> anyhow::Result<Self> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("CPTN_MAIL_FROM is not an address: {e}"))?;
        let transport = if let Some(url) = &settings.smtp_url {
            // The error names what is wrong with the URL, never the URL (it may hold a
            // password).
            let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                .map_err(|e| anyhow::anyhow!("CPTN_SMTP_URL is not usable: {e}"))?;
            Transport::Smtp(builder.timeout(Some(Duration::from_secs(30))).build())
        } else {
            let folder = data_dir.join("mail");
            Transport::Folder(AsyncFileTransport::<Tokio1Executor>::new(&folder), folder)
        };
        Ok(Self { transport, from })
    }

    /// The folder of `.eml` files, when mail goes there.
    pub fn folder(&self) -> Option<&Path> {
        match &self.transport {
            Transport::Folder(_, folder) => Some(folder),
            Transport::Smtp(_) => None,
        }
    }

    /// Where messages go, for the log (no credentials).
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "the SMTP server of CPTN_SMTP_URL".to_owned(),
            Transport::Folder(_, folder) => format!(".eml files in {}", folder.display()),
        }
    }

    /// Builds and sends one message to `to`.
    async fn send(&self, to: &str, mail: &SignedMail, headers: &MailHeaders, body: String) -> Result<(), SendFailure> {
        let subject = mail.subject.as_str();
        let permanent = |reason: String| SendFailure {
            permanent: true,
            reason,
        };
        let to: Mailbox = to
            .parse()
            .map_err(|e| permanent(format!("the recipient address is not valid: {e}")))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .date(std::time::SystemTime::from(mail.date))
            .message_id(None)
            .header(ContentType::TEXT_PLAIN);
        if let Some(reply_to) = &headers.reply_to {
            let address = reply_to
                .address
                .parse()
                .map_err(|e| permanent(format!("the Reply-To address is not valid: {e}")))?;
            builder = builder.reply_to(Mailbox::new(reply_to.name.clone(), address));
        }
        for (name, value) in &headers.other {
            let name = HeaderName::new_from_ascii(name.clone())
                .map_err(|e| permanent(format!("the header name {name:?} is not valid: {e}")))?;
            builder = builder.raw_header(HeaderValue::new(name, value.clone()));
        }
        let message = builder
            .body(body)
            .map_err(|e| permanent(format!("the message cannot be built: {e}")))?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(message).await.map(drop).map_err(|e| SendFailure {
                permanent: e.is_permanent(),
                // A mail server's answer often repeats the recipient's address; it goes
                // to the log and the outbox row without it.
                reason: without_addresses(&e.to_string()),
            }),
            Transport::Folder(files, folder) => {
                tokio::fs::create_dir_all(folder).await.map_err(|e| SendFailure {
                    permanent: false,
                    reason: format!("creating {}: {e}", folder.display()),
                })?;
                files.send(message).await.map(drop).map_err(|e| SendFailure {
                    permanent: false,
                    reason: e.to_string(),
                })
            }
        }
    }
}

/// `text` with every word that holds an `@` replaced by `<address>`.
pub fn without_addresses(text: &str) -> String {
    text.split(' ')
        .map(|word| if word.contains('@') { "<address>" } else { word })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What one run of the sender did (or, dry, would do).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Messages due when the run started.
    pub due: usize,
    pub sent: usize,
    /// Failed attempts that will be tried again.
    pub retried: usize,
    /// Messages given up on.
    pub given_up: usize,
}

/// Messages read at a time.
const BATCH: u64 = 100;
/// Messages sent at once (over as many SMTP connections of the pool).
const CONCURRENT_SENDS: usize = 8;
/// Messages one run sends at most; a larger backlog waits for the next run (five seconds).
const MAX_PER_RUN: usize = 5_000;
/// An attempt that has not finished after this is presumed lost (its sender died).
const ATTEMPT_LEASE: chrono::Duration = chrono::Duration::minutes(10);

/// How long to wait after the `attempts`-th failed attempt: a minute, doubling, at most
/// six hours.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1)).unwrap_or(0).min(9);
    (chrono::Duration::minutes(1) * 2_i32.pow(doublings)).min(chrono::Duration::hours(6))
}

/// What sends mail: the transport, the signing keys, and what the messages name.
pub struct Sender<'a> {
    pub mailer: &'a Mailer,
    pub keys: &'a crate::services::signing::KeyRing,
    /// Where the signature check lives (`CPTN_PUBLIC_URL`).
    pub public_url: &'a str,
    pub clock: &'a dyn Clock,
    pub settings: &'a MailSettings,
}

/// Sends due messages, [`BATCH`] at a time, until none is due or [`MAX_PER_RUN`] went
/// (a campaign's thousands drain over a few runs). With `dry_run`, only counts the first
/// batch. Stops between two messages once `stopping()` says so (shutdown); the rest wait
/// for the next run.
pub async fn deliver_due(
    db: &DatabaseConnection,
    sender: &Sender<'_>,
    dry_run: bool,
    stopping: &(dyn Fn() -> bool + Sync),
) -> Result<DeliveryReport> {
    let clock = sender.clock;
    let mut report = DeliveryReport::default();
    while report.due < MAX_PER_RUN && !stopping() {
        let due = db::outbox::due(db, clock.now(), BATCH).await?;
        if due.is_empty() {
            break;
        }
        report.due += due.len();
        if dry_run {
            break;
        }
        // A few at once: each message waits on the mail server's answers, not on us.
        let attempts: Vec<Result<Attempt>> = futures_util::stream::iter(due)
            .map(|message| async move {
                if stopping() {
                    return Ok(Attempt::Taken);
                }
                attempt(db, sender, message).await
            })
            .buffer_unordered(CONCURRENT_SENDS)
            .collect()
            .await;
        for outcome in attempts {
            match outcome? {
                Attempt::Sent => report.sent += 1,
                Attempt::Retried => report.retried += 1,
                Attempt::GivenUp => report.given_up += 1,
                Attempt::Taken => {}
            }
        }
    }
    Ok(report)
}

/// What one attempt at a message came to.
enum Attempt {
    Sent,
    Retried,
    GivenUp,
    /// Another sender had claimed it (or we are stopping).
    Taken,
}

/// Claims `message`, sends it (signed), and records the outcome.
async fn attempt(
    db: &DatabaseConnection,
    sender: &Sender<'_>,
    message: entity::outbox_message::Model,
) -> Result<Attempt> {
    let Sender {
        mailer,
        keys,
        public_url,
        clock,
        settings,
    } = *sender;
    let now = clock.now();
    if !db::outbox::claim(db, message.id, now, now + ATTEMPT_LEASE).await? {
        return Ok(Attempt::Taken);
    }
    let attempts = message.attempts + 1;
    let outcome = match recipient_address(db, &message).await? {
        Some(address) => match serde_json::from_str::<MailHeaders>(&message.headers) {
            Ok(headers) => {
                let signed = SignedMail {
                    from: mailer.from.to_string(),
                    to: address.clone(),
                    // Whole seconds: the Date header carries no more.
                    date: clock.now().with_nanosecond(0).unwrap_or_else(|| clock.now()),
                    subject: message.subject.clone(),
                    body: message.body.clone(),
                };
                let body = signed_body(keys, public_url, &signed)?.unwrap_or_else(|| message.body.clone());
                mailer.send(&address, &signed, &headers, body).await
            }
            // Sent without them, a relayed message would lose its Reply-To.
            Err(e) => Err(SendFailure {
                permanent: true,
                reason: format!("the stored headers cannot be read: {e}"),
            }),
        },
        None => Err(SendFailure {
            permanent: true,
            reason: "the recipient no longer has an address".to_owned(),
        }),
    };
    match outcome {
        Ok(()) => {
            db::outbox::mark_sent(db, message.id, clock.now()).await?;
            Ok(Attempt::Sent)
        }
        Err(failure) => {
            let give_up = failure.permanent || attempts >= settings.max_attempts;
            let retry_at = (!give_up).then(|| clock.now() + backoff(attempts));
            tracing::warn!(
                message = message.id,
                attempts,
                give_up,
                reason = %failure.reason,
                "sending an e-mail failed"
            );
            db::outbox::mark_failed(db, message.id, &failure.reason, retry_at).await?;
            Ok(if give_up { Attempt::GivenUp } else { Attempt::Retried })
        }
    }
}

/// The address a queued message goes to now.
async fn recipient_address<C: ConnectionTrait>(
    conn: &C,
    message: &entity::outbox_message::Model,
) -> Result<Option<String>> {
    if let Some(address) = &message.recipient_address {
        return Ok(Some(address.clone()));
    }
    let Some(member_id) = message.recipient_member_id else {
        return Ok(None);
    };
    Ok(db::members::find_by_id(conn, member_id)
        .await?
        .map(|m| m.email)
        // A wiped account keeps a placeholder under the reserved `.invalid` domain.
        .filter(|e| !e.is_empty() && !e.ends_with(".invalid")))
}

/// Deletes messages sent (or given up on) longer ago than the retention period; with
/// `dry_run`, only counts them.
pub async fn purge_finished(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    retention: Duration,
    dry_run: bool,
) -> Result<u64> {
    let retention = chrono::Duration::from_std(retention).map_err(|e| Error::Unexpected(e.into()))?;
    let before = now - retention;
    Ok(if dry_run {
        db::outbox::count_finished_before(db, before).await?
    } else {
        db::outbox::delete_finished_before(db, before).await?
    })
}

/// Deletes the `.eml` files of the mail folder written longer ago than the retention
/// period (they hold what the outbox rows held); with `dry_run`, only counts them.
pub async fn purge_mail_folder(mailer: &Mailer, now: DateTime<Utc>, retention: Duration, dry_run: bool) -> Result<u64> {
    let Some(folder) = mailer.folder() else {
        return Ok(0);
    };
    let retention = chrono::Duration::from_std(retention).map_err(|e| Error::Unexpected(e.into()))?;
    let before = now - retention;
    let mut entries = match tokio::fs::read_dir(folder).await {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(Error::Unexpected(anyhow::anyhow!("reading {}: {e}", folder.display()))),
    };
    let mut count = 0;
    while let Some(entry) = entries
        .next_entry()
        .await
        .map_err(|e| Error::Unexpected(anyhow::anyhow!("reading {}: {e}", folder.display())))?
    {
        let path = entry.path();
        // Only the folder's own files (no directory, no link followed).
        let Ok(metadata) = entry.metadata().await else {
            continue;
        };
        let written = metadata.modified().map(DateTime::<Utc>::from);
        let is_old_mail =
            metadata.is_file() && path.extension().is_some_and(|e| e == "eml") && written.is_ok_and(|at| at < before);
        if !is_old_mail {
            continue;
        }
        count += 1;
        if dry_run {
            continue;
        }
        match tokio::fs::remove_file(&path).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            // One file that will not go must not keep the others (or the next rule) back.
            Err(e) => tracing::warn!(file = %path.display(), error = %e, "an old mail file could not be removed"),
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_six_hours() {
        assert_eq!(backoff(1), chrono::Duration::minutes(1));
        assert_eq!(backoff(2), chrono::Duration::minutes(2));
        assert_eq!(backoff(4), chrono::Duration::minutes(8));
        assert_eq!(backoff(9), chrono::Duration::minutes(256));
        assert_eq!(backoff(10), chrono::Duration::hours(6));
        assert_eq!(backoff(100), chrono::Duration::hours(6));
    }

    #[test]
    fn failures_are_kept_without_addresses() {
        assert_eq!(
            without_addresses("permanent error (550): 5.1.1 <bob@example.org>: Recipient address rejected"),
            "permanent error (550): 5.1.1 <address> Recipient address rejected"
        );
    }

    #[test]
    fn headers_survive_the_outbox() -> anyhow::Result<()> {
        let headers = MailHeaders {
            reply_to: Some(NamedAddress {
                name: Some("Chloé \"C\" Tremblay".to_owned()),
                address: "chloe@example.org".to_owned(),
            }),
            other: vec![("Auto-Submitted".to_owned(), "auto-generated".to_owned())],
        };
        let stored = serde_json::to_string(&headers)?;
        assert_eq!(serde_json::from_str::<MailHeaders>(&stored)?, headers);
        Ok(())
    }
}
