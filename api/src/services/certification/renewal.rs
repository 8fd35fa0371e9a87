//! Renewal: from `CPTN_RENEWAL_WINDOW_DAYS` before expiry to the end of grace, a member
//! whose cycle holds the required credit asks to renew; the fee is owed, and when it is
//! paid the next cycle begins where the last one ended (not on the day of payment). Credit
//! does not roll over: each entry counts for one cycle only.

use super::cycles::{dates, view_of};
use super::rules;
use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::db::certification::NewCycle;
use crate::error::{Error, Result, conflict_on_unique};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::enums::{AuditKind, CertificationStatus, CycleKind, FeePurpose};
use entity::{certification_renewal, fee};
use sea_orm::ConnectionTrait;
use shared::cec::format_tenths;

/// A renewal and the fee it waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenewalView {
    pub renewal: certification_renewal::Model,
    pub fee: fee::Model,
}

/// The caller asks to renew the cycle that counts now. Refused with `VALIDATION` (naming
/// what is missing, e.g. "0.3 CEC short") before the window opens, after grace, or with
/// too little credit; `CONFLICT` when this cycle's renewal was already asked for.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn renew(state: &AppState, viewer: &Viewer, meta: &RequestMeta) -> Result<RenewalView> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?.member_id;
    let rules = &state.settings.certification;
    let today = state.now().date_naive();
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let view = view_of(write.conn(), state, me).await?;
    let cycle = view
        .cycle
        .clone()
        .ok_or_else(|| Error::invalid("certification", "You have no certification to renew."))?;
    match view.status {
        CertificationStatus::Expired => {
            return Err(Error::invalid(
                "certification",
                format!(
                    "Your certification expired on {}; after grace only staff can reinstate it.",
                    cycle.ends_on
                ),
            ));
        }
        CertificationStatus::None => {
            return Err(Error::invalid("certification", "You have no certification to renew."));
        }
        CertificationStatus::Certified | CertificationStatus::Grace => {}
    }
    let opens_on = rules::renewal_opens_on(cycle.ends_on, rules);
    if today < opens_on {
        return Err(Error::invalid(
            "certification",
            format!(
                "Renewal opens on {opens_on}, {} days before expiry.",
                rules.renewal_window_days
            ),
        ));
    }
    if db::certification::renewal_of_cycle(write.conn(), cycle.id)
        .await?
        .is_some()
    {
        return Err(already_asked());
    }
    let short = i64::from(rules.required_tenths) - view.earned_tenths;
    if short > 0 {
        return Err(Error::invalid(
            "certification",
            format!(
                "{} CEC short: this cycle holds {} of the {} required.",
                format_tenths(i32::try_from(short).unwrap_or(i32::MAX)),
                format_tenths(i32::try_from(view.earned_tenths).unwrap_or(i32::MAX)),
                format_tenths(rules.required_tenths)
            ),
        ));
    }
    let fee = db::fees::insert(write.conn(), me, FeePurpose::Renewal, rules.renewal_fee, write.now()).await?;
    let renewal = db::certification::insert_renewal(write.conn(), me, cycle.id, fee.id, write.now())
        .await
        .map_err(|e| conflict_on_unique(e, "certification", "You already asked to renew this cycle."))?;
    let line = crate::services::orders::cart::CartLine {
        description: "Certification renewal".to_owned(),
        course_id: None,
        workshop_id: None,
    };
    crate::services::orders::cart::put_fee_in_cart(write.conn(), state, &fee, line, meta.ip_string(), write.now())
        .await?;
    write
        .commit(
            AuditRecord::new(AuditKind::RenewalRequested)
                .about(me)
                .detail(format!("renewal {} of cycle {}, fee {}", renewal.id, cycle.id, fee.id)),
        )
        .await?;
    Ok(RenewalView { renewal, fee })
}

fn already_asked() -> Error {
    Error::Conflict {
        field: Some("certification"),
        message: "You already asked to renew this cycle.".to_owned(),
    }
}

/// The renewal of the cycle that counts for `member_id`, if asked for.
pub(super) async fn pending_or_done<C: ConnectionTrait>(conn: &C, cycle_id: i64) -> Result<Option<RenewalView>> {
    let Some(renewal) = db::certification::renewal_of_cycle(conn, cycle_id).await? else {
        return Ok(None);
    };
    let fee = db::fees::find(conn, renewal.fee_id).await?.ok_or(Error::NotFound)?;
    Ok(Some(RenewalView { renewal, fee }))
}

/// A renewal's fee was paid (inside the payment's transaction): the next cycle begins where
/// the renewed one ended, and the directory follows.
#[tracing::instrument(skip_all)]
pub async fn complete_paid_renewal<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    fee: &fee::Model,
    now: DateTime<Utc>,
) -> Result<AuditRecord> {
    let renewal = db::certification::renewal_paid_by(conn, fee.id)
        .await?
        .ok_or(Error::NotFound)?;
    let cycles = db::certification::cycles_of(conn, renewal.member_id).await?;
    let renewed = cycles
        .iter()
        .find(|c| c.id == renewal.cycle_id)
        .ok_or(Error::NotFound)?;
    let rules = &state.settings.certification;
    let starts_on = renewed.ends_on;
    // A cycle already begun from there (a reinstatement meanwhile) is not doubled.
    if dates(&cycles).iter().any(|c| c.starts_on >= starts_on) {
        return Err(Error::Conflict {
            field: Some("feeId"),
            message: "A later cycle already exists.".to_owned(),
        });
    }
    let cycle = db::certification::insert_cycle(
        conn,
        NewCycle {
            member_id: renewal.member_id,
            starts_on,
            ends_on: rules::ends_on(starts_on, rules),
            kind: CycleKind::Renewal,
            recorded_by: None,
        },
        now,
    )
    .await?;
    db::certification::complete_renewal(conn, renewal.id, cycle.id, now).await?;
    super::cycles::refresh_directory(conn, state, renewal.member_id).await?;
    Ok(AuditRecord::new(AuditKind::CertificationRenewed)
        .about(renewal.member_id)
        .detail(format!("cycle {} from {starts_on}", cycle.id)))
}
