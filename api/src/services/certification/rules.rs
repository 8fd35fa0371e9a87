//! The certification rules as plain functions of dates and settings (DESIGN
//! "Certification rules"): when a cycle ends, when its grace ends, the status on a day, and
//! which cycle a credit counts for.

use crate::config::CertificationSettings;
use chrono::{Months, NaiveDate};
use entity::enums::CertificationStatus;

/// A cycle's dates: certified from `starts_on` up to (not including) `ends_on`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CycleDates {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// The expiry date of a cycle starting on `starts_on`: `cycle_years` later (a cycle starting
/// on 29 February ends on 28 February).
pub fn ends_on(starts_on: NaiveDate, rules: &CertificationSettings) -> NaiveDate {
    starts_on
        .checked_add_months(Months::new(rules.cycle_years * 12))
        .unwrap_or(NaiveDate::MAX)
}

/// The first day after grace: from here a certification that ended on `ends_on` is expired.
pub fn grace_ends_on(ends_on: NaiveDate, rules: &CertificationSettings) -> NaiveDate {
    ends_on
        .checked_add_months(Months::new(rules.grace_months))
        .unwrap_or(NaiveDate::MAX)
}

/// The status on `today` given a member's cycles (oldest first): `CERTIFIED` inside a cycle,
/// `GRACE` from the latest cycle's expiry until its grace ends, `EXPIRED` after that, `NONE`
/// without a cycle that has begun.
pub fn status_on(cycles: &[CycleDates], today: NaiveDate, rules: &CertificationSettings) -> CertificationStatus {
    if cycles.iter().any(|c| c.starts_on <= today && today < c.ends_on) {
        return CertificationStatus::Certified;
    }
    let Some(last) = cycles.iter().filter(|c| c.starts_on <= today).max_by_key(|c| c.ends_on) else {
        return CertificationStatus::None;
    };
    if today < grace_ends_on(last.ends_on, rules) {
        CertificationStatus::Grace
    } else {
        CertificationStatus::Expired
    }
}

/// The cycle (by position in `cycles`) that counts on `today`: the one in force, else the
/// latest begun (in grace or expired). `None` before the first cycle begins.
pub fn counting_cycle(cycles: &[CycleDates], today: NaiveDate) -> Option<usize> {
    cycles
        .iter()
        .position(|c| c.starts_on <= today && today < c.ends_on)
        .or_else(|| {
            cycles
                .iter()
                .enumerate()
                .filter(|(_, c)| c.starts_on <= today)
                .max_by_key(|(_, c)| c.ends_on)
                .map(|(i, _)| i)
        })
}

/// The cycle (by position in `cycles`, oldest first) a credit earned on `earned_on` counts
/// for: the latest cycle begun by then, while that cycle is current or in grace (credits
/// earned during grace count for the cycle being renewed). `None` before the first cycle or
/// after the latest one's grace.
pub fn cycle_for(cycles: &[CycleDates], earned_on: NaiveDate, rules: &CertificationSettings) -> Option<usize> {
    let (index, cycle) = cycles
        .iter()
        .enumerate()
        .filter(|(_, c)| c.starts_on <= earned_on)
        .max_by_key(|(_, c)| c.starts_on)?;
    (earned_on < grace_ends_on(cycle.ends_on, rules)).then_some(index)
}

/// The first day renewal of a cycle ending on `ends_on` is allowed (it stays allowed until
/// the grace ends).
pub fn renewal_opens_on(ends_on: NaiveDate, rules: &CertificationSettings) -> NaiveDate {
    ends_on
        .checked_sub_days(chrono::Days::new(u64::from(rules.renewal_window_days)))
        .unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
    }

    fn cycle(starts: &str, rules: &CertificationSettings) -> CycleDates {
        let starts_on = day(starts);
        CycleDates {
            starts_on,
            ends_on: ends_on(starts_on, rules),
        }
    }

    #[test]
    fn status_moves_from_certified_to_grace_to_expired_on_the_right_days() {
        let rules = CertificationSettings::default();
        let cycles = [cycle("2024-03-15", &rules)];
        assert_eq!(cycles[0].ends_on, day("2026-03-15"), "two years");
        let status = |d: &str| status_on(&cycles, day(d), &rules);
        assert_eq!(status("2024-03-14"), CertificationStatus::None, "before the exam");
        assert_eq!(status("2024-03-15"), CertificationStatus::Certified);
        assert_eq!(
            status("2026-03-14"),
            CertificationStatus::Certified,
            "the last certified day"
        );
        assert_eq!(status("2026-03-15"), CertificationStatus::Grace, "the expiry date");
        assert_eq!(
            status("2026-09-14"),
            CertificationStatus::Grace,
            "the last day of grace"
        );
        assert_eq!(status("2026-09-15"), CertificationStatus::Expired, "the day after");
        assert_eq!(status_on(&[], day("2026-01-01"), &rules), CertificationStatus::None);
    }

    #[test]
    fn a_renewed_cycle_starting_at_the_old_expiry_keeps_the_member_certified() {
        let rules = CertificationSettings::default();
        let first = cycle("2024-03-15", &rules);
        let second = cycle("2026-03-15", &rules);
        assert_eq!(
            status_on(&[first, second], day("2026-03-15"), &rules),
            CertificationStatus::Certified
        );
        assert_eq!(
            status_on(&[first, second], day("2028-03-15"), &rules),
            CertificationStatus::Grace
        );
    }

    #[test]
    fn settings_change_the_rules() {
        let rules = CertificationSettings {
            cycle_years: 3,
            grace_months: 1,
            required_tenths: 30,
            ..CertificationSettings::default()
        };
        let cycles = [cycle("2024-01-31", &rules)];
        assert_eq!(cycles[0].ends_on, day("2027-01-31"));
        assert_eq!(
            grace_ends_on(cycles[0].ends_on, &rules),
            day("2027-02-28"),
            "month ends clamp"
        );
        assert_eq!(
            status_on(&cycles, day("2027-02-27"), &rules),
            CertificationStatus::Grace
        );
        assert_eq!(
            status_on(&cycles, day("2027-02-28"), &rules),
            CertificationStatus::Expired
        );
    }

    #[test]
    fn credits_count_for_the_cycle_they_were_earned_in_grace_included() {
        let rules = CertificationSettings::default();
        let first = cycle("2024-03-15", &rules);
        assert_eq!(
            cycle_for(&[first], day("2024-03-14"), &rules),
            None,
            "before the first cycle"
        );
        assert_eq!(cycle_for(&[first], day("2025-01-01"), &rules), Some(0));
        assert_eq!(
            cycle_for(&[first], day("2026-09-14"), &rules),
            Some(0),
            "last day of grace"
        );
        assert_eq!(cycle_for(&[first], day("2026-09-15"), &rules), None, "expired");
        let second = cycle("2026-03-15", &rules);
        assert_eq!(cycle_for(&[first, second], day("2026-03-14"), &rules), Some(0));
        assert_eq!(
            cycle_for(&[first, second], day("2026-03-15"), &rules),
            Some(1),
            "no rollover"
        );
    }
}
