//! Cycles: staff record a member's certification (the exam passed) and reinstate an
//! expired one; everyone allowed reads the status with its dates and the cycle's credit.

use super::rules::{self, CycleDates};
use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::db::certification::NewCycle;
use crate::error::{Error, Result};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::state::AppState;
use chrono::NaiveDate;
use entity::certification_cycle;
use entity::enums::{AuditKind, CertificationStatus, CycleKind};
use sea_orm::ConnectionTrait;

/// A member's certification as they (and staff) see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificationView {
    pub status: CertificationStatus,
    /// The cycle that counts now: the current one, or the last one (in grace, expired).
    pub cycle: Option<certification_cycle::Model>,
    /// First day of expiry of `cycle` plus grace.
    pub grace_ends_on: Option<NaiveDate>,
    /// Credit counted for `cycle`, in tenths.
    pub earned_tenths: i64,
    /// What a cycle requires, in tenths.
    pub required_tenths: i32,
    /// The first day `cycle` may be renewed.
    pub renewal_opens_on: Option<NaiveDate>,
    /// The renewal of `cycle`, once asked for, with its fee.
    pub renewal: Option<super::renewal::RenewalView>,
}

pub(super) fn dates(cycles: &[certification_cycle::Model]) -> Vec<CycleDates> {
    cycles
        .iter()
        .map(|c| CycleDates {
            starts_on: c.starts_on,
            ends_on: c.ends_on,
        })
        .collect()
}

/// The view of `member_id`'s certification on the state's date.
pub(super) async fn view_of<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    member_id: i64,
) -> Result<CertificationView> {
    let rules = &state.settings.certification;
    let today = state.now().date_naive();
    let cycles = db::certification::cycles_of(conn, member_id).await?;
    let status = rules::status_on(&dates(&cycles), today, rules);
    let cycle = rules::counting_cycle(&dates(&cycles), today).and_then(|i| cycles.get(i).cloned());
    let (earned_tenths, renewal) = match &cycle {
        Some(c) => (
            db::certification::cycle_total(conn, c.id).await?,
            super::renewal::pending_or_done(conn, c.id).await?,
        ),
        None => (0, None),
    };
    Ok(CertificationView {
        status,
        grace_ends_on: cycle.as_ref().map(|c| rules::grace_ends_on(c.ends_on, rules)),
        renewal_opens_on: cycle.as_ref().map(|c| rules::renewal_opens_on(c.ends_on, rules)),
        cycle,
        earned_tenths,
        required_tenths: rules.required_tenths,
        renewal,
    })
}

/// The certification of `member_id`: the member's own, or anyone's for staff.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn certification_of(state: &AppState, viewer: &Viewer, member_id: i64) -> Result<CertificationView> {
    authz::require(viewer, Audience::Owner, member_id)?;
    view_of(&state.db, state, member_id).await
}

/// Copies the member's status on the state's date to their directory profile (inside the
/// caller's transaction), so that the directory follows every change at once.
#[tracing::instrument(skip_all)]
pub async fn refresh_directory<C: ConnectionTrait>(conn: &C, state: &AppState, member_id: i64) -> Result<()> {
    let cycles = db::certification::cycles_of(conn, member_id).await?;
    let status = rules::status_on(&dates(&cycles), state.now().date_naive(), &state.settings.certification);
    db::certification::set_directory_status(conn, member_id, status).await?;
    Ok(())
}

/// Staff: records that the member numbered `number` passed the exam on `starts_on`: their
/// first cycle. `CONFLICT` when they already have one (an expired certification is
/// reinstated instead); `VALIDATION` for a date in the future.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn record_certification(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    number: i64,
    starts_on: NaiveDate,
) -> Result<CertificationView> {
    start_cycle(state, viewer, meta, number, starts_on, CycleKind::Initial).await
}

/// Staff: reinstates an expired certification with a new cycle from `starts_on`.
/// `CONFLICT` unless the certification is expired.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn reinstate(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    number: i64,
    starts_on: NaiveDate,
) -> Result<CertificationView> {
    start_cycle(state, viewer, meta, number, starts_on, CycleKind::Reinstatement).await
}

async fn start_cycle(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    number: i64,
    starts_on: NaiveDate,
    kind: CycleKind,
) -> Result<CertificationView> {
    let me = authz::require(viewer, Audience::Staff, Subject::NOBODY)?.member_id;
    let rules = &state.settings.certification;
    let today = state.now().date_naive();
    if starts_on > today {
        return Err(Error::invalid("startsOn", "The cycle cannot start in the future."));
    }
    let member = db::members::find_by_number(&state.db, number)
        .await?
        .ok_or(Error::NotFound)?;
    super::not_on_oneself(me, member.id)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let cycles = db::certification::cycles_of(write.conn(), member.id).await?;
    let status = rules::status_on(&dates(&cycles), today, rules);
    let (allowed, audit) = match kind {
        CycleKind::Initial => (cycles.is_empty(), AuditKind::CertificationRecorded),
        _ => (
            status == CertificationStatus::Expired,
            AuditKind::CertificationReinstated,
        ),
    };
    if !allowed {
        let message = match kind {
            CycleKind::Initial => "This member is already certified: reinstate an expired certification instead.",
            _ => "Only an expired certification can be reinstated.",
        };
        return Err(Error::Conflict {
            field: Some("memberNumber"),
            message: message.to_owned(),
        });
    }
    if let Some(last) = cycles.last()
        && starts_on < rules::grace_ends_on(last.ends_on, rules)
    {
        return Err(Error::invalid(
            "startsOn",
            "A reinstated cycle starts after the previous one's grace ended.",
        ));
    }
    let cycle = db::certification::insert_cycle(
        write.conn(),
        NewCycle {
            member_id: member.id,
            starts_on,
            ends_on: rules::ends_on(starts_on, rules),
            kind,
            recorded_by: Some(me),
        },
        write.now(),
    )
    .await?;
    refresh_directory(write.conn(), state, member.id).await?;
    write
        .commit(
            AuditRecord::new(audit)
                .about(member.id)
                .detail(format!("cycle {} from {starts_on}", cycle.id)),
        )
        .await?;
    view_of(&state.db, state, member.id).await
}

/// The daily `certification` job: moves the directory's copy of every member's status as
/// dates pass. Returns how many profiles changed (or would, with `dry_run`).
#[tracing::instrument(skip_all)]
pub async fn refresh_all_directory_statuses<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    dry_run: bool,
) -> Result<u64> {
    let rules = &state.settings.certification;
    let today = state.now().date_naive();
    let mut by_member: std::collections::HashMap<i64, Vec<CycleDates>> = std::collections::HashMap::new();
    for (member_id, starts_on, ends_on) in db::certification::all_cycle_dates(conn).await? {
        by_member
            .entry(member_id)
            .or_default()
            .push(CycleDates { starts_on, ends_on });
    }
    let mut changed = 0;
    for (member_id, stored) in db::certification::directory_statuses(conn).await? {
        let cycles = by_member.get(&member_id).map_or(&[][..], Vec::as_slice);
        let status = rules::status_on(cycles, today, rules);
        if status != stored {
            changed += 1;
            if !dry_run {
                db::certification::set_directory_status(conn, member_id, status).await?;
            }
        }
    }
    Ok(changed)
}
