//! The member's dashboard: the status and dates of the cycle that counts, its credit
//! against the requirement, the renewal's fee, and the latest ledger entries with the
//! titles of what they credit, from one statement (`db::certification::dashboard`).

use super::rules::{self, CycleDates};
use crate::auth::Viewer;
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::db::certification::DashboardRow;
use crate::error::Result;
use crate::state::AppState;
use chrono::NaiveDate;
use entity::enums::{CecSource, CertificationStatus, PaymentStatus};
use sea_orm::ActiveEnum;

/// Ledger entries a dashboard shows.
pub const RECENT_ENTRIES: u64 = 20;

/// What the dashboard shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Dashboard {
    pub status: CertificationStatus,
    /// The cycle that counts now: the current one, else the latest begun.
    pub cycle: Option<CycleDates>,
    pub grace_ends_on: Option<NaiveDate>,
    pub renewal_opens_on: Option<NaiveDate>,
    pub earned_tenths: i64,
    pub required_tenths: i32,
    /// The fee of the counting cycle's renewal, once asked for, and whether it is paid.
    pub renewal_fee: Option<(shared::Money, PaymentStatus)>,
    pub entries: Vec<RecentEntry>,
}

/// A ledger entry as the dashboard lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecentEntry {
    pub id: i64,
    pub earned_on: NaiveDate,
    pub tenths: i64,
    pub counts_for_a_cycle: bool,
    pub source: CecSource,
    pub title: Option<String>,
    pub reason: Option<String>,
}

/// The caller's dashboard.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn my_dashboard(state: &AppState, viewer: &Viewer) -> Result<Dashboard> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?.member_id;
    let settings = &state.settings.certification;
    let today = state.now().date_naive();
    // On the read connections, as the directory's pages (`db::reads`).
    let rows = db::certification::dashboard(&state.reads, me, RECENT_ENTRIES).await?;
    let mut cycles = Vec::new();
    let mut entries = Vec::new();
    for row in rows {
        match row {
            DashboardRow::Cycle {
                starts_on,
                ends_on,
                total_tenths,
                renewal_fee_cents,
                renewal_fee_status,
            } => {
                let fee_status = renewal_fee_status
                    .map(|s| PaymentStatus::try_from_value(&s))
                    .transpose()
                    .map_err(|e| crate::error::Error::Unexpected(anyhow::anyhow!("{e}")))?;
                let fee = renewal_fee_cents
                    .zip(fee_status)
                    .map(|(cents, status)| (shared::Money::from_cents(cents), status));
                cycles.push((CycleDates { starts_on, ends_on }, total_tenths, fee));
            }
            DashboardRow::Entry {
                id,
                earned_on,
                tenths,
                counts,
                source,
                title,
                reason,
            } => entries.push(RecentEntry {
                id,
                earned_on,
                tenths,
                counts_for_a_cycle: counts,
                source: CecSource::try_from_value(&source)
                    .map_err(|e| crate::error::Error::Unexpected(anyhow::anyhow!("{e}")))?,
                title,
                reason,
            }),
        }
    }
    let dates: Vec<CycleDates> = cycles.iter().map(|(d, ..)| *d).collect();
    let status = rules::status_on(&dates, today, settings);
    let counting = rules::counting_cycle(&dates, today).and_then(|i| cycles.get(i));
    Ok(Dashboard {
        status,
        cycle: counting.map(|(c, ..)| *c),
        grace_ends_on: counting.map(|(c, ..)| rules::grace_ends_on(c.ends_on, settings)),
        renewal_opens_on: counting.map(|(c, ..)| rules::renewal_opens_on(c.ends_on, settings)),
        earned_tenths: counting.map_or(0, |(_, total, _)| *total),
        required_tenths: settings.required_tenths,
        renewal_fee: counting.and_then(|(_, _, fee)| *fee),
        entries,
    })
}
