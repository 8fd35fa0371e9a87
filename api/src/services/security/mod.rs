//! Defences against abuse that are more than a budget: the SQL-injection tripwire (P2)
//! and what happens when it trips (the address blocked on every server, an audit row).

pub mod reports;
pub mod tripwire;

use crate::auth::{RequestMeta, Viewer};
use crate::services::audit::{self, Actor, AuditRecord};
use crate::state::AppState;
use entity::enums::AuditKind;
use std::time::Duration;
use tripwire::Signature;

/// Where an injection signature was found: `field(argument: ...)`.
#[derive(Clone, Debug)]
pub struct Finding {
    pub field: String,
    pub argument: String,
    pub signature: Signature,
}

/// Reacts to a request that tripped the wire: blocks the sender's address for
/// `CPTN_TRIPWIRE_BLOCK_MINUTES` (on every server when Redis is configured) and records
/// an `INJECTION_BLOCKED` audit row naming the field, argument and kind of signature (not
/// the value: it was written to attack, and may be long). Answers how long the block lasts.
#[tracing::instrument(skip_all, fields(field = %finding.field, argument = %finding.argument))]
pub async fn record_injection_attempt(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    finding: &Finding,
) -> Duration {
    let block = state.settings.limits.tripwire_block;
    if let Some(ip) = meta.ip {
        state.limiter.block(ip, block).await;
    }
    let detail = format!(
        "{} in {}({}:); address blocked for {} minutes",
        finding.signature.as_str(),
        finding.field,
        finding.argument,
        block.as_secs() / 60
    );
    tracing::warn!(
        signature = finding.signature.as_str(),
        "SQL-injection signature refused; address blocked"
    );
    let actor = Actor::new(viewer, meta, state.now());
    let record = AuditRecord::new(AuditKind::InjectionBlocked)
        .about(viewer.member_id())
        .detail(detail);
    if let Err(e) = audit::record(&state.db, &actor, record).await {
        tracing::error!(error = ?e, "recording a blocked injection attempt failed");
    }
    block
}
