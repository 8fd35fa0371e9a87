//! Throttles and blocks (DESIGN "Limits", P18), behind one async interface: [`Limiter`].
//!
//! - Requests: every GraphQL operation costs one token per root field (aliases count) and
//!   every photo one, from a budget per client IP without a login and per member with one
//!   ([`RequestLimiter`]; no scraping around the limit). Mutations and uploads pay again
//!   from budgets of their own.
//! - Password checks: a budget per account (its e-mail address) and one per client IP,
//!   wherever the check comes from (a login, a batch, many aliases, a re-authentication
//!   before a deletion), because the check sits in the service ([`LoginLimiter`]).
//! - The contact relay, registration, register lookups and signature checks have a budget
//!   per IP ([`KeyedLimiter`]).
//! - Blocked addresses: the static list (`CPTN_BLOCKED_NETWORKS`) and the tripwire's
//!   timed blocks.
//!
//! Budgets are token buckets (GCRA: `burst` at once, one more every `period`). They live in
//! this process by default. With `CPTN_REDIS_URL` every server keeps them in one Redis, so
//! two servers behind a proxy share each budget and each block; each bucket is one key
//! updated by one Lua script (atomic), read by Redis's own clock. If Redis stops
//! answering, the server goes on with its own memory (limits per server, said in the log
//! and in `/readyz`) and tries Redis again a few seconds later. Keys in Redis are hashes
//! of the budget's key: no address or e-mail is stored there.

use crate::config::Limits;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;
use std::collections::HashMap;
use std::fmt::Display;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Keys kept before stale buckets are dropped (memory).
const PRUNE_ABOVE: usize = 10_000;
/// How long one Redis call may take before the server stops waiting for it.
const REDIS_TIMEOUT: Duration = Duration::from_millis(250);
/// How long the server keeps to its own memory after Redis failed, before trying again.
const REDIS_RETRY_AFTER: Duration = Duration::from_secs(3);

/// One named budget: `burst` tokens at once, one more every `period`, per key.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub name: &'static str,
    pub burst: u32,
    pub period: Duration,
}

impl Budget {
    pub fn new(name: &'static str, burst: u32, period: Duration) -> Self {
        Self {
            name,
            burst: burst.max(1),
            period: period.max(Duration::from_millis(1)),
        }
    }

    /// `count` tokens a minute, all of them available at once.
    pub fn per_minute(name: &'static str, count: u32) -> Self {
        let count = count.max(1);
        Self::new(name, count, Duration::from_mins(1) / count)
    }
}

/// Where the budgets live now, for `/readyz` and the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitsBackend {
    /// This process's memory (no `CPTN_REDIS_URL`).
    Memory,
    /// Shared through Redis.
    Redis,
    /// Redis is configured but not answering: per server until it is back.
    RedisUnreachable,
}

impl LimitsBackend {
    pub fn describe(self) -> &'static str {
        match self {
            LimitsBackend::Memory => "per server (memory)",
            LimitsBackend::Redis => "shared (redis)",
            LimitsBackend::RedisUnreachable => "per server: redis unreachable",
        }
    }
}

/// The one limiter: budgets and blocks, in memory or in Redis.
pub struct Limiter {
    memory: MemoryStore,
    redis: Option<RedisStore>,
    static_blocks: Vec<IpNet>,
}

impl Limiter {
    /// Budgets in this process only.
    pub fn in_memory(static_blocks: Vec<IpNet>) -> Self {
        Self {
            memory: MemoryStore::default(),
            redis: None,
            static_blocks,
        }
    }

    /// Budgets shared through the Redis at `url` (checked when first used, not here: a
    /// server whose Redis is down still starts, per server).
    pub fn with_redis(url: &str, static_blocks: Vec<IpNet>) -> anyhow::Result<Self> {
        let client =
            redis::Client::open(url).map_err(|_| anyhow::anyhow!("CPTN_REDIS_URL is not a valid Redis URL"))?;
        Ok(Self {
            memory: MemoryStore::default(),
            redis: Some(RedisStore::new(client)),
            static_blocks,
        })
    }

    /// Where the budgets live now.
    pub fn backend(&self) -> LimitsBackend {
        match &self.redis {
            None => LimitsBackend::Memory,
            Some(redis) if redis.is_up() => LimitsBackend::Redis,
            Some(_) => LimitsBackend::RedisUnreachable,
        }
    }

    /// Tries Redis now (at start and from `/readyz`), so the answer is current.
    pub async fn probe(&self) -> LimitsBackend {
        if let Some(redis) = &self.redis {
            redis.ping().await;
        }
        self.backend()
    }

