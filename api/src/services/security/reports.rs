//! Vulnerability reports (P20): anyone may report (`report`), limited per address; the
//! reporter is told by e-mail that it arrived, how staff triaged it, and of a reward. An
//! accepted report whose reporter staff found acting in good faith (no malicious act in
//! the logs: `blocked_attempts` helps them look) earns a single-use 20% workshop coupon.
//! Reports are kept `CPTN_VULNERABILITY_REPORT_YEARS` (3) after receipt, then deleted by
//! the `retention` job with their attachment.

use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::db::coupons::NewCoupon;
use crate::db::security::NewReport;
use crate::error::{Error, Result};
use crate::page::{Page, PageRequest};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::mail::{self, Mail, MailHeaders, Recipient};
use crate::services::storage::FileKind;
use crate::state::AppState;
use entity::enums::{AuditKind, CouponKind, CouponScope, MessageKind, VulnerabilityReportStatus};
use entity::vulnerability_report;
use shared::validate::bounded_text;

/// The reward: percent off workshops, one use, valid a year.
pub const REWARD_PERCENT: i32 = 20;
const REWARD_VALID_DAYS: i64 = 365;

/// A report as the reporter writes it.
pub struct ReportInput {
    pub email: String,
    pub description: String,
    pub steps: String,
}

/// Anyone: files a report (with an optional attachment: PDF, PNG or JPEG up to 5 MiB) and
/// is sent an acknowledgement. Free text is stored as written (never inspected by the
/// tripwire, so an injection can be described); limited per IP.
#[tracing::instrument(skip_all)]
pub async fn report(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    input: ReportInput,
    attachment: Option<&[u8]>,
) -> Result<vulnerability_report::Model> {
    if let Some(ip) = meta.ip
        && let Err(retry_after) = state.report_limiter.check(&ip).await
    {
        return Err(Error::RateLimited { retry_after });
    }
    let email = shared::Email::parse("email", &input.email)?;
    let description = bounded_text("description", &input.description, 20_000, true, true)?;
    let steps = bounded_text("steps", &input.steps, 20_000, false, true)?;
    let stored = match attachment {
        Some(bytes) => Some(
            state
                .storage
                .save(FileKind::ReportAttachment, "attachment", bytes)
                .await?,
        ),
        None => None,
    };
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let report = db::security::insert(
        write.conn(),
        NewReport {
            reporter_email: email.as_str().to_owned(),
            description,
            steps,
            attachment: stored.as_ref().map(|f| f.name().to_owned()),
            reporter_ip: meta.ip_string(),
        },
        write.now(),
    )
    .await?;
    mail_reporter(
        write.conn(),
        write.now(),
        &report,
        format!("We received your security report #{}", report.id),
        format!(
            "Thank you for reporting a possible vulnerability to CPTN Network. Your report is #{}; \
                 our staff will look at it and write to you at this address when they have triaged it \
                 (accepted, a duplicate of one we know, or not a vulnerability).\n\n\
                 Accepted reports from people who acted in good faith earn a {REWARD_PERCENT}% workshop coupon: \
                 see SECURITY.md for the rules. Please do not share the details until we have fixed it.\n\n\
                 Received on {} UTC.\n",
            report.id,
            report.received_at.format("%Y-%m-%d %H:%M"),
        ),
        meta.ip_string(),
    )
    .await?;
    write
        .commit(AuditRecord::new(AuditKind::VulnerabilityReported).detail(format!("report {}", report.id)))
        .await?;
    if let Some(file) = stored {
        file.keep();
    }
    state.wake_mailer();
    Ok(report)
}

/// Queues a message to the reporter of `report` inside the caller's transaction.
async fn mail_reporter(
    conn: &sea_orm::DatabaseTransaction,
    now: chrono::DateTime<chrono::Utc>,
    report: &vulnerability_report::Model,
    subject: String,
    body: String,
    sender_ip: Option<String>,
) -> Result<()> {
    let to = shared::Email::parse("email", &report.reporter_email)
        .map_err(|_| Error::Unexpected(anyhow::anyhow!("report {} holds an invalid address", report.id)))?;
    mail::queue(
        conn,
        now,
        Mail {
            kind: MessageKind::VulnerabilityReport,
            to: Recipient::Address(to),
            subject,
            body,
            headers: MailHeaders::automatic(),
            sender_ip,
        },
    )
    .await?;
    Ok(())
}

