//! The `reminders` job: renewal reminders before expiry, each once per cycle
//! (`services::certification::reminders`).

use super::{JobContext, JobReport};
use crate::error::Result;
use crate::services::certification::reminders::send_due;

pub async fn run(ctx: &JobContext, dry_run: bool) -> Result<JobReport> {
    let done = send_due(&ctx.db, &ctx.state, dry_run).await?;
    if !dry_run && done.sent > 0 {
        ctx.state.wake_mailer();
    }
    let verb = if dry_run { "would send" } else { "sent" };
    let lines = if dry_run || done.sent > 0 {
        vec![format!(
            "renewal reminders: {verb} {}, passed over {} that a late run found overtaken",
            done.sent, done.skipped
        )]
    } else {
        Vec::new()
    };
    Ok(JobReport { lines })
}
