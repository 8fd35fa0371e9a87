//! Certification (DESIGN "Certification rules", P22 in part): cycles recorded by staff, the
//! status that follows from them and the date, the continuing-education credit ledger, and
//! the public register. The rules are plain functions in [`rules`], each a setting
//! (`config::CertificationSettings`). The directory's `certificationStatus` is a copy kept
//! in the transaction of every change and moved by the daily `certification` job as dates
//! pass.

use crate::error::{Error, Result};

/// Staff never act on their own certification, credit or fees (another staff member does):
/// `FORBIDDEN` when `staff` is `member`.
pub(crate) fn not_on_oneself(staff: i64, member: i64) -> Result<()> {
    if staff == member { Err(Error::Forbidden) } else { Ok(()) }
}

pub mod cycles;
pub mod dashboard;
pub mod ledger;
pub mod register;
pub mod reminders;
pub mod renewal;
pub mod rules;

pub use cycles::{CertificationView, certification_of, record_certification, refresh_directory, reinstate};
pub use dashboard::{Dashboard, RecentEntry, my_dashboard};
pub use ledger::{LedgerEntry, adjust, ledger_of, reverse};
pub use register::{Verification, verify};
pub use renewal::{RenewalView, renew};
