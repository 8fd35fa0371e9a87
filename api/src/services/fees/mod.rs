//! Fees: what a member owes for a renewal, an enrolment or a petition. A fee waits as
//! `awaiting_payment` in the member's cart (`services::orders`); paying the order marks it
//! paid and applies what it pays for in the same transaction, exactly once however often
//! the payment is reported.

use crate::db;
use crate::error::Result;
use crate::services::audit::AuditRecord;
use crate::services::certification::renewal::complete_paid_renewal;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::enums::FeePurpose;
use entity::fee;
use sea_orm::ConnectionTrait;

/// Marks fee `fee` paid and applies what it pays for, inside the caller's transaction.
/// `None` when it was not awaiting payment (paid already): nothing happens twice.
#[tracing::instrument(skip_all)]
pub(crate) async fn apply_paid_fee<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    fee: &fee::Model,
    now: DateTime<Utc>,
) -> Result<Option<AuditRecord>> {
    if !db::fees::mark_paid(conn, fee.id, None, now).await? {
        return Ok(None);
    }
    let effect = match fee.purpose {
        FeePurpose::Renewal => complete_paid_renewal(conn, state, fee, now).await?,
        FeePurpose::Enrolment => crate::services::enrolment::complete_paid_enrolment(conn, fee).await?,
        FeePurpose::Petition => crate::services::petitions::complete_paid_petition(conn, fee, now).await?,
    };
    Ok(Some(effect))
}
