//! The daily `certification` job: moves the directory's copy of each member's
//! certification status as dates pass (certified -> grace -> expired), so that profiles and
//! search show the status the rules give today.

use super::{JobContext, JobReport};
use crate::error::Result;
use crate::services::certification::cycles::refresh_all_directory_statuses;

pub async fn run(ctx: &JobContext, dry_run: bool) -> Result<JobReport> {
    let changed = refresh_all_directory_statuses(&ctx.db, &ctx.state, dry_run).await?;
    let verb = if dry_run { "would change" } else { "changed" };
    let lines = if dry_run || changed > 0 {
        vec![format!("directory certification statuses: {verb} {changed}")]
    } else {
        Vec::new()
    };
    Ok(JobReport { lines })
}