    /// Takes `cost` tokens from `key`'s bucket of `budget`; `Err` says how long until there
    /// are enough. A cost above the burst can never be paid: it waits a full period.
    pub async fn take(&self, budget: &Budget, key: &str, cost: u32) -> Result<(), Duration> {
        if let Some(redis) = &self.redis
            && let Some(answer) = redis.take(budget, key, cost).await
        {
            return answer;
        }
        self.memory.take(budget, key, cost)
    }

    /// Blocks `ip` for `duration` (on every server, with Redis).
    pub async fn block(&self, ip: IpAddr, duration: Duration) {
        self.memory.block(ip, duration);
        if let Some(redis) = &self.redis {
            redis.block(ip, duration).await;
        }
    }

    /// Whether `ip` is blocked: `Some(None)` for good (the static list), `Some(Some(d))`
    /// for `d` more.
    pub async fn blocked(&self, ip: IpAddr) -> Option<Option<Duration>> {
        if self.static_blocks.iter().any(|net| net.contains(&ip)) {
            return Some(None);
        }
        if let Some(redis) = &self.redis
            && let Some(answer) = redis.blocked(ip).await
        {
            return answer.map(Some);
        }
        self.memory.blocked(ip).map(Some)
    }
}

#[derive(Default)]
struct MemoryStore {
    buckets: Mutex<HashMap<&'static str, Arc<DefaultKeyedRateLimiter<String>>>>,
    blocks: Mutex<HashMap<IpAddr, Instant>>,
    clock: DefaultClock,
}

impl MemoryStore {
    fn take(&self, budget: &Budget, key: &str, cost: u32) -> Result<(), Duration> {
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        let limiter = buckets
            .entry(budget.name)
            .or_insert_with(|| {
                let quota = Quota::with_period(budget.period)
                    .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
                    .allow_burst(NonZeroU32::new(budget.burst).unwrap_or(NonZeroU32::MIN));
                Arc::new(RateLimiter::keyed(quota))
            })
            .clone();
        drop(buckets);
        if limiter.len() > PRUNE_ABOVE {
            limiter.retain_recent();
        }
        let cost = NonZeroU32::new(cost).unwrap_or(NonZeroU32::MIN);
        match limiter.check_key_n(&key.to_owned(), cost) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(not_until.wait_time_from(self.clock.now())),
            Err(_) => Err(budget.period),
        }
    }

    fn block(&self, ip: IpAddr, duration: Duration) {
        if let Ok(mut blocks) = self.blocks.lock() {
            let now = Instant::now();
            if blocks.len() > PRUNE_ABOVE {
                blocks.retain(|_, until| *until > now);
            }
            blocks.insert(ip, now + duration);
        }
    }

    fn blocked(&self, ip: IpAddr) -> Option<Duration> {
        let blocks = self.blocks.lock().ok()?;
        let left = blocks.get(&ip)?.checked_duration_since(Instant::now())?;
        (!left.is_zero()).then_some(left)
    }
}

/// GCRA in one atomic step: the bucket's "theoretical arrival time" in milliseconds of
/// Redis's clock. Answers 0 when the tokens were taken, or the milliseconds to wait.
const TAKE_SCRIPT: &str = r"
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local period = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
if cost > burst then
  return period
end
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then
  tat = now
end
local next_tat = tat + cost * period
local allowed_at = next_tat - burst * period
if allowed_at > now then
  return allowed_at - now
end
redis.call('SET', KEYS[1], next_tat, 'PX', next_tat - now + 1000)
return 0
";

struct RedisStore {
    client: redis::Client,
    script: redis::Script,
    connection: tokio::sync::Mutex<Option<redis::aio::MultiplexedConnection>>,
    /// When Redis failed last; until [`REDIS_RETRY_AFTER`] later, memory answers.
    failed_at: Mutex<Option<Instant>>,
    up: AtomicBool,
}

impl RedisStore {
    fn new(client: redis::Client) -> Self {
        Self {
            client,
            script: redis::Script::new(TAKE_SCRIPT),
            connection: tokio::sync::Mutex::new(None),
            failed_at: Mutex::new(None),
            up: AtomicBool::new(true),
        }
    }

    fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    /// A connection, unless Redis failed a moment ago (then memory answers meanwhile).
    async fn connection(&self) -> Option<redis::aio::MultiplexedConnection> {
        let resting = self
            .failed_at
            .lock()
            .ok()
            .and_then(|at| *at)
            .is_some_and(|at| at.elapsed() < REDIS_RETRY_AFTER);
        if resting {
            return None;
        }
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Some(connection.clone());
        }
        let connected = tokio::time::timeout(REDIS_TIMEOUT * 4, self.client.get_multiplexed_async_connection()).await;
        if let Ok(Ok(connection)) = connected {
            *slot = Some(connection.clone());
            Some(connection)
        } else {
            drop(slot);
            self.failed().await;
            None
        }
    }

    async fn failed(&self) {
        *self.connection.lock().await = None;
        if let Ok(mut at) = self.failed_at.lock() {
            *at = Some(Instant::now());
        }
        if self.up.swap(false, Ordering::Relaxed) {
            tracing::warn!("redis is not answering: rate limits and blocks are per server until it is back");
        }
    }

    fn succeeded(&self) {
        if !self.up.swap(true, Ordering::Relaxed) {
            tracing::info!("redis answers again: rate limits and blocks are shared");
        }
    }

    /// Runs `command` on Redis within the timeout; `None` when Redis did not answer.
    async fn run<T: redis::FromRedisValue>(
        &self,
        command: impl AsyncFnOnce(&mut redis::aio::MultiplexedConnection) -> redis::RedisResult<T>,
    ) -> Option<T> {
        let mut connection = self.connection().await?;
        if let Ok(Ok(value)) = tokio::time::timeout(REDIS_TIMEOUT, command(&mut connection)).await {
            self.succeeded();
            Some(value)
        } else {
            self.failed().await;
            None
        }
    }

    async fn ping(&self) {
        if let Ok(mut at) = self.failed_at.lock() {
            *at = None;
        }
        let _: Option<String> = self.run(async |c| redis::cmd("PING").query_async(c).await).await;
    }

    async fn take(&self, budget: &Budget, key: &str, cost: u32) -> Option<Result<(), Duration>> {
        let key = format!("cptn:rl:{}:{}", budget.name, hashed(key));
        let period = u64::try_from(budget.period.as_millis()).unwrap_or(u64::MAX).max(1);
        let wait: u64 = self
            .run(async |c| {
                self.script
                    .key(&key)
                    .arg(period)
                    .arg(budget.burst)
                    .arg(cost.max(1))
                    .invoke_async(c)
                    .await
            })
            .await?;
        Some(if wait == 0 {
            Ok(())
        } else {
            Err(Duration::from_millis(wait))
        })
    }

    async fn block(&self, ip: IpAddr, duration: Duration) {
        let key = block_key(ip);
        let millis = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX).max(1);
        let _: Option<()> = self
            .run(async |c| {
                redis::cmd("SET")
                    .arg(&key)
                    .arg(1)
                    .arg("PX")
                    .arg(millis)
                    .query_async(c)
                    .await
            })
            .await;
    }

    /// `Some(None)`: Redis says not blocked; `None`: Redis did not answer.
    async fn blocked(&self, ip: IpAddr) -> Option<Option<Duration>> {
        let key = block_key(ip);
        let left: i64 = self
            .run(async |c| redis::cmd("PTTL").arg(&key).query_async(c).await)
            .await?;
        Some((left > 0).then(|| Duration::from_millis(left.unsigned_abs())))
    }
}

/// The Redis key of `ip`'s block.
fn block_key(ip: IpAddr) -> String {
    format!("cptn:block:{}", hashed(&ip.to_string()))
}

/// A key as Redis stores it: the first 16 bytes of its SHA-256, in hex.
fn hashed(key: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(key.as_bytes());
    shared::hex::encode(&digest[..16])
}

/// One budget per key of type `K` (an IP, an address).
pub struct KeyedLimiter<K> {
    limiter: Arc<Limiter>,
    budget: Budget,
    key: std::marker::PhantomData<fn(&K)>,
}

impl<K: Display> KeyedLimiter<K> {
    pub fn new(limiter: &Arc<Limiter>, budget: Budget) -> Self {
        Self {
            limiter: limiter.clone(),
            budget,
            key: std::marker::PhantomData,
        }
    }

    /// Takes one token for `key`; `Err` says how long until the next one.
    pub async fn check(&self, key: &K) -> Result<(), Duration> {
        self.limiter.take(&self.budget, &key.to_string(), 1).await
    }
}

/// Who pays for a request: the client IP without a login, the member with one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Payer {
    Ip(IpAddr),
    Member(i64),
}

impl Payer {
    fn key(self) -> String {
        match self {
            Payer::Ip(ip) => format!("ip:{ip}"),
            Payer::Member(id) => format!("member:{id}"),
        }
    }
}

/// What a request spends: operations (root fields) always, mutations and uploads again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spend {
    Operations,
    Mutations,
    Uploads,
}

/// The per-IP budgets of anonymous requests and the per-member budgets of logged-in ones.
pub struct RequestLimiter {
    limiter: Arc<Limiter>,
    anonymous: Budget,
    members: Budget,
    mutations: Budget,
    uploads: Budget,
}

impl RequestLimiter {
    pub fn new(limiter: &Arc<Limiter>, limits: &Limits) -> Self {
        Self {
            limiter: limiter.clone(),
            anonymous: Budget::per_minute("anonymous", limits.anonymous_per_minute),
            members: Budget::per_minute("member", limits.member_per_minute),
            mutations: Budget::per_minute("mutations", limits.mutations_per_minute),
            uploads: Budget::new(
                "uploads",
                limits.uploads_per_hour,
                Duration::from_hours(1) / limits.uploads_per_hour.max(1),
            ),
        }
    }

