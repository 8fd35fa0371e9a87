//! Certification cycles and the credit ledger. The ledger is only ever appended to: the
//! database refuses updates and deletes (migration 13), except [`purge_ledger`].

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{CecSource, CertificationStatus, CycleKind};
use entity::{cec_entry, certification_cycle as cycle, directory_profile, ledger_purge};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// A member's cycles, oldest first.
pub async fn cycles_of<C: ConnectionTrait>(conn: &C, member_id: i64) -> Result<Vec<cycle::Model>, DbErr> {
    cycle::Entity::find()
        .filter(cycle::Column::MemberId.eq(member_id))
        .order_by_asc(cycle::Column::StartsOn)
        .order_by_asc(cycle::Column::Id)
        .all(conn)
        .await
}

/// What a new cycle records.
#[derive(Clone, Copy, Debug)]
pub struct NewCycle {
    pub member_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub kind: CycleKind,
    pub recorded_by: Option<i64>,
}

pub async fn insert_cycle<C: ConnectionTrait>(
    conn: &C,
    new: NewCycle,
    now: DateTime<Utc>,
) -> Result<cycle::Model, DbErr> {
    cycle_row(new, now).insert(conn).await
}

fn cycle_row(new: NewCycle, now: DateTime<Utc>) -> cycle::ActiveModel {
    cycle::ActiveModel {
        member_id: Set(new.member_id),
        starts_on: Set(new.starts_on),
        ends_on: Set(new.ends_on),
        kind: Set(new.kind),
        recorded_at: Set(now),
        recorded_by: Set(new.recorded_by),
        ..Default::default()
    }
}

/// Every member's cycles (member, start, end), by member then start: the daily status job
/// reads them in one statement.
pub async fn all_cycle_dates<C: ConnectionTrait>(conn: &C) -> Result<Vec<(i64, NaiveDate, NaiveDate)>, DbErr> {
    cycle::Entity::find()
        .select_only()
        .column(cycle::Column::MemberId)
        .column(cycle::Column::StartsOn)
        .column(cycle::Column::EndsOn)
        .order_by_asc(cycle::Column::MemberId)
        .order_by_asc(cycle::Column::StartsOn)
        .into_tuple()
        .all(conn)
        .await
}

/// What a new ledger entry records.
pub struct NewEntry {
    pub member_id: i64,
    pub cycle_id: Option<i64>,
    pub tenths: i32,
    pub source: CecSource,
    pub reason: Option<String>,
    pub reverses_id: Option<i64>,
    pub earned_on: NaiveDate,
    pub recorded_by: Option<i64>,
    pub course_id: Option<i64>,
    pub petition_id: Option<i64>,
}

pub async fn append_entry<C: ConnectionTrait>(
    conn: &C,
    new: NewEntry,
    now: DateTime<Utc>,
) -> Result<cec_entry::Model, DbErr> {
    entry_row(new, now).insert(conn).await
}

fn entry_row(new: NewEntry, now: DateTime<Utc>) -> cec_entry::ActiveModel {
    cec_entry::ActiveModel {
        member_id: Set(new.member_id),
        cycle_id: Set(new.cycle_id),
        tenths: Set(new.tenths),
        source: Set(new.source),
        reason: Set(new.reason),
        reverses_id: Set(new.reverses_id),
        earned_on: Set(new.earned_on),
        recorded_at: Set(now),
        recorded_by: Set(new.recorded_by),
        course_id: Set(new.course_id),
        petition_id: Set(new.petition_id),
        ..Default::default()
    }
}

pub async fn find_entry<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<cec_entry::Model>, DbErr> {
    cec_entry::Entity::find_by_id(id).one(conn).await
}

/// The entry that reverses `id`, if one does.
pub async fn reversal_of<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<cec_entry::Model>, DbErr> {
    cec_entry::Entity::find()
        .filter(cec_entry::Column::ReversesId.eq(id))
        .one(conn)
        .await
}

