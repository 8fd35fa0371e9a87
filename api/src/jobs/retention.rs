//! The `retention` job: applies every retention period (`services::privacy::retention`
//! lists them): wipes expired members to tombstones and deletes tombstones, unconfirmed and
//! long-inactive accounts, long-disabled profiles and old petition evidence; flags overdue
//! data requests; deletes sent (and given-up) e-mail after `CPTN_MAIL_RETENTION_DAYS` (the
//! outbox rows, and the `.eml` files of the mail folder), confirmation links a week after
//! they were used or expired, and after `CPTN_LOG_RETENTION_MONTHS` the access log, page
//! views and ended sessions (deleted) and the IP and user agent of other audit rows
//! (replaced by a marker, the row kept). Its report (and `--dry-run`'s) is one line per
//! rule with counts, never personal data.

use super::{JobContext, JobReport};
use crate::error::Result;
use crate::services::privacy::retention;
use crate::services::storage::FileKind;
use crate::{db, services::mail};

/// Spent confirmation links are kept this long (to tell "already used" from "unknown").
const SPENT_LINKS_KEPT: chrono::Duration = chrono::Duration::days(7);

pub async fn run(ctx: &JobContext, dry_run: bool) -> Result<JobReport> {
    let state = &ctx.state;
    let now = state.clock.now();
    let mut lines = Vec::new();
    if dry_run {
        lines.push("dry run: nothing changed; each count is what a run now would do".to_owned());
    }
    let mut line = |rule: String, counts: &[(u64, &str)]| {
        if dry_run || counts.iter().any(|(n, _)| *n > 0) {
            let counts: Vec<String> = counts.iter().map(|(n, what)| format!("{n} {what}")).collect();
            lines.push(format!("{rule}: {}", counts.join(", ")));
        }
    };
    for outcome in retention::apply(&ctx.db, state, dry_run).await? {
        line(outcome.rule, &[(outcome.count, outcome.what)]);
    }

    let months = state.settings.retention.log_months;
    let logs_before = now.checked_sub_months(chrono::Months::new(months)).unwrap_or(now);
    let access_rows = db::access_log::before(&ctx.db, logs_before, !dry_run).await?;
    let page_views = db::audit::page_views_before(&ctx.db, logs_before, !dry_run).await?;
    let sessions = db::privacy::sessions_ended_before(&ctx.db, logs_before, !dry_run).await?;
    let addresses = db::audit::addresses_before(&ctx.db, logs_before, !dry_run).await?;
    line(
        format!("access log, page views and sessions after {months} months"),
        &[
            (access_rows, "requests deleted"),
            (page_views, "page views deleted"),
            (sessions, "ended sessions deleted"),
        ],
    );
    line(
        format!("audit IP addresses and user agents after {months} months"),
        &[(addresses, "rows masked")],
    );

    let days = state.settings.retention.unconfirmed_days;
    let unconfirmed =
        db::newsletters::pending_before(&ctx.db, now - chrono::Duration::days(i64::from(days)), !dry_run).await?;
    line(
        format!("unconfirmed newsletter subscriptions after {days} days"),
        &[(unconfirmed, "subscriptions deleted")],
    );

    let expired = db::privacy::expired_exports(&ctx.db, now, !dry_run).await?;
    if !dry_run {
        for export in &expired {
            state.storage.remove(FileKind::DataExport, &export.file).await;
        }
    }
    line(
        "data export archives after 24 hours".to_owned(),
        &[(expired.len() as u64, "archives deleted")],
    );

    let retention = state.settings.mail.retention;
    let messages = mail::purge_finished(&ctx.db, now, retention, dry_run).await?;
    let files = mail::purge_mail_folder(&state.mailer, now, retention, dry_run).await?;
    let mut mail_counts = vec![(messages, "messages deleted")];
    if state.mailer.folder().is_some() {
        mail_counts.push((files, "mail folder files deleted"));
    }
    line(
        format!("sent e-mail after {} days", retention.as_secs() / 86_400),
        &mail_counts,
    );

    let links_before = now - SPENT_LINKS_KEPT;
    let spent = if dry_run {
        db::confirmations::count_spent_before(&ctx.db, links_before).await?
    } else {
        db::confirmations::delete_spent_before(&ctx.db, links_before).await?
    };
    line(
        "spent confirmation links after 7 days".to_owned(),
        &[(spent, "links deleted")],
    );
    Ok(JobReport { lines })
}
