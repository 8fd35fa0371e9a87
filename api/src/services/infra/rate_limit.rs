//! Throttles (DESIGN "Limits"): token buckets per key, in memory.
//!
//! - Requests: every GraphQL operation costs one token per root field (aliases count) and
//!   every photo one, from a bucket per client IP without a login and per member with one
//!   ([`RequestLimiter`]; P18: no scraping around the limit).
//! - Password checks: a bucket per account (its e-mail address) and one per client IP,
//!   wherever the check comes from (a login, a batch, many aliases, a re-authentication
//!   before a deletion), because the check sits in the service ([`LoginLimiter`]).
//! - The contact relay and registration have a bucket per IP.

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
    period: Duration,
}

impl<K: Hash + Eq + Clone> KeyedLimiter<K> {
    pub fn new(burst: u32, period: Duration) -> Self {
        let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
        let period = period.max(Duration::from_millis(1));
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Self {
            buckets: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
            period,
        }
    }

    /// `per_minute` tokens a minute, all of them available at once.
    pub fn per_minute(per_minute: u32) -> Self {
        let per_minute = per_minute.max(1);
        Self::new(per_minute, Duration::from_mins(1) / per_minute)
    }

    /// Takes one token for `key`; `Err` says how long until the next one.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        self.check_n(key, 1)
    }

    /// Takes `cost` tokens for `key` at once; `Err` says how long until there are enough.
    /// A cost above the burst can never be paid: it waits a full period.
    pub fn check_n(&self, key: &K, cost: u32) -> Result<(), Duration> {
        if self.buckets.len() > PRUNE_ABOVE {
            self.buckets.retain_recent();
        }
        let cost = NonZeroU32::new(cost).unwrap_or(NonZeroU32::MIN);
        match self.buckets.check_key_n(key, cost) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(not_until.wait_time_from(self.clock.now())),
            Err(_) => Err(self.period),
        }
    }
}

/// Who pays for a request: the client IP without a login, the member with one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Payer {
    Ip(IpAddr),
    Member(i64),
}

/// The per-IP budget of anonymous requests and the per-member budget of logged-in ones.
pub struct RequestLimiter {
    anonymous: KeyedLimiter<IpAddr>,
    members: KeyedLimiter<i64>,
}

impl RequestLimiter {
    pub fn new(limits: &Limits) -> Self {
        Self {
            anonymous: KeyedLimiter::per_minute(limits.anonymous_per_minute),
            members: KeyedLimiter::per_minute(limits.member_per_minute),
        }
    }

    /// Takes `cost` tokens from the payer's budget; a request without a known IP (not
    /// over TCP) is not limited.
    pub fn check(&self, payer: Option<Payer>, cost: u32) -> Result<(), Duration> {
        match payer {
            Some(Payer::Ip(ip)) => self.anonymous.check_n(&ip, cost),
            Some(Payer::Member(id)) => self.members.check_n(&id, cost),
            None => Ok(()),
        }
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
    fn members_and_anonymous_callers_have_budgets_of_their_own() {
        let limits = Limits {
            anonymous_per_minute: 3,
            member_per_minute: 5,
            ..Limits::default()
        };
        let limiter = RequestLimiter::new(&limits);
        let ip = Payer::Ip([10, 0, 0, 1].into());
        assert!(limiter.check(Some(ip), 2).is_ok());
        assert!(limiter.check(Some(ip), 2).is_err(), "3 a minute from one IP");
        assert!(limiter.check(Some(ip), 1).is_ok());
        assert!(limiter.check(Some(Payer::Member(1)), 5).is_ok());
        assert!(limiter.check(Some(Payer::Member(1)), 1).is_err());
        assert!(limiter.check(Some(Payer::Member(2)), 1).is_ok());
        assert!(
            limiter.check(Some(Payer::Member(3)), 6).is_err(),
            "more than the burst at once"
        );
    }

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
