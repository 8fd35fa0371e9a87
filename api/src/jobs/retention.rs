//! The `retention` job: deletes what is kept no longer. Today: sent (and given-up) e-mail
//! after `CPTN_MAIL_RETENTION_DAYS` (the outbox rows, and the `.eml` files of the mail
//! folder), confirmation links a week after they were used or expired, and after
//! `CPTN_LOG_RETENTION_MONTHS` the access log and page views (deleted) and the IP and user
//! agent of other audit rows (replaced by a marker, the row kept).

use super::{JobContext, JobReport};
use crate::error::Result;
use crate::{db, services::mail};

/// Spent confirmation links are kept this long (to tell "already used" from "unknown").
const SPENT_LINKS_KEPT: chrono::Duration = chrono::Duration::days(7);

pub async fn run(ctx: &JobContext, dry_run: bool) -> Result<JobReport> {
    let state = &ctx.state;
    let now = state.clock.now();
    let verb = if dry_run { "would delete" } else { "deleted" };
    let messages = mail::purge_finished(&ctx.db, now, state.settings.mail.retention, dry_run).await?;
    let files = mail::purge_mail_folder(&state.mailer, now, state.settings.mail.retention, dry_run).await?;
    let links_before = now - SPENT_LINKS_KEPT;
    let links = if dry_run {
        db::confirmations::count_spent_before(&ctx.db, links_before).await?
    } else {
        db::confirmations::delete_spent_before(&ctx.db, links_before).await?
    };
    let months = state.settings.retention.log_months;
    let logs_before = now.checked_sub_months(chrono::Months::new(months)).unwrap_or(now);
    let access_rows = db::access_log::before(&ctx.db, logs_before, !dry_run).await?;
    let page_views = db::audit::page_views_before(&ctx.db, logs_before, !dry_run).await?;
    let addresses = db::audit::addresses_before(&ctx.db, logs_before, !dry_run).await?;
    let mut report = Vec::new();
    if dry_run || access_rows > 0 || page_views > 0 {
        report.push(format!(
            "access log and page views older than {months} months: {verb} {access_rows} requests and {page_views} page views"
        ));
    }
    if dry_run || addresses > 0 {
        let masked = if dry_run { "would mask" } else { "masked" };
        report.push(format!(
            "IP addresses and user agents in older audit rows: {masked} {addresses}"
        ));
    }
    if dry_run || messages > 0 {
        report.push(format!(
            "sent e-mail older than {} days: {verb} {messages}",
            state.settings.mail.retention.as_secs() / 86_400
        ));
    }
    if state.mailer.folder().is_some() && (dry_run || files > 0) {
        report.push(format!("mail folder files older than that: {verb} {files}"));
    }
    if dry_run || links > 0 {
        report.push(format!("spent confirmation links: {verb} {links}"));
    }
    Ok(JobReport { lines: report })
}
