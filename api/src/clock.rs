//! The time the services and jobs see. Production reads the system clock; tests hold a
//! [`ManualClock`] and move it forward to travel in time (a message's next attempt, a
//! retention period) without waiting.

use chrono::{DateTime, Utc};
use std::sync::Mutex;

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The system clock shifted by an offset that only grows: time runs on as usual, and
/// [`ManualClock::advance`] jumps ahead.
#[derive(Debug, Default)]
pub struct ManualClock {
    offset: Mutex<chrono::Duration>,
}

impl ManualClock {
    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        if let Ok(mut offset) = self.offset.lock() {
            *offset += by;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        let offset = self.offset.lock().map(|o| *o).unwrap_or_default();
        Utc::now() + offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_runs_on_and_jumps_ahead() {
        let clock = ManualClock::default();
        let before = clock.now();
        clock.advance(chrono::Duration::days(31));
        let after = clock.now();
        assert!(after - before >= chrono::Duration::days(31));
        assert!(after - before < chrono::Duration::days(31) + chrono::Duration::seconds(5));
    }
}