/// Staff: reports, newest first, in `status` or all.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn reports(
    state: &AppState,
    viewer: &Viewer,
    status: Option<VulnerabilityReportStatus>,
    page: PageRequest<i64>,
) -> Result<Page<vulnerability_report::Model>> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let rows = db::security::list(&state.db, status, page.after, page.limit_plus_one()).await?;
    Ok(Page::from_rows(rows, page.first))
}

/// Staff: one report.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn report_by_id(state: &AppState, viewer: &Viewer, id: i64) -> Result<vulnerability_report::Model> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    db::security::find(&state.db, id).await?.ok_or(Error::NotFound)
}

/// Staff: how many requests from the report's address the tripwire refused (what staff
/// look at, with the audit trail, before confirming good faith).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn blocked_attempts(state: &AppState, viewer: &Viewer, report: &vulnerability_report::Model) -> Result<u64> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    match &report.reporter_ip {
        Some(ip) => Ok(db::security::blocked_attempts_from(&state.db, ip).await?),
        None => Ok(0),
    }
}

/// Staff: triages a report (accepted, duplicate or rejected, with a note for the
/// reporter), who is told by e-mail. A rewarded report's triage stands.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn triage(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    id: i64,
    status: VulnerabilityReportStatus,
    note: &str,
) -> Result<vulnerability_report::Model> {
    let me = authz::require(viewer, Audience::Staff, Subject::NOBODY)?.member_id;
    if status == VulnerabilityReportStatus::Received {
        return Err(Error::invalid(
            "status",
            "Triage a report as accepted, duplicate or rejected.",
        ));
    }
    let note = bounded_text("note", note, 4000, false, true)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let report = db::security::find(write.conn(), id).await?.ok_or(Error::NotFound)?;
    let note = (!note.is_empty()).then_some(note);
    if !db::security::triage(write.conn(), id, status, note.clone(), me, write.now()).await? {
        return Err(Error::Conflict {
            field: None,
            message: "This report was rewarded: its triage stands.".to_owned(),
        });
    }
    let outcome = match status {
        VulnerabilityReportStatus::Accepted => "accepted: it is a vulnerability, and we are fixing it",
        VulnerabilityReportStatus::Duplicate => "a duplicate: we already knew of this vulnerability",
        _ => "not accepted: we do not consider it a vulnerability of our service",
    };
    mail_reporter(
        write.conn(),
        write.now(),
        &report,
        format!("Your security report #{id}"),
        format!(
            "We triaged your security report #{id}: {outcome}.\n\n{}Thank you for writing to us.\n",
            note.as_deref().map(|n| format!("{n}\n\n")).unwrap_or_default()
        ),
        None,
    )
    .await?;
    write
        .commit(
            AuditRecord::new(AuditKind::VulnerabilityTriaged).detail(format!("report {id}: {}", status_name(status))),
        )
        .await?;
    state.wake_mailer();
    report_by_id(state, viewer, id).await
}

fn status_name(status: VulnerabilityReportStatus) -> &'static str {
    match status {
        VulnerabilityReportStatus::Received => "received",
        VulnerabilityReportStatus::Accepted => "accepted",
        VulnerabilityReportStatus::Duplicate => "duplicate",
        VulnerabilityReportStatus::Rejected => "rejected",
    }
}