/// A member's entries, newest first, after the entry `before` (keyset by id).
pub async fn ledger<C: ConnectionTrait>(
    conn: &C,
    member_id: i64,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<TitledEntry>, DbErr> {
    use sea_orm::FromQueryResult;
    let mut p = crate::db::Params::new(conn.get_database_backend());
    let member = p.push(member_id);
    let before = match before {
        Some(id) => format!("AND e.id < {}", p.push(id)),
        None => String::new(),
    };
    let limit = p.push(i64::try_from(limit).unwrap_or(i64::MAX));
    // One statement: the entries and the title of what each credits.
    let sql = format!(
        "SELECT e.*, COALESCE(c.title, t.title) AS title FROM cec_entry e \
         LEFT JOIN course c ON c.id = e.course_id LEFT JOIN petition t ON t.id = e.petition_id \
         WHERE e.member_id = {member} {before} ORDER BY e.id DESC LIMIT {limit}"
    );
    let rows = conn.query_all_raw(p.statement(sql)).await?;
    rows.iter()
        .map(|row| {
            Ok(TitledEntry {
                entry: cec_entry::Model::from_query_result(row, "")?,
                title: row.try_get("", "title")?,
            })
        })
        .collect()
}

/// A ledger entry and the title of the course or petition it credits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TitledEntry {
    pub entry: cec_entry::Model,
    pub title: Option<String>,
}

/// The credit counted for a cycle: the sum of its entries, reversals included.
pub async fn cycle_total<C: ConnectionTrait>(conn: &C, cycle_id: i64) -> Result<i64, DbErr> {
    let total: Option<Option<i64>> = cec_entry::Entity::find()
        .select_only()
        .column_as(cec_entry::Column::Tenths.sum(), "total")
        .filter(cec_entry::Column::CycleId.eq(cycle_id))
        .into_tuple()
        .one(conn)
        .await?;
    Ok(total.flatten().unwrap_or(0))
}

