//! Throttles (DESIGN "Limits"): token buckets per key, in memory.
//!
//! Logins take a token from a bucket per e-mail address and one per client IP, wherever
//! the attempt comes from (one request, a batch, or many aliases in one document), because
//! the check sits in the login service itself. The contact relay has a bucket per IP.

use crate::config::Limits;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

/// Keys kept before stale buckets are dropped.
const PRUNE_ABOVE: usize = 10_000;

/// `burst` attempts at once, then one more every `period`, per key.
pub struct KeyedLimiter<K: Hash + Eq + Clone> {
    buckets: DefaultKeyedRateLimiter<K>,
    clock: DefaultClock,
}

impl<K: Hash + Eq + Clone> KeyedLimiter<K> {
    pub fn new(burst: u32, period: Duration) -> Self {
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period.max(Duration::from_millis(1)))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Self {
            buckets: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
        }
    }

    /// Takes one token for `key`; `Err` says how long until the next one.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        if self.buckets.len() > PRUNE_ABOVE {
            self.buckets.retain_recent();
        }
        self.buckets
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

pub struct LoginLimiter {
    per_account: KeyedLimiter<String>,
    per_ip: KeyedLimiter<IpAddr>,
}

impl LoginLimiter {
    pub fn new(limits: &Limits) -> Self {
        Self {
            per_account: KeyedLimiter::new(limits.login_account_burst, limits.login_account_period),
            per_ip: KeyedLimiter::new(limits.login_ip_burst, limits.login_ip_period),
        }
    }

    /// Takes one attempt for this IP and this (normalised) e-mail.
    pub fn check(&self, ip: Option<IpAddr>, email: &str) -> Result<(), Duration> {
        if let Some(ip) = ip {
            self.per_ip.check(&ip)?;
        }
        self.per_account.check(&email.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_beyond_the_burst_are_refused_per_account_and_per_ip() {
        let limits = Limits {
            login_account_burst: 2,
            login_account_period: Duration::from_mins(1),
            login_ip_burst: 3,
            login_ip_period: Duration::from_mins(1),
            ..Limits::default()
        };
        let limiter = LoginLimiter::new(&limits);
        let ip: IpAddr = [10, 0, 0, 1].into();
        assert!(limiter.check(Some(ip), "a@example.org").is_ok());
        assert!(limiter.check(Some(ip), "a@example.org").is_ok());
        let wait = limiter.check(Some(ip), "a@example.org").err();
        assert!(
            wait.is_some_and(|w| w > Duration::ZERO),
            "third try on one account is throttled"
        );
        assert!(
            limiter.check(Some(ip), "b@example.org").is_err(),
            "the IP's budget of 3 is spent"
        );
        assert!(limiter.check(Some([10, 0, 0, 2].into()), "b@example.org").is_ok());
    }
}
