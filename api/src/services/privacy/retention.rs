//! The retention rules (P3, P8, P20, P23) as the `retention` job applies them to members,
//! profiles, evidence and data requests, and the list of every period an admin reads.
//!
//! Each rule finds its candidates, re-checks each one inside its own audited write (a
//! renewal or a login between the two keeps the member), acts, and removes the files it
//! freed after the commit. A dry run counts what a run would do and changes nothing.
//! Staff and admin accounts are never reached by the certification rules (their accounts
//! are the body's to close).

use super::erasure::{self, Freed};
use crate::auth::Viewer;
use crate::authz::{self, Audience, Subject};
use crate::config::{RetentionSettings, Settings};
use crate::db;
use crate::error::Result;
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::state::AppState;
use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use entity::enums::{AuditKind, WipeReason};
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// How long a data request may wait for its answer (PIPEDA and GDPR: 30 days).
pub const REQUEST_DUE_DAYS: i64 = 30;

/// One retention period as an admin reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub name: &'static str,
    /// The environment variable that sets it (`None`: fixed).
    pub setting: Option<&'static str>,
    pub amount: u32,
    pub unit: PeriodUnit,
    /// What happens when it ends.
    pub effect: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodUnit {
    Hours,
    Days,
    Months,
    Years,
}

/// Every retention period in force, with the settings that set them.
pub fn periods(settings: &Settings) -> Vec<Period> {
    let r = &settings.retention;
    let mail_days = u32::try_from(settings.mail.retention.as_secs() / 86_400).unwrap_or(u32::MAX);
    let period = |name, setting, amount, unit, effect| Period {
        name,
        setting,
        amount,
        unit,
        effect,
    };
    vec![
        period(
            "Grace after a certification expires",
            Some("CPTN_GRACE_MONTHS"),
            settings.certification.grace_months,
            PeriodUnit::Months,
            "renewal is still open; nothing is wiped",
        ),
        period(
            "Wipe after expiry",
            Some("CPTN_WIPE_DELAY_MONTHS"),
            r.wipe_delay_months,
            PeriodUnit::Months,
            "the account is disabled and wiped of personal data; the tombstone keeps member number, certification history, credit ledger, petition outcomes and order amounts",
        ),
        period(
            "Purge after expiry",
            Some("CPTN_PURGE_AFTER_EXPIRY_YEARS"),
            r.purge_after_expiry_years,
            PeriodUnit::Years,
            "the tombstone and its ledger are deleted; order amounts stay, unlinked",
        ),
        period(
            "Unconfirmed accounts",
            Some("CPTN_UNCONFIRMED_ACCOUNT_DAYS"),
            r.unconfirmed_days,
            PeriodUnit::Days,
            "an account whose e-mail address was never confirmed is deleted, and so is a newsletter subscription never confirmed",
        ),
        period(
            "Accounts without certification or login",
            Some("CPTN_INACTIVE_ACCOUNT_YEARS"),
            r.inactive_years,
            PeriodUnit::Years,
            "a member account with no certification and no login in this time is deleted",
        ),
        period(
            "Disabled profiles",
            Some("CPTN_DISABLED_PROFILE_YEARS"),
            r.disabled_profile_years,
            PeriodUnit::Years,
            "a directory profile the public has not seen in this time is deleted with its photo",
        ),
        period(
            "Access log, page views, sessions, audit IPs and user agents",
            Some("CPTN_LOG_RETENTION_MONTHS"),
            r.log_months,
            PeriodUnit::Months,
            "requests, page views and ended sessions are deleted; audit rows keep their place with the IP and user agent replaced by (expired)",
        ),
        period(
            "Petition evidence",
            Some("CPTN_EVIDENCE_RETENTION_YEARS"),
            r.evidence_years,
            PeriodUnit::Years,
            "after the decision, the uploaded evidence file is deleted; the decision stays",
        ),
        period(
            "Vulnerability reports",
            Some("CPTN_VULNERABILITY_REPORT_YEARS"),
            r.vulnerability_report_years,
            PeriodUnit::Years,
            "after receipt, a vulnerability report is deleted with its attachment (a reward coupon stays)",
        ),
        period(
            "Sent e-mail",
            Some("CPTN_MAIL_RETENTION_DAYS"),
            mail_days,
            PeriodUnit::Days,
            "copies of sent and given-up messages are deleted",
        ),
        period(
            "Spent confirmation links",
            None,
            7,
            PeriodUnit::Days,
            "used or expired confirmation links are deleted",
        ),
        period(
            "Data requests",
            None,
            30,
            PeriodUnit::Days,
            "an erasure or relink request is due; the retention job flags overdue ones to staff",
        ),
    ]
}