    /// Takes `cost` tokens of `spend` from the payer's budget; a request without a known
    /// IP (not over TCP) is not limited.
    pub async fn check(&self, payer: Option<Payer>, spend: Spend, cost: u32) -> Result<(), Duration> {
        let Some(payer) = payer else { return Ok(()) };
        let budget = match (spend, payer) {
            (Spend::Operations, Payer::Ip(_)) => &self.anonymous,
            (Spend::Operations, Payer::Member(_)) => &self.members,
            (Spend::Mutations, _) => &self.mutations,
            (Spend::Uploads, _) => &self.uploads,
        };
        self.limiter.take(budget, &payer.key(), cost).await
    }
}

pub struct LoginLimiter {
    limiter: Arc<Limiter>,
    per_account: Budget,
    per_ip: Budget,
}

impl LoginLimiter {
    pub fn new(limiter: &Arc<Limiter>, limits: &Limits) -> Self {
        Self {
            limiter: limiter.clone(),
            per_account: Budget::new("login-account", limits.login_account_burst, limits.login_account_period),
            per_ip: Budget::new("login-ip", limits.login_ip_burst, limits.login_ip_period),
        }
    }

    /// Takes one attempt for this IP and this (normalised) e-mail.
    pub async fn check(&self, ip: Option<IpAddr>, email: &str) -> Result<(), Duration> {
        if let Some(ip) = ip {
            self.limiter.take(&self.per_ip, &ip.to_string(), 1).await?;
        }
        self.limiter.take(&self.per_account, email, 1).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn members_and_anonymous_callers_have_budgets_of_their_own() {
        let limits = Limits {
            anonymous_per_minute: 3,
            member_per_minute: 5,
            ..Limits::default()
        };
        let limiter = RequestLimiter::new(&Arc::new(Limiter::in_memory(Vec::new())), &limits);
        let ip = Some(Payer::Ip([10, 0, 0, 1].into()));
        let ops = Spend::Operations;
        assert!(limiter.check(ip, ops, 2).await.is_ok());
        assert!(limiter.check(ip, ops, 2).await.is_err(), "3 a minute from one IP");
        assert!(limiter.check(ip, ops, 1).await.is_ok());
        assert!(limiter.check(Some(Payer::Member(1)), ops, 5).await.is_ok());
        assert!(limiter.check(Some(Payer::Member(1)), ops, 1).await.is_err());
        assert!(limiter.check(Some(Payer::Member(2)), ops, 1).await.is_ok());
        assert!(
            limiter.check(Some(Payer::Member(3)), ops, 6).await.is_err(),
            "more than the burst at once"
        );
    }

    #[tokio::test]
    async fn attempts_beyond_the_burst_are_refused_per_account_and_per_ip() {
        let limits = Limits {
            login_account_burst: 2,
            login_account_period: Duration::from_mins(1),
            login_ip_burst: 3,
            login_ip_period: Duration::from_mins(1),
            ..Limits::default()
        };
        let limiter = LoginLimiter::new(&Arc::new(Limiter::in_memory(Vec::new())), &limits);
        let ip: IpAddr = [10, 0, 0, 1].into();
        assert!(limiter.check(Some(ip), "a@example.org").await.is_ok());
        assert!(limiter.check(Some(ip), "a@example.org").await.is_ok());
        let wait = limiter.check(Some(ip), "a@example.org").await.err();
        assert!(
            wait.is_some_and(|w| w > Duration::ZERO),
            "third try on one account is throttled"
        );
        assert!(
            limiter.check(Some(ip), "b@example.org").await.is_err(),
            "the IP's budget of 3 is spent"
        );
        assert!(limiter.check(Some([10, 0, 0, 2].into()), "b@example.org").await.is_ok());
    }

    #[tokio::test]
    async fn static_networks_are_blocked_for_good_and_timed_blocks_end() {
        let nets = vec!["203.0.113.0/24".parse().unwrap_or_else(|_| IpNet::default())];
        let limiter = Limiter::in_memory(nets);
        assert_eq!(limiter.blocked([203, 0, 113, 9].into()).await, Some(None));
        let ip: IpAddr = [198, 51, 100, 1].into();
        assert_eq!(limiter.blocked(ip).await, None);
        limiter.block(ip, Duration::from_mins(15)).await;
        assert!(
            limiter
                .blocked(ip)
                .await
                .flatten()
                .is_some_and(|d| d > Duration::from_mins(14))
        );
        limiter.block(ip, Duration::from_millis(1)).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert_eq!(limiter.blocked(ip).await, None);
    }
}
