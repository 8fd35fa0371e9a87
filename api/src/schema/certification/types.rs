//! Certification types. CEC amounts are decimal strings (`"0.7"`): exact, as the ledger
//! counts tenths.

use crate::page::{Page, PageRequest};
use crate::schema::directory::types::CertificationStatus;
use crate::schema::pagination::plain_connection;
use crate::services::certification::{CertificationView, LedgerEntry, Verification};
use async_graphql::connection::Connection;
use async_graphql::{Enum, ID, Object, SimpleObject};
use shared::cec::format_tenths;

pub struct Certification(pub CertificationView);

/// A member's certification: its status today, the cycle that counts and its credit.
/// Audience: owner, staff.
#[Object]
impl Certification {
    /// `CERTIFIED` inside a cycle, `GRACE` after its expiry while renewal is still allowed,
    /// `EXPIRED` after grace, `NONE` without a certification. Audience: owner, staff.
    async fn status(&self) -> CertificationStatus {
        self.0.status.into()
    }

    /// First day of the cycle that counts now (the current one, or the last one).
    /// Audience: owner, staff.
    async fn cycle_starts_on(&self) -> Option<chrono::NaiveDate> {
        self.0.cycle.as_ref().map(|c| c.starts_on)
    }

    /// Expiry date of that cycle: the first day it no longer covers. Audience: owner, staff.
    async fn expires_on(&self) -> Option<chrono::NaiveDate> {
        self.0.cycle.as_ref().map(|c| c.ends_on)
    }

    /// The first day after grace: from then on the certification is expired.
    /// Audience: owner, staff.
    async fn grace_ends_on(&self) -> Option<chrono::NaiveDate> {
        self.0.grace_ends_on
    }

    /// Continuing-education credit counted for that cycle, e.g. `"1.4"`. Audience: owner, staff.
    async fn earned_cec(&self) -> String {
        format_tenths(i32::try_from(self.0.earned_tenths).unwrap_or(i32::MAX))
    }

    /// What a cycle requires, e.g. `"2.0"`. Audience: owner, staff.
    async fn required_cec(&self) -> String {
        format_tenths(self.0.required_tenths)
    }
}

/// Where credit came from.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::CecSource")]
pub enum CecSource {
    /// A completed approved course.
    Course,
    /// An approved petition for a course that is not approved.
    Petition,
    /// Staff credited or debited the member, with a reason.
    Adjustment,
    /// Cancels an earlier entry (the ledger is never edited).
    Reversal,
}

pub struct CecEntry(pub LedgerEntry);

impl CecEntry {
    pub const CURSOR_LIST: &'static str = "ledger";

    pub fn connection(request: &PageRequest<i64>, page: Page<LedgerEntry>) -> CecEntryConnection {
        plain_connection(Self::CURSOR_LIST, request, page, |entry| entry.id, CecEntry)
    }
}

/// A page of ledger entries, newest first.
pub type CecEntryConnection = Connection<String, CecEntry>;

/// One entry of the continuing-education credit ledger. Audience: owner, staff.
#[Object]
impl CecEntry {
    /// Stable identifier of the entry. Audience: owner, staff.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Amount, e.g. `"0.7"`; negative for a reversal or a debit. Audience: owner, staff.
    async fn cec(&self) -> String {
        format_tenths(self.0.tenths)
    }

    /// Where it came from. Audience: owner, staff.
    async fn source(&self) -> CecSource {
        self.0.source.into()
    }

    /// Why staff adjusted or reversed it. Audience: owner, staff.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// When the credit was earned. Audience: owner, staff.
    async fn earned_on(&self) -> chrono::NaiveDate {
        self.0.earned_on
    }

    /// True when the entry counts toward a certification cycle (it was earned during a
    /// cycle or its grace). Audience: owner, staff.
    async fn counts_for_a_cycle(&self) -> bool {
        self.0.cycle_id.is_some()
    }

    /// The entry this one reverses. Audience: owner, staff.
    async fn reverses(&self) -> Option<ID> {
        self.0.reverses_id.map(|id| ID(id.to_string()))
    }

    /// When it was recorded (UTC). Audience: owner, staff.
    async fn recorded_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.recorded_at
    }
}

/// What the public certification register says of a trainer: nothing more than the status
/// and the expiry month.
#[derive(SimpleObject)]
pub struct CertificationCheck {
    /// The status today. Audience: public (with the member number and last name).
    pub status: CertificationStatus,
    /// Expiry month of the cycle that counts, `YYYY-MM`. Audience: public (with the member
    /// number and last name).
    pub expiry_month: Option<String>,
}

impl From<Verification> for CertificationCheck {
    fn from(v: Verification) -> Self {
        Self {
            status: v.status.into(),
            expiry_month: v.expiry_month,
        }
    }
}
