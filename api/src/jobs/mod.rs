//! Background jobs: named, idempotent pieces of work that run on a schedule inside
//! `cptn serve` and on demand with `cptn jobs run NAME [--dry-run]`.
//!
//! - Each run of a job happens on one server only, even when several share a database:
//!   the run takes the job's lease row first (`db::jobs::try_acquire`, one conditional
//!   upsert on both engines) and hands it back with the time of the next run. A server that
//!   dies mid-run loses its lease when it lapses.
//! - Time comes from the state's clock, so tests travel in time.
//! - Jobs run on a connection pool of their own (`JobContext::db`): their statements never
//!   wait behind requests, nor count as theirs.
//! - On shutdown the scheduler stops starting runs; a running one finishes and hands its
//!   lease back ([`Scheduler::shutdown`]).
//!
//! Per-server workers that need no lease (the access-log writer) use the same start and
//! shutdown machinery, `Workers` in `startup`.

pub mod certification;
pub mod files;
pub mod mail;
pub mod orders;
pub mod reminders;
pub mod retention;

use crate::error::Result;
use crate::state::AppState;
use sea_orm::{DatabaseConnection, EnumIter, Iterable};
use std::fmt;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The jobs there are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter)]
pub enum JobName {
    /// Sends due messages from the outbox.
    Mail,
    /// Deletes what the retention settings say is kept no longer.
    Retention,
    /// Removes uploaded files no row names.
    Files,
    /// Moves the directory's certification statuses as dates pass.
    Certification,
    /// E-mails renewal reminders before expiry.
    Reminders,
    /// Expires lapsed orders, retries refunds, applies stray Stripe events, shreds keyed
    /// orders.
    Orders,
}

impl JobName {
    pub const fn as_str(self) -> &'static str {
        match self {
            JobName::Mail => "mail",
            JobName::Retention => "retention",
            JobName::Files => "files",
            JobName::Certification => "certification",
            JobName::Reminders => "reminders",
            JobName::Orders => "orders",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::iter().find(|job| job.as_str() == name)
    }

    /// How often it runs.
    pub const fn every(self) -> Duration {
        match self {
            // Also woken at once whenever a message is queued.
            JobName::Mail => Duration::from_secs(5),
            JobName::Retention | JobName::Files | JobName::Reminders => Duration::from_hours(1),
            JobName::Certification => Duration::from_hours(24),
            JobName::Orders => Duration::from_mins(1),
        }
    }

    /// The longest a run may take before another server may presume it dead.
    pub const fn lease(self) -> Duration {
        match self {
            JobName::Mail | JobName::Orders => Duration::from_mins(5),
            JobName::Retention | JobName::Files | JobName::Certification | JobName::Reminders => {
                Duration::from_mins(30)
            }
        }
    }

    /// What it does, for `cptn jobs list`.
    pub const fn describe(self) -> &'static str {
        match self {
            JobName::Mail => "sends due e-mail from the outbox, retrying failures with backoff",
            JobName::Retention => {
                "applies every retention period: wipes expired members to tombstones, purges tombstones, unconfirmed and inactive accounts, disabled profiles and old evidence, flags overdue data requests, deletes old logs, sessions, mail, archives and links"
            }
            JobName::Files => "removes uploaded files no row names (older than an hour) and unfinished uploads",
            JobName::Certification => "moves the directory's certification statuses as dates pass (daily)",
            JobName::Reminders => "e-mails renewal reminders before expiry, each once per cycle",
            JobName::Orders => {
                "expires unpaid orders (freeing seats), retries refunds, applies Stripe events left unapplied, shreds processed phone and mail-in orders"
            }
        }
    }
}

impl fmt::Display for JobName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a run did, or with `--dry-run` would do: lines for an operator, with counts and
/// never personal data.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct JobReport {
    pub lines: Vec<String>,
}

/// What a job runs with.
#[derive(Clone)]
pub struct JobContext {
    pub state: AppState,
    /// The jobs' own pool.
    pub db: DatabaseConnection,
    /// Cancelled on shutdown: a long run stops at its next safe point.
    pub stop: CancellationToken,
}