/// Staff: rewards an accepted report's reporter with a single-use 20% workshop coupon,
/// e-mailed to them (bound to their account when the address is a member's). Staff must
/// confirm they found no malicious act by the reporter in the logs; once per report.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn reward(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    id: i64,
    no_malicious_activity_confirmed: bool,
) -> Result<(vulnerability_report::Model, entity::coupon::Model)> {
    let me = authz::require(viewer, Audience::Staff, Subject::NOBODY)?.member_id;
    if !no_malicious_activity_confirmed {
        return Err(Error::invalid(
            "noMaliciousActivityConfirmed",
            "Confirm that the logs show no malicious act by the reporter (look at the report's blocked attempts and the audit trail for its address).",
        ));
    }
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let report = db::security::find(write.conn(), id).await?.ok_or(Error::NotFound)?;
    if report.status != VulnerabilityReportStatus::Accepted {
        return Err(Error::Conflict {
            field: None,
            message: "Only an accepted report earns a reward.".to_owned(),
        });
    }
    let member = db::members::find_by_email(write.conn(), &report.reporter_email).await?;
    let code = format!("THANKS-{}", random_code());
    let coupon = db::coupons::insert(
        write.conn(),
        NewCoupon {
            code: code.clone(),
            kind: CouponKind::Percent,
            percent: Some(REWARD_PERCENT),
            amount_cents: None,
            scope: CouponScope::Workshops,
            course_id: None,
            max_uses: 1,
            expires_at: Some(write.now() + chrono::Duration::days(REWARD_VALID_DAYS)),
            member_id: member.as_ref().map(|m| m.id),
            description: format!("Reward for security report #{id}"),
            created_by: Some(me),
        },
        write.now(),
    )
    .await?;
    if !db::security::set_reward(write.conn(), id, coupon.id).await? {
        return Err(Error::Conflict {
            field: None,
            message: "This report was rewarded already.".to_owned(),
        });
    }
    mail_reporter(
        write.conn(),
        write.now(),
        &report,
        format!("A thank-you for security report #{id}"),
        format!(
            "Your report #{id} helped us make CPTN Network safer. As a thank-you, here is a coupon for \
                 {REWARD_PERCENT}% off one workshop, valid one use until {}:\n\n    {code}\n\n\
                 Enter it in your cart when you enrol in a workshop.\n",
            coupon
                .expires_at
                .map(|at| at.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        ),
        None,
    )
    .await?;
    write
        .commit(
            AuditRecord::new(AuditKind::VulnerabilityRewarded)
                .about(member.map(|m| m.id))
                .detail(format!("report {id}, coupon {}", coupon.id)),
        )
        .await?;
    state.wake_mailer();
    Ok((report_by_id(state, viewer, id).await?, coupon))
}

/// Staff: the code of the report's reward coupon, once rewarded.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn reward_code(
    state: &AppState,
    viewer: &Viewer,
    report: &vulnerability_report::Model,
) -> Result<Option<String>> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let Some(id) = report.coupon_id else {
        return Ok(None);
    };
    Ok(db::coupons::find(&state.db, id).await?.map(|c| c.code))
}

/// Eight characters of `A-Z` and `2-9` (no look-alikes).
fn random_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..8)
        .map(|_| char::from(ALPHABET[rand::random_range(0..ALPHABET.len())]))
        .collect()
}

/// The attachment of report `id` behind a signed link (staff).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn attachment_link(
    state: &AppState,
    viewer: &Viewer,
    report: &vulnerability_report::Model,
) -> Result<Option<String>> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    Ok(report.attachment.as_ref().map(|_| {
        crate::services::signing::signed_link(&state.settings.key_encryption_key, ATTACHMENT_LINKS, report.id)
    }))
}

/// What attachment links are signed for.
const ATTACHMENT_LINKS: &str = "/vulnerability-reports";

/// The attachment behind a signed link; `NOT_FOUND` for an expired, altered or unknown
/// link.
#[tracing::instrument(skip_all)]
pub async fn attachment(
    state: &AppState,
    id: i64,
    expires: i64,
    signature: &str,
) -> Result<(Vec<u8>, crate::services::storage::ContentType)> {
    if !crate::services::signing::link_holds(
        &state.settings.key_encryption_key,
        ATTACHMENT_LINKS,
        id,
        expires,
        signature,
    ) {
        return Err(Error::NotFound);
    }
    let report = db::security::find(&state.db, id).await?.ok_or(Error::NotFound)?;
    let name = report.attachment.ok_or(Error::NotFound)?;
    state
        .storage
        .read(FileKind::ReportAttachment, &name)
        .await?
        .ok_or(Error::NotFound)
}
