//! The `orders` job (`services::orders::lifecycle`, `services::payments::webhook`): applies
//! Stripe events a stopped server left unapplied, expires pending orders whose hold ended
//! (freeing their seats), retries refunds Stripe has not confirmed, and shreds processed
//! phone and mail-in orders.

use super::{JobContext, JobReport};
use crate::error::Result;
use crate::services::orders::lifecycle;
use crate::services::payments::webhook;

pub async fn run(ctx: &JobContext, dry_run: bool) -> Result<JobReport> {
    let (db, state) = (&ctx.db, &ctx.state);
    let events = webhook::apply_pending(db, state, dry_run).await?;
    let expired = lifecycle::expire_lapsed(db, state, dry_run).await?;
    let refunds = lifecycle::push_pending_refunds(db, state, dry_run).await?;
    let shredded = lifecycle::shred_processed(db, state, dry_run).await?;
    let verb = if dry_run { "would" } else { "did" };
    let lines = [
        ("apply Stripe events", events),
        ("expire pending orders", expired),
        ("confirm refunds", refunds),
        ("shred keyed orders", shredded),
    ]
    .into_iter()
    .filter(|(_, n)| dry_run || *n > 0)
    .map(|(what, n)| format!("orders: {verb} {what}: {n}"))
    .collect();
    Ok(JobReport { lines })
}
