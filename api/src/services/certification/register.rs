//! The public certification register (ISO 17024 style): anyone verifies a trainer by
//! member number *and* last name. Member numbers are sequential, so the number alone
//! reveals nothing: a wrong name answers exactly like an unknown number (`NOT_FOUND`). The
//! answer is the status and the expiry month only. Limited per IP; staff lookups are
//! audited.

use super::cycles::view_of;
use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::error::{Error, Result};
use crate::services::audit::{self, Actor};
use crate::state::AppState;
use entity::enums::{AuditKind, CertificationStatus, MemberStatus};

/// What the register answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub status: CertificationStatus,
    /// `YYYY-MM` of the expiry of the cycle that counts (none without a cycle).
    pub expiry_month: Option<String>,
}

/// The last word of a legal name, folded (case and accents), as the register compares it.
fn last_name(name: &str) -> String {
    let folded = shared::validate::fold(name.trim());
    folded.rsplit(' ').next().unwrap_or_default().to_owned()
}

/// Looks up the member numbered `number` whose legal name ends with `last_name`.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn verify(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    number: i64,
    last_name_typed: &str,
) -> Result<Verification> {
    if let Some(ip) = meta.ip
        && let Err(retry_after) = state.verify_limiter.check(&ip).await
    {
        return Err(Error::RateLimited { retry_after });
    }
    let typed = last_name(last_name_typed);
    if typed.is_empty() {
        return Err(Error::invalid("lastName", "Enter the trainer's last name."));
    }
    let member = db::members::find_by_number(&state.db, number)
        .await?
        .filter(|m| m.status == MemberStatus::Active && last_name(&m.legal_name) == typed)
        .ok_or(Error::NotFound)?;
    if authz::require(viewer, Audience::Staff, Subject::NOBODY).is_ok() {
        let actor = Actor::new(viewer, meta, state.now());
        audit::record_staff_read(&state.db, viewer, &actor, AuditKind::RegisterLookedUp, member.id).await?;
    }
    let view = view_of(&state.db, state, member.id).await?;
    Ok(Verification {
        status: view.status,
        expiry_month: view.cycle.map(|c| c.ends_on.format("%Y-%m").to_string()),
    })
}