/// Admin: the periods in force.
pub fn policy(state: &AppState, viewer: &Viewer) -> Result<Vec<Period>> {
    authz::require(viewer, Audience::Admin, Subject::NOBODY)?;
    Ok(periods(&state.settings))
}

/// Admin: what the rules would do now (their dry run on the main pool; counts only).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn report(state: &AppState, viewer: &Viewer) -> Result<Vec<RuleOutcome>> {
    authz::require(viewer, Audience::Admin, Subject::NOBODY)?;
    apply(&state.db, state, true).await
}

/// The first day a member whose certification ended on `ends_on` is wiped.
pub fn wipe_on(ends_on: NaiveDate, rules: &RetentionSettings) -> NaiveDate {
    ends_on
        .checked_add_months(Months::new(rules.wipe_delay_months))
        .unwrap_or(NaiveDate::MAX)
}

/// The first day the tombstone of a certification that ended on `ends_on` is deleted.
pub fn purge_on(ends_on: NaiveDate, rules: &RetentionSettings) -> NaiveDate {
    ends_on
        .checked_add_months(Months::new(rules.purge_after_expiry_years.saturating_mul(12)))
        .unwrap_or(NaiveDate::MAX)
}

/// What one rule did (or would do): counts only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleOutcome {
    /// The rule and its period, e.g. `wipe 6 months after expiry`.
    pub rule: String,
    /// What it acts on, e.g. `accounts wiped`.
    pub what: &'static str,
    pub count: u64,
}

/// Applies every member, profile, evidence and request rule once (`dry_run`: counts only).
#[tracing::instrument(skip_all, fields(dry_run))]
pub async fn apply(db_pool: &DatabaseConnection, state: &AppState, dry_run: bool) -> Result<Vec<RuleOutcome>> {
    let now = state.now();
    let r = &state.settings.retention;
    let purged = purge_tombstones(db_pool, state, now, dry_run).await?;
    let wiped = wipe_expired(db_pool, state, now, dry_run).await?;
    let unconfirmed = purge_unconfirmed(db_pool, state, now, dry_run).await?;
    let inactive = purge_inactive(db_pool, state, now, dry_run).await?;
    let profiles = purge_disabled_profiles(db_pool, state, now, dry_run).await?;
    let evidence = expire_evidence(db_pool, state, now, dry_run).await?;
    let reports = expire_reports(db_pool, state, now, dry_run).await?;
    let overdue = flag_overdue_requests(db_pool, now, dry_run).await?;
    let outcome = |rule: String, what, count| RuleOutcome { rule, what, count };
    Ok(vec![
        outcome(
            format!("wipe {} months after expiry", r.wipe_delay_months),
            "accounts wiped to a tombstone",
            wiped,
        ),
        outcome(
            format!("purge {} years after expiry", r.purge_after_expiry_years),
            "tombstones deleted",
            purged,
        ),
        outcome(
            format!("unconfirmed accounts after {} days", r.unconfirmed_days),
            "accounts deleted",
            unconfirmed,
        ),
        outcome(
            format!("no certification and no login for {} years", r.inactive_years),
            "accounts deleted",
            inactive,
        ),
        outcome(
            format!("profiles disabled for {} years", r.disabled_profile_years),
            "profiles deleted",
            profiles,
        ),
        outcome(
            format!("petition evidence {} years after the decision", r.evidence_years),
            "evidence files deleted",
            evidence,
        ),
        outcome(
            format!(
                "vulnerability reports {} years after receipt",
                r.vulnerability_report_years
            ),
            "reports deleted",
            reports,
        ),
        outcome(
            format!("data requests open after {REQUEST_DUE_DAYS} days"),
            "requests flagged overdue",
            overdue,
        ),
    ])
}

