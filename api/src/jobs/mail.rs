//! The `mail` job: sends due messages from the outbox (`services::mail`).

use super::{JobContext, JobReport};
use crate::error::Result;
use crate::services::mail;

pub async fn run(ctx: &JobContext, dry_run: bool) -> Result<JobReport> {
    let state = &ctx.state;
    // Another server may have rotated the mail key since the last run.
    state.keys.refresh(&ctx.db, crate::services::signing::MAIL).await?;
    let sender = mail::Sender {
        mailer: &state.mailer,
        keys: &state.keys,
        public_url: &state.settings.public_url,
        clock: state.clock.as_ref(),
        settings: &state.settings.mail,
    };
    let report = mail::deliver_due(&ctx.db, &sender, dry_run, &|| ctx.stop.is_cancelled()).await?;
    let mut lines = Vec::new();
    if dry_run {
        lines.push(format!(
            "{} message(s) due would be sent to {}",
            report.due,
            state.mailer.describe()
        ));
    } else if report.due > 0 {
        lines.push(format!(
            "{} sent, {} to retry, {} given up (of {} due)",
            report.sent, report.retried, report.given_up, report.due
        ));
    }
    Ok(JobReport { lines })
}
