//! Job leases (`job_lease`): which server runs a job now, and when it runs next.

use crate::db::Params;
use chrono::{DateTime, Utc};
use entity::job_lease;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};

/// Takes the lease of `job` for `holder` until `until`, if nobody holds it and (unless
/// `ignore_schedule`) its next run is due. One statement on both engines: an upsert whose
/// update applies only when the lease is free, so two servers never both get it.
pub async fn try_acquire<C: ConnectionTrait>(
    conn: &C,
    job: &str,
    holder: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    ignore_schedule: bool,
) -> Result<bool, DbErr> {
    let mut p = Params::new(conn.get_database_backend());
    let (job, holder, until, now, force) = (
        p.push(job),
        p.push(holder),
        p.push(until),
        p.push(now),
        p.push(ignore_schedule),
    );
    let sql = format!(
        "INSERT INTO job_lease (name, holder, lease_until, next_run_at, last_started_at, runs) \
         VALUES ({job}, {holder}, {until}, {now}, {now}, 1) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until, \
         last_started_at = excluded.last_started_at, runs = job_lease.runs + 1 \
         WHERE job_lease.lease_until <= {now} AND (job_lease.next_run_at <= {now} OR {force})"
    );
    let result = conn.execute_raw(p.statement(sql)).await?;
    Ok(result.rows_affected() == 1)
}

/// Hands the lease back after a run: the next run is due at `next_run_at`.
pub async fn release<C: ConnectionTrait>(
    conn: &C,
    job: &str,
    holder: &str,
    now: DateTime<Utc>,
    next_run_at: DateTime<Utc>,
    outcome: &str,
) -> Result<(), DbErr> {
    let mut p = Params::new(conn.get_database_backend());
    let (now, next, outcome, job, holder) = (
        p.push(now),
        p.push(next_run_at),
        p.push(outcome),
        p.push(job),
        p.push(holder),
    );
    let sql = format!(
        "UPDATE job_lease SET lease_until = {now}, last_finished_at = {now}, next_run_at = {next}, \
         last_outcome = {outcome} WHERE name = {job} AND holder = {holder}"
    );
    conn.execute_raw(p.statement(sql)).await?;
    Ok(())
}

/// Every job's lease row.
pub async fn all<C: ConnectionTrait>(conn: &C) -> Result<Vec<job_lease::Model>, DbErr> {
    job_lease::Entity::find().all(conn).await
}

pub async fn find<C: ConnectionTrait>(conn: &C, job: &str) -> Result<Option<job_lease::Model>, DbErr> {
    job_lease::Entity::find_by_id(job.to_owned()).one(conn).await
}