/// The day, `rules` back from `today`, give or take a few days (month lengths differ):
/// candidates are read with this bound, then judged exactly.
fn loose_bound(today: NaiveDate, months: u32) -> NaiveDate {
    today
        .checked_sub_months(Months::new(months))
        .and_then(|d| d.checked_add_days(Days::new(4)))
        .unwrap_or(NaiveDate::MIN)
}

/// `years` before `now` (calendar years).
fn years_before(now: DateTime<Utc>, years: u32) -> DateTime<Utc> {
    now.checked_sub_months(Months::new(years.saturating_mul(12)))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The end of the member's latest certification cycle.
async fn last_cycle_end<C: ConnectionTrait>(conn: &C, member_id: i64) -> Result<Option<NaiveDate>> {
    let cycles = db::certification::cycles_of(conn, member_id).await?;
    Ok(cycles.iter().map(|c| c.ends_on).max())
}

async fn wipe_expired(
    db_pool: &DatabaseConnection,
    state: &AppState,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<u64> {
    let rules = &state.settings.retention;
    let today = now.date_naive();
    let due = |ends: Option<NaiveDate>| ends.is_some_and(|e| wipe_on(e, rules) <= today && today < purge_on(e, rules));
    let mut count = 0;
    for id in db::privacy::ended_certifications(db_pool, loose_bound(today, rules.wipe_delay_months), true).await? {
        if dry_run {
            count += u64::from(due(last_cycle_end(db_pool, id).await?));
            continue;
        }
        let write = AuditedWrite::begin(db_pool, Actor::operator(now)).await?;
        let ended = last_cycle_end(write.conn(), id).await?;
        let Some(member) = db::members::find_by_id(write.conn(), id).await? else {
            continue;
        };
        if member.wiped_at.is_some() || !due(ended) {
            continue;
        }
        let freed = erasure::wipe(write.conn(), &member, WipeReason::Retention, None, now).await?;
        let detail = format!(
            "retention: certification ended {}, wipe delay {} months",
            ended.unwrap_or_default(),
            rules.wipe_delay_months
        );
        write
            .commit(AuditRecord::new(AuditKind::MemberWiped).about(id).detail(detail))
            .await?;
        freed.remove(state).await;
        count += 1;
    }
    Ok(count)
}

async fn purge_tombstones(
    db_pool: &DatabaseConnection,
    state: &AppState,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<u64> {
    let rules = &state.settings.retention;
    let today = now.date_naive();
    let due = |ends: Option<NaiveDate>| ends.is_some_and(|e| purge_on(e, rules) <= today);
    let bound = loose_bound(today, rules.purge_after_expiry_years.saturating_mul(12));
    let mut count = 0;
    for id in db::privacy::ended_certifications(db_pool, bound, false).await? {
        if dry_run {
            count += u64::from(due(last_cycle_end(db_pool, id).await?));
            continue;
        }
        let detail = format!(
            "retention: {} years after the certification ended",
            rules.purge_after_expiry_years
        );
        let purged = purge_one(db_pool, state, now, id, PurgeRule::Tombstone { today }, detail).await?;
        count += u64::from(purged);
    }
    Ok(count)
}

/// Why a member is deleted for good, with what the rule measures against.
#[derive(Clone, Copy)]
enum PurgeRule {
    /// The purge period after the certification ended.
    Tombstone { today: NaiveDate },
    /// Never confirmed, registered before this.
    Unconfirmed { before: DateTime<Utc> },
    /// No certification and no login since before this.
    Inactive { before: DateTime<Utc> },
}

impl PurgeRule {
    /// Whether `member` is still due (read again inside the write that purges).
    async fn still_due<C: ConnectionTrait>(
        self,
        conn: &C,
        member: &entity::member::Model,
        rules: &RetentionSettings,
    ) -> Result<bool> {
        Ok(match self {
            PurgeRule::Tombstone { today } => last_cycle_end(conn, member.id)
                .await?
                .is_some_and(|ends| purge_on(ends, rules) <= today),
            PurgeRule::Unconfirmed { before } => member.email_confirmed_at.is_none() && member.created_at < before,
            PurgeRule::Inactive { before } => {
                member.last_login_at.unwrap_or(member.created_at) < before
                    && last_cycle_end(conn, member.id).await?.is_none()
            }
        })
    }
}

/// Purges member `id` in its own audited write if `rule` still reaches it there.
async fn purge_one(
    db_pool: &DatabaseConnection,
    state: &AppState,
    now: DateTime<Utc>,
    id: i64,
    rule: PurgeRule,
    detail: String,
) -> Result<bool> {
    let write = AuditedWrite::begin(db_pool, Actor::operator(now)).await?;
    let Some(member) = db::members::find_by_id(write.conn(), id).await? else {
        return Ok(false);
    };
    if !rule.still_due(write.conn(), &member, &state.settings.retention).await? {
        return Ok(false);
    }
    let freed: Freed = erasure::purge(write.conn(), &member, now).await?;
    write
        .commit(AuditRecord::new(AuditKind::AccountPurged).about(id).detail(detail))
        .await?;
    freed.remove(state).await;
    Ok(true)
}

async fn purge_unconfirmed(
    db_pool: &DatabaseConnection,
    state: &AppState,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<u64> {
    let days = state.settings.retention.unconfirmed_days;
    let before = now - chrono::Duration::days(i64::from(days));
    let candidates = db::privacy::unconfirmed_before(db_pool, before).await?;
    if dry_run {
        return Ok(candidates.len() as u64);
    }
    let mut count = 0;
    for id in candidates {
        let detail = format!("retention: address not confirmed within {days} days");
        let purged = purge_one(db_pool, state, now, id, PurgeRule::Unconfirmed { before }, detail).await?;
        count += u64::from(purged);
    }
    Ok(count)
}

async fn purge_inactive(
    db_pool: &DatabaseConnection,
    state: &AppState,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<u64> {
    let years = state.settings.retention.inactive_years;
    let before = years_before(now, years);
    let candidates = db::privacy::inactive_before(db_pool, before).await?;
    if dry_run {
        return Ok(candidates.len() as u64);
    }
    let mut count = 0;
    for id in candidates {
        let detail = format!("retention: no certification and no login for {years} years");
        let purged = purge_one(db_pool, state, now, id, PurgeRule::Inactive { before }, detail).await?;
        count += u64::from(purged);
    }
    Ok(count)
}

async fn purge_disabled_profiles(
    db_pool: &DatabaseConnection,
    state: &AppState,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<u64> {
    let years = state.settings.retention.disabled_profile_years;
    let before = years_before(now, years);
    let candidates = db::privacy::disabled_profiles_before(db_pool, before).await?;
    if dry_run {
        return Ok(candidates.len() as u64);
    }
    let mut count = 0;
    for profile in candidates {
        let write = AuditedWrite::begin(db_pool, Actor::operator(now)).await?;
        let current = db::profiles::find_by_member(write.conn(), profile.member_id).await?;
        let still_hidden = current.is_some_and(|p| p.disabled_since.is_some_and(|since| since < before));
        if !still_hidden {
            continue;
        }
        let freed = erasure::delete_profile_of(write.conn(), profile.member_id).await?;
        write
            .commit(
                AuditRecord::new(AuditKind::ProfilePurged)
                    .about(profile.member_id)
                    .detail(format!("retention: not public for {years} years")),
            )
            .await?;
        freed.remove(state).await;
        count += 1;
    }
    Ok(count)
}

async fn expire_evidence(
    db_pool: &DatabaseConnection,
    state: &AppState,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<u64> {
    let years = state.settings.retention.evidence_years;
    let before = years_before(now, years);
    let candidates = db::privacy::evidence_decided_before(db_pool, before).await?;
    if dry_run {
        return Ok(candidates.len() as u64);
    }
    let mut count = 0;
    for petition in candidates {
        let write = AuditedWrite::begin(db_pool, Actor::operator(now)).await?;
        if !db::privacy::clear_evidence(write.conn(), petition.id).await? {
            continue;
        }
        write
            .commit(
                AuditRecord::new(AuditKind::EvidenceExpired)
                    .about(petition.member_id)
                    .detail(format!("petition {}: {years} years after the decision", petition.id)),
            )
            .await?;
        state
            .storage
            .remove(
                crate::services::storage::FileKind::PetitionEvidence,
                &petition.evidence_file,
            )
            .await;
        count += 1;
    }
    Ok(count)
}

async fn expire_reports(
    db_pool: &DatabaseConnection,
    state: &AppState,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<u64> {
    let years = state.settings.retention.vulnerability_report_years;
    let candidates = db::security::received_before(db_pool, years_before(now, years)).await?;
    if dry_run {
        return Ok(candidates.len() as u64);
    }
    for report in &candidates {
        let write = AuditedWrite::begin(db_pool, Actor::operator(now)).await?;
        db::security::delete(write.conn(), report.id).await?;
        write
            .commit(
                AuditRecord::new(AuditKind::VulnerabilityReportExpired)
                    .detail(format!("report {}: {years} years after receipt", report.id)),
            )
            .await?;
        if let Some(file) = &report.attachment {
            state
                .storage
                .remove(crate::services::storage::FileKind::ReportAttachment, file)
                .await;
        }
    }
    Ok(candidates.len() as u64)
}

async fn flag_overdue_requests(db_pool: &DatabaseConnection, now: DateTime<Utc>, dry_run: bool) -> Result<u64> {
    if dry_run {
        return Ok(db::privacy::overdue_requests(db_pool, now).await?.len() as u64);
    }
    let mut count = 0;
    for request in db::privacy::overdue_requests(db_pool, now).await? {
        let write = AuditedWrite::begin(db_pool, Actor::operator(now)).await?;
        if !db::privacy::flag_overdue(write.conn(), request.id, now).await? {
            continue;
        }
        let member = db::privacy::requester(write.conn(), &request).await?;
        write
            .commit(
                AuditRecord::new(AuditKind::PrivacyRequestOverdue)
                    .about(member.map(|m| m.id))
                    .detail(format!(
                        "request {} was due {}",
                        request.id,
                        request.due_at.date_naive()
                    )),
            )
            .await?;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn the_wipe_and_the_purge_count_from_the_expiry() {
        let rules = RetentionSettings::default();
        assert_eq!(wipe_on(date(2026, 1, 15), &rules), date(2026, 7, 15));
        // A month without the day ends the period on its last day, as the grace does.
        assert_eq!(wipe_on(date(2025, 8, 31), &rules), date(2026, 2, 28));
        assert_eq!(purge_on(date(2026, 1, 15), &rules), date(2033, 1, 15));
    }

    #[test]
    fn the_loose_bound_never_misses_a_due_member() {
        let rules = RetentionSettings::default();
        // Every expiry date whose wipe is due today is on or before the bound read.
        let today = date(2026, 2, 28);
        let mut ends = date(2025, 6, 1);
        while ends <= today {
            if wipe_on(ends, &rules) <= today {
                assert!(ends <= loose_bound(today, rules.wipe_delay_months), "{ends}");
            }
            ends = ends.succ_opt().unwrap_or(NaiveDate::MAX);
        }
    }
}
