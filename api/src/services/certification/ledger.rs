//! The continuing-education credit ledger: append-only (the database refuses updates and
//! deletes), each entry counting for the cycle it was earned in. Staff adjust it with a
//! reason and correct it with reversing entries; members read their own, staff anyone's
//! (audited), nobody else.

use super::cycles::dates;
use super::rules;
use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::db::certification::NewEntry;
use crate::error::{Error, Result};
use crate::page::{Page, PageRequest};
use crate::services::audit::{self, Actor, AuditRecord, AuditedWrite};
use crate::state::AppState;
use chrono::NaiveDate;
use entity::cec_entry;
use entity::enums::{AuditKind, CecSource};
use shared::cec::format_tenths;
use shared::validate::bounded_text;

/// One ledger entry as it is shown: with the title of the course or petition it credits
/// (in lists; a mutation's answer leaves it out).
pub type LedgerEntry = db::certification::TitledEntry;

fn untitled(entry: cec_entry::Model) -> LedgerEntry {
    LedgerEntry { entry, title: None }
}

/// The largest single adjustment, in tenths (a cycle's requirement is 2.0 CEC).
const MAX_ADJUSTMENT_TENTHS: i32 = 100;

/// A member's ledger, newest first: their own, or anyone's for staff (audited).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn ledger_of(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    member_id: i64,
    page: PageRequest<i64>,
) -> Result<Page<LedgerEntry>> {
    authz::require(viewer, Audience::Owner, member_id)?;
    let rows = db::certification::ledger(&state.db, member_id, page.after, page.limit_plus_one()).await?;
    let actor = Actor::new(viewer, meta, state.now());
    audit::record_staff_read(&state.db, viewer, &actor, AuditKind::LedgerViewed, member_id).await?;
    Ok(Page::from_rows(rows, page.first))
}

/// Staff: credits (or, negative, debits) the member numbered `number` with `tenths` earned
/// on `earned_on`, for `reason`. The entry counts for the cycle of `earned_on`.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn adjust(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    number: i64,
    tenths: i32,
    earned_on: NaiveDate,
    reason: &str,
) -> Result<LedgerEntry> {
    let me = authz::require(viewer, Audience::Staff, Subject::NOBODY)?.member_id;
    if tenths == 0 || tenths.abs() > MAX_ADJUSTMENT_TENTHS {
        return Err(Error::invalid(
            "cec",
            format!(
                "An adjustment is between -{max} and {max} CEC, and not zero.",
                max = format_tenths(MAX_ADJUSTMENT_TENTHS)
            ),
        ));
    }
    if earned_on > state.now().date_naive() {
        return Err(Error::invalid("earnedOn", "Credit cannot be earned in the future."));
    }
    let reason = bounded_text("reason", reason, 500, true, true)?;
    let member = db::members::find_by_number(&state.db, number)
        .await?
        .ok_or(Error::NotFound)?;
    super::not_on_oneself(me, member.id)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let entry = append_credit(
        write.conn(),
        state,
        NewEntry {
            member_id: member.id,
            cycle_id: None,
            tenths,
            source: CecSource::Adjustment,
            reason: Some(reason),
            reverses_id: None,
            earned_on,
            recorded_by: Some(me),
            course_id: None,
            petition_id: None,
        },
        write.now(),
    )
    .await?;
    write
        .commit(
            AuditRecord::new(AuditKind::CecAdjusted)
                .about(member.id)
                .detail(format!("entry {}: {} CEC", entry.id, format_tenths(tenths))),
        )
        .await?;
    Ok(untitled(entry))
}

/// Staff: cancels entry `entry_id` with a reversing entry (same cycle, opposite amount),
/// for `reason`. `CONFLICT` for a reversal or an entry already reversed.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn reverse(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    entry_id: i64,
    reason: &str,
) -> Result<LedgerEntry> {
    let me = authz::require(viewer, Audience::Staff, Subject::NOBODY)?.member_id;
    let reason = bounded_text("reason", reason, 500, true, true)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let original = db::certification::find_entry(write.conn(), entry_id)
        .await?
        .ok_or(Error::NotFound)?;
    super::not_on_oneself(me, original.member_id)?;
    let conflict = |message: &str| Error::Conflict {
        field: Some("entryId"),
        message: message.to_owned(),
    };
    if original.source == CecSource::Reversal {
        return Err(conflict("A reversal cannot be reversed: add an adjustment instead."));
    }
    if db::certification::reversal_of(write.conn(), entry_id).await?.is_some() {
        return Err(conflict("This entry is already reversed."));
    }
    let entry = db::certification::append_entry(
        write.conn(),
        NewEntry {
            member_id: original.member_id,
            cycle_id: original.cycle_id,
            tenths: -original.tenths,
            source: CecSource::Reversal,
            reason: Some(reason),
            reverses_id: Some(original.id),
            earned_on: original.earned_on,
            recorded_by: Some(me),
            course_id: original.course_id,
            petition_id: original.petition_id,
        },
        write.now(),
    )
    .await
    .map_err(|e| crate::error::conflict_on_unique(e, "entryId", "This entry is already reversed."))?;
    write
        .commit(
            AuditRecord::new(AuditKind::CecReversed)
                .about(original.member_id)
                .detail(format!("entry {} reverses {}", entry.id, original.id)),
        )
        .await?;
    Ok(untitled(entry))
}

/// Appends `entry` to the ledger counting for the cycle its `earned_on` falls in (its
/// `cycle_id` is ignored), inside the caller's transaction: adjustments, completed courses
/// and approved petitions all go through here.
pub(crate) async fn append_credit<C: sea_orm::ConnectionTrait>(
    conn: &C,
    state: &AppState,
    mut entry: NewEntry,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<cec_entry::Model> {
    let cycles = db::certification::cycles_of(conn, entry.member_id).await?;
    entry.cycle_id = rules::cycle_for(&dates(&cycles), entry.earned_on, &state.settings.certification)
        .and_then(|i| cycles.get(i))
        .map(|c| c.id);
    Ok(db::certification::append_entry(conn, entry, now).await?)
}

/// Reverses credit entry `entry_id` inside the caller's transaction when it has not been
/// used for a renewal yet (its cycle was not renewed) and is not reversed already: a refund
/// takes back what the refunded course or petition credited. `None` when it stays.
pub(crate) async fn reverse_unused_credit<C: sea_orm::ConnectionTrait>(
    conn: &C,
    entry_id: i64,
    reason: &str,
    by: Option<i64>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<cec_entry::Model>> {
    let Some(original) = db::certification::find_entry(conn, entry_id).await? else {
        return Ok(None);
    };
    if db::certification::reversal_of(conn, entry_id).await?.is_some() {
        return Ok(None);
    }
    if let Some(cycle) = original.cycle_id
        && db::certification::renewal_of_cycle(conn, cycle)
            .await?
            .is_some_and(|r| r.status == entity::enums::PaymentStatus::Paid)
    {
        return Ok(None);
    }
    let entry = db::certification::append_entry(
        conn,
        NewEntry {
            member_id: original.member_id,
            cycle_id: original.cycle_id,
            tenths: -original.tenths,
            source: CecSource::Reversal,
            reason: Some(reason.to_owned()),
            reverses_id: Some(original.id),
            earned_on: original.earned_on,
            recorded_by: by,
            course_id: original.course_id,
            petition_id: original.petition_id,
        },
        now,
    )
    .await?;
    Ok(Some(entry))
}
