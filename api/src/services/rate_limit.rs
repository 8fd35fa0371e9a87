//! Login throttling (DESIGN "Limits"): a token bucket per e-mail address and one per client
//! IP. Every attempt takes a token, wherever it comes from (one request, a batch, or many
//! aliases in one document), because the check sits in the login service itself.

use crate::config::Limits;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

/// Keys kept before stale buckets are dropped.
const PRUNE_ABOVE: usize = 10_000;

pub struct LoginLimiter {
    per_account: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl LoginLimiter {
    pub fn new(limits: &Limits) -> Self {
        Self {
            per_account: RateLimiter::keyed(quota(
                limits.login_account_burst,
                limits.login_account_period,
            )),
            per_ip: RateLimiter::keyed(quota(limits.login_ip_burst, limits.login_ip_period)),
            clock: DefaultClock::default(),
        }
    }

    /// Takes one attempt for this IP and this (normalised) e-mail. `Err` carries how long
    /// to wait before the next attempt can succeed.
    pub fn check(&self, ip: Option<IpAddr>, email: &str) -> Result<(), Duration> {
        if self.per_account.len() > PRUNE_ABOVE {
            self.per_account.retain_recent();
        }
        if self.per_ip.len() > PRUNE_ABOVE {
            self.per_ip.retain_recent();
        }
        if let Some(ip) = ip {
            self.per_ip
                .check_key(&ip)
                .map_err(|not_until| not_until.wait_time_from(self.clock.now()))?;
        }
        self.per_account
            .check_key(&email.to_owned())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

fn quota(burst: u32, period: Duration) -> Quota {
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(period.max(Duration::from_millis(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(burst)
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
        assert!(
            limiter
                .check(Some([10, 0, 0, 2].into()), "b@example.org")
                .is_ok()
        );
    }
}
