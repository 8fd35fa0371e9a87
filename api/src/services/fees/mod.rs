//! Fees (issue 13, before online payment): what a member owes for a renewal, an enrolment or
//! a petition waits as `awaiting_payment`; staff mark it paid, which applies what
//! it pays for in the same transaction, exactly once however often it is marked.

use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::error::{Error, Result};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::certification::renewal::complete_paid_renewal;
use crate::state::AppState;
use entity::enums::{AuditKind, FeePurpose};
use entity::fee;

/// Staff: marks fee `fee_id` paid and applies what it pays for. `CONFLICT` when it is
/// already paid.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn mark_paid(state: &AppState, viewer: &Viewer, meta: &RequestMeta, fee_id: i64) -> Result<fee::Model> {
    let me = authz::require(viewer, Audience::Staff, Subject::NOBODY)?.member_id;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let fee = db::fees::find(write.conn(), fee_id).await?.ok_or(Error::NotFound)?;
    crate::services::certification::not_on_oneself(me, fee.member_id)?;
    if !db::fees::mark_paid(write.conn(), fee.id, Some(me), write.now()).await? {
        return Err(Error::Conflict {
            field: Some("feeId"),
            message: "This fee is already paid.".to_owned(),
        });
    }
    let effect = match fee.purpose {
        FeePurpose::Renewal => complete_paid_renewal(write.conn(), state, &fee, write.now()).await?,
        FeePurpose::Enrolment => crate::services::enrolment::complete_paid_enrolment(write.conn(), &fee).await?,
        FeePurpose::Petition => {
            crate::services::petitions::complete_paid_petition(write.conn(), &fee, write.now()).await?
        }
    };
    write.record(effect).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::FeeMarkedPaid)
                .about(fee.member_id)
                .detail(format!(
                    "fee {}: {}",
                    fee.id,
                    shared::Money::from_cents(fee.amount_cents)
                )),
        )
        .await?;
    db::fees::find(&state.db, fee_id).await?.ok_or(Error::NotFound)
}