impl JobContext {
    pub fn new(state: AppState, db: DatabaseConnection) -> Self {
        Self {
            state,
            db,
            stop: CancellationToken::new(),
        }
    }
}

/// The outcome of asking for a run.
#[derive(Debug)]
pub enum RunOutcome {
    Ran(JobReport),
    /// Not due yet, or another server holds the lease.
    Skipped,
}

/// Runs `job` once now if its lease is free (and, unless `ignore_schedule`, it is due).
pub async fn run_once(ctx: &JobContext, job: JobName, ignore_schedule: bool) -> Result<RunOutcome> {
    let state = &ctx.state;
    let started = state.clock.now();
    let lease = chrono::Duration::from_std(job.lease()).map_err(anyhow::Error::from)?;
    let acquired = crate::db::jobs::try_acquire(
        &ctx.db,
        job.as_str(),
        &state.instance_id,
        started,
        started + lease,
        ignore_schedule,
    )
    .await?;
    if !acquired {
        return Ok(RunOutcome::Skipped);
    }
    let result = execute(ctx, job, false).await;
    let outcome = match &result {
        Ok(_) => "ok".to_owned(),
        Err(e) => format!("failed: {e}"),
    };
    let every = chrono::Duration::from_std(job.every()).map_err(anyhow::Error::from)?;
    crate::db::jobs::release(
        &ctx.db,
        job.as_str(),
        &state.instance_id,
        state.clock.now(),
        started + every,
        &outcome,
    )
    .await?;
    result.map(RunOutcome::Ran)
}

/// Runs `job` without its lease, changing nothing (`--dry-run`).
pub async fn dry_run(ctx: &JobContext, job: JobName) -> Result<JobReport> {
    execute(ctx, job, true).await
}

async fn execute(ctx: &JobContext, job: JobName, dry_run: bool) -> Result<JobReport> {
    match job {
        JobName::Mail => mail::run(ctx, dry_run).await,
        JobName::Retention => retention::run(ctx, dry_run).await,
        JobName::Files => files::run(ctx, dry_run).await,
        JobName::Certification => certification::run(ctx, dry_run).await,
        JobName::Reminders => reminders::run(ctx, dry_run).await,
        JobName::Orders => orders::run(ctx, dry_run).await,
    }
}

/// The scheduled jobs of one server.
pub struct Scheduler {
    stop: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
}

impl Scheduler {
    /// Starts a loop per job.
    pub fn start(ctx: &JobContext) -> Self {
        let stop = ctx.stop.clone();
        let tasks = JobName::iter()
            .map(|job| tokio::spawn(schedule(ctx.clone(), job, stop.clone())))
            .collect();
        Self { stop, tasks }
    }

    /// Starts no further run and waits for the running ones to end and hand back their lease.
    pub async fn shutdown(self) {
        self.stop.cancel();
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// How often a job's loop looks whether the job is due (runs follow the lease's schedule).
const POLL: Duration = Duration::from_secs(5);

async fn schedule(ctx: JobContext, job: JobName, stop: CancellationToken) {
    let woken = ctx.state.mail_queued.clone();
    loop {
        let pause = job.every().min(POLL);
        let by_wakeup = tokio::select! {
            // Stopping wins over a pending wake-up.
            biased;
            () = stop.cancelled() => break,
            () = tokio::time::sleep(pause) => false,
            () = woken.notified(), if job == JobName::Mail => true,
        };
        // A message just queued is sent now rather than at the next scheduled run. The run
        // is a task of its own, so that a panic in it is logged and the schedule goes on
        // (its lease lapses).
        let run = {
            let ctx = ctx.clone();
            tokio::spawn(async move { run_once(&ctx, job, by_wakeup).await })
        };
        match run.await {
            Ok(Ok(RunOutcome::Ran(report))) if !report.lines.is_empty() => {
                tracing::info!(job = %job, report = ?report.lines, "job ran");
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!(job = %job, error = %e, "job failed"),
            Err(e) => tracing::error!(job = %job, error = %e, "job panicked; its lease lapses"),
        }
    }
}