/// Deletes every ledger row of a member: the privacy lifecycle's purge, the one delete the
/// ledger's triggers let through (while the member is named in `ledger_purge`, inside the
/// caller's transaction).
pub async fn purge_ledger<C: ConnectionTrait>(conn: &C, member_id: i64) -> Result<u64, DbErr> {
    ledger_purge::ActiveModel {
        member_id: Set(member_id),
    }
    .insert(conn)
    .await?;
    // Reversals first: they refer to the entries they cancel.
    let reversals = cec_entry::Entity::delete_many()
        .filter(cec_entry::Column::MemberId.eq(member_id))
        .filter(cec_entry::Column::ReversesId.is_not_null())
        .exec(conn)
        .await?
        .rows_affected;
    let rest = cec_entry::Entity::delete_many()
        .filter(cec_entry::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?
        .rows_affected;
    ledger_purge::Entity::delete_by_id(member_id).exec(conn).await?;
    Ok(reversals + rest)
}

/// Copies a member's certification status to their directory profile (if they have one).
pub async fn set_directory_status<C: ConnectionTrait>(
    conn: &C,
    member_id: i64,
    status: CertificationStatus,
) -> Result<(), DbErr> {
    directory_profile::Entity::update_many()
        .col_expr(directory_profile::Column::CertificationStatus, Expr::val(status))
        .filter(directory_profile::Column::MemberId.eq(member_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The directory's stored statuses of members with a profile (member, status).
pub async fn directory_statuses<C: ConnectionTrait>(conn: &C) -> Result<Vec<(i64, CertificationStatus)>, DbErr> {
    directory_profile::Entity::find()
        .select_only()
        .column(directory_profile::Column::MemberId)
        .column(directory_profile::Column::CertificationStatus)
        .into_tuple()
        .all(conn)
        .await
}

/// The renewal of `cycle_id`, if one was asked for.
pub async fn renewal_of_cycle<C: ConnectionTrait>(
    conn: &C,
    cycle_id: i64,
) -> Result<Option<entity::certification_renewal::Model>, DbErr> {
    use entity::certification_renewal as renewal;
    renewal::Entity::find()
        .filter(renewal::Column::CycleId.eq(cycle_id))
        .one(conn)
        .await
}

/// The renewal a fee pays for.
pub async fn renewal_paid_by<C: ConnectionTrait>(
    conn: &C,
    fee_id: i64,
) -> Result<Option<entity::certification_renewal::Model>, DbErr> {
    use entity::certification_renewal as renewal;
    renewal::Entity::find()
        .filter(renewal::Column::FeeId.eq(fee_id))
        .one(conn)
        .await
}

pub async fn insert_renewal<C: ConnectionTrait>(
    conn: &C,
    member_id: i64,
    cycle_id: i64,
    fee_id: i64,
    now: DateTime<Utc>,
) -> Result<entity::certification_renewal::Model, DbErr> {
    entity::certification_renewal::ActiveModel {
        member_id: Set(member_id),
        cycle_id: Set(cycle_id),
        fee_id: Set(fee_id),
        status: Set(entity::enums::PaymentStatus::AwaitingPayment),
        requested_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// Records that a renewal's fee was paid and which cycle it started.
pub async fn complete_renewal<C: ConnectionTrait>(
    conn: &C,
    renewal_id: i64,
    new_cycle_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    use entity::certification_renewal as renewal;
    renewal::Entity::update_many()
        .col_expr(renewal::Column::Status, Expr::val(entity::enums::PaymentStatus::Paid))
        .col_expr(renewal::Column::CompletedAt, Expr::val(now))
        .col_expr(renewal::Column::NewCycleId, Expr::val(new_cycle_id))
        .filter(renewal::Column::Id.eq(renewal_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// A cycle a renewal reminder may be due for.
#[derive(Debug, sea_orm::FromQueryResult)]
pub struct ReminderCandidate {
    pub cycle_id: i64,
    pub member_id: i64,
    pub ends_on: NaiveDate,
}

/// Cycles ending after `today` and by `horizon` that are their member's latest, not yet
/// asked to be renewed, of an active account.
pub async fn reminder_candidates<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
    horizon: NaiveDate,
) -> Result<Vec<ReminderCandidate>, DbErr> {
    use sea_orm::FromQueryResult;
    let mut p = crate::db::Params::new(conn.get_database_backend());
    let (today, horizon) = (p.push(today), p.push(horizon));
    let sql = format!(
        "SELECT c.id AS cycle_id, c.member_id, c.ends_on FROM certification_cycle c \
         WHERE c.ends_on > {today} AND c.ends_on <= {horizon} \
         AND NOT EXISTS (SELECT 1 FROM certification_cycle n WHERE n.member_id = c.member_id AND n.starts_on > c.starts_on) \
         AND NOT EXISTS (SELECT 1 FROM certification_renewal r WHERE r.cycle_id = c.id) \
         AND EXISTS (SELECT 1 FROM member m WHERE m.id = c.member_id AND m.status = 'active') \
         ORDER BY c.id"
    );
    ReminderCandidate::find_by_statement(p.statement(sql)).all(conn).await
}

/// The reminders (days before expiry) recorded for a cycle, sent or skipped.
pub async fn recorded_reminders<C: ConnectionTrait>(conn: &C, cycle_id: i64) -> Result<Vec<i32>, DbErr> {
    use entity::renewal_reminder as reminder;
    reminder::Entity::find()
        .select_only()
        .column(reminder::Column::DaysBefore)
        .filter(reminder::Column::CycleId.eq(cycle_id))
        .into_tuple()
        .all(conn)
        .await
}

/// Records a reminder unless it already is; `true` when this call recorded it (the one
/// that sends it).
pub async fn record_reminder<C: ConnectionTrait>(
    conn: &C,
    candidate: &ReminderCandidate,
    days_before: i32,
    outcome: entity::enums::ReminderOutcome,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use entity::renewal_reminder as reminder;
    use sea_orm::sea_query::OnConflict;
    let row = reminder::ActiveModel {
        cycle_id: Set(candidate.cycle_id),
        member_id: Set(candidate.member_id),
        days_before: Set(days_before),
        outcome: Set(outcome),
        created_at: Set(now),
        ..Default::default()
    };
    let inserted = reminder::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([reminder::Column::CycleId, reminder::Column::DaysBefore])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(inserted == 1)
}

/// One row of [`dashboard`]: a cycle of the member (with its credit total and its renewal's
/// fee) or one of their latest ledger entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DashboardRow {
    Cycle {
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        total_tenths: i64,
        renewal_fee_cents: Option<i64>,
        renewal_fee_status: Option<String>,
    },
    Entry {
        id: i64,
        earned_on: NaiveDate,
        tenths: i64,
        counts: bool,
        source: String,
        title: Option<String>,
        reason: Option<String>,
    },
}

/// Everything a member's dashboard shows, in one statement: each of their cycles with the
/// credit it holds and its renewal's fee, and their latest `entries` ledger entries with
/// the title of what each credits. Entries come newest first.
pub async fn dashboard<C: ConnectionTrait>(conn: &C, member_id: i64, entries: u64) -> Result<Vec<DashboardRow>, DbErr> {
    let mut p = crate::db::Params::new(conn.get_database_backend());
    let (cycles_of, entries_of) = (p.push(member_id), p.push(member_id));
    let limit = p.push(i64::try_from(entries).unwrap_or(20));
    let sql = format!(
        "SELECT 'c' AS kind, cy.id AS id, cy.starts_on AS d1, cy.ends_on AS d2, \
         (SELECT COALESCE(SUM(x.tenths), 0) FROM cec_entry x WHERE x.cycle_id = cy.id) AS n1, \
         f.amount_cents AS n2, f.status AS s1, NULL AS s2, NULL AS s3 \
         FROM certification_cycle cy LEFT JOIN certification_renewal r ON r.cycle_id = cy.id \
         LEFT JOIN fee f ON f.id = r.fee_id WHERE cy.member_id = {cycles_of} \
         UNION ALL \
         SELECT 'e', l.id, l.earned_on, NULL, l.tenths, l.cycle_id, l.source, l.title, l.reason FROM \
         (SELECT e.id, e.earned_on, e.tenths, e.cycle_id, e.source, COALESCE(c.title, t.title) AS title, e.reason \
          FROM cec_entry e LEFT JOIN course c ON c.id = e.course_id LEFT JOIN petition t ON t.id = e.petition_id \
          WHERE e.member_id = {entries_of} ORDER BY e.id DESC LIMIT {limit}) l"
    );
    let rows = conn.query_all_raw(p.statement(sql)).await?;
    let mut out: Vec<DashboardRow> = rows
        .iter()
        .map(|row| {
            let kind: String = row.try_get("", "kind")?;
            let d1: NaiveDate = row.try_get("", "d1")?;
            let n1: i64 = row.try_get("", "n1")?;
            let n2: Option<i64> = row.try_get("", "n2")?;
            let s1: Option<String> = row.try_get("", "s1")?;
            Ok(if kind == "c" {
                DashboardRow::Cycle {
                    starts_on: d1,
                    ends_on: row.try_get("", "d2")?,
                    total_tenths: n1,
                    renewal_fee_cents: n2,
                    renewal_fee_status: s1,
                }
            } else {
                DashboardRow::Entry {
                    id: row.try_get("", "id")?,
                    earned_on: d1,
                    tenths: n1,
                    counts: n2.is_some(),
                    source: s1.unwrap_or_default(),
                    title: row.try_get("", "s2")?,
                    reason: row.try_get("", "s3")?,
                }
            })
        })
        .collect::<Result<_, DbErr>>()?;
    out.sort_by_key(|row| match row {
        DashboardRow::Cycle { starts_on, .. } => (0, *starts_on, 0),
        DashboardRow::Entry { id, .. } => (1, NaiveDate::MIN, -id),
    });
    Ok(out)
}

/// Benchmark data: cycles for many members in one statement.
#[cfg(feature = "sample-directory")]
pub async fn insert_cycles_bulk<C: ConnectionTrait>(
    conn: &C,
    cycles: Vec<NewCycle>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if cycles.is_empty() {
        return Ok(());
    }
    cycle::Entity::insert_many(cycles.into_iter().map(|new| cycle_row(new, now)))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Benchmark data: ledger entries in one statement.
#[cfg(feature = "sample-directory")]
pub async fn append_entries_bulk<C: ConnectionTrait>(
    conn: &C,
    entries: Vec<NewEntry>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if entries.is_empty() {
        return Ok(());
    }
    cec_entry::Entity::insert_many(entries.into_iter().map(|new| entry_row(new, now)))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Benchmark data: up to `limit` members after id `after` with no certification cycle, and
/// the cycles of a set of members.
#[cfg(feature = "sample-directory")]
pub async fn members_without_cycle<C: ConnectionTrait>(conn: &C, after: i64, limit: u64) -> Result<Vec<i64>, DbErr> {
    use entity::member;
    use sea_orm::sea_query::Query;
    member::Entity::find()
        .select_only()
        .column(member::Column::Id)
        .filter(member::Column::Id.gt(after))
        .filter(
            member::Column::Id.not_in_subquery(
                Query::select()
                    .column(cycle::Column::MemberId)
                    .from(cycle::Entity)
                    .to_owned(),
            ),
        )
        .order_by_asc(member::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await
}

/// The cycles of `members`.
#[cfg(feature = "sample-directory")]
pub async fn cycles_of_members<C: ConnectionTrait>(conn: &C, members: &[i64]) -> Result<Vec<cycle::Model>, DbErr> {
    cycle::Entity::find()
        .filter(cycle::Column::MemberId.is_in(members.iter().copied()))
        .all(conn)
        .await
}

/// Benchmark data: `count` members with a cycle, spread over them (every n-th).
#[cfg(feature = "sample-directory")]
pub async fn members_with_cycle<C: ConnectionTrait>(conn: &C, count: u64) -> Result<Vec<i64>, DbErr> {
    let all: Vec<i64> = cycle::Entity::find()
        .select_only()
        .column(cycle::Column::MemberId)
        .distinct()
        .order_by_asc(cycle::Column::MemberId)
        .into_tuple()
        .all(conn)
        .await?;
    let step = (all.len() / usize::try_from(count.max(1)).unwrap_or(1)).max(1);
    Ok(all
        .into_iter()
        .step_by(step)
        .take(usize::try_from(count).unwrap_or(0))
        .collect())
}

/// How many ledger entries name cycle `cycle_id`.
pub async fn entries_in_cycle<C: ConnectionTrait>(conn: &C, cycle_id: i64) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    cec_entry::Entity::find()
        .filter(cec_entry::Column::CycleId.eq(cycle_id))
        .count(conn)
        .await
}

/// Undoes a paid renewal whose fee was refunded: its cycle (which has no ledger entry) and
/// the renewal go, so the member may renew again.
pub async fn undo_renewal<C: ConnectionTrait>(
    conn: &C,
    renewal: &entity::certification_renewal::Model,
) -> Result<(), DbErr> {
    use entity::certification_renewal as row;
    row::Entity::delete_by_id(renewal.id).exec(conn).await?;
    if let Some(cycle_id) = renewal.new_cycle_id {
        cycle::Entity::delete_by_id(cycle_id).exec(conn).await?;
    }
    Ok(())
}
