//! The `files` job: removes uploaded files that no row names, older than
//! [`ORPHAN_GRACE`](crate::services::storage::ORPHAN_GRACE) (a save may still be on its way
//! to commit), and temporary files a crash left. Such files appear only when a server stops
//! between writing a file and committing the row that names it, or fails to remove a
//! replaced one.

use super::{JobContext, JobReport};
use crate::db;
use crate::error::Result;
use crate::services::storage::{FileKind, ORPHAN_GRACE, is_temporary};
use std::time::SystemTime;

pub async fn run(ctx: &JobContext, dry_run: bool) -> Result<JobReport> {
    let storage = &ctx.state.storage;
    // File times are the file system's, not the state's clock: the grace is about real
    // saves in flight.
    let before = SystemTime::now() - ORPHAN_GRACE;
    let verb = if dry_run { "would remove" } else { "removed" };
    let mut lines = Vec::new();
    for kind in FileKind::ALL {
        let (temporary, stored): (Vec<String>, Vec<String>) = storage
            .files_older_than(kind, before)
            .await?
            .into_iter()
            .partition(|name| is_temporary(name));
        let in_use = match kind {
            FileKind::ProfilePhoto => db::profiles::photos_in_use(&ctx.db, &stored).await?,
            FileKind::PetitionEvidence => db::petitions::evidence_in_use(&ctx.db, &stored).await?,
            FileKind::DataExport => db::privacy::exports_in_use(&ctx.db, &stored).await?,
            FileKind::ReportAttachment => db::security::attachments_in_use(&ctx.db, &stored).await?,
        };
        let orphans: Vec<&String> = stored.iter().filter(|name| !in_use.contains(*name)).collect();
        if !dry_run {
            for name in &orphans {
                storage.remove(kind, name).await;
            }
            for name in &temporary {
                storage.remove_temporary(kind, name).await;
            }
        }
        if dry_run || !orphans.is_empty() || !temporary.is_empty() {
            lines.push(format!(
                "{}: {verb} {} files no row names and {} unfinished uploads",
                kind.folder(),
                orphans.len(),
                temporary.len()
            ));
        }
    }
    Ok(JobReport { lines })
}
