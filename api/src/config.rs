//! Typed settings, read from environment variables. Every variable is documented in the
//! README's configuration table; defaults run with no setup (SQLite under `./data`).

use anyhow::{Context, bail};
use base64::Engine;
use secrecy::SecretString;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything the server needs to know at start.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `CPTN_ADDR`: where to listen. Port 0 picks a free port (tests).
    pub addr: SocketAddr,
    /// `CPTN_DATA_DIR`: the SQLite file, the generated JWT secret and the mail folder live here.
    pub data_dir: PathBuf,
    /// `CPTN_STORAGE_DIR`: uploaded files (default: the data directory). Servers that share
    /// a database share this directory too (a mounted volume).
    pub storage_dir: PathBuf,
    /// `DATABASE_URL`: `sqlite://...` or `postgres://...`. A secret (it may hold the
    /// database password): never printed, `Debug` included.
    pub database_url: SecretString,
    /// `CPTN_JWT_SECRET` (at least 32 characters): when set, the one HMAC key of access
    /// tokens; unset (the default), tokens are signed with the database's `tokens` keys.
    /// Never printed.
    pub jwt_secret: Option<SecretString>,
    /// `CPTN_KEY_ENCRYPTION_KEY` (at least 32 characters), else a random one kept in
    /// `<data dir>/key-encryption-key`: seals the private signing keys in the database.
    /// Servers that share a database must share it.
    pub key_encryption_key: SecretString,
    /// `CPTN_TRUSTED_PROXY`: the only peer whose `X-Forwarded-For` is believed.
    pub trusted_proxy: Option<IpAddr>,
    /// `CPTN_WEB_DIR`: the built web app (Trunk's output).
    pub web_dir: PathBuf,
    /// `CPTN_DB_POOL`: maximum database connections of the general pool, and on PostgreSQL
    /// of the directory's reads too (`db::reads`) (default: [`default_pool_size`]).
    pub db_pool_size: u32,
    /// `CPTN_WORKERS`: HTTP worker threads (default: one per CPU).
    pub workers: usize,
    /// Limits on requests and logins.
    pub limits: Limits,
    /// Token and session lifetimes.
    pub sessions: SessionSettings,
    /// `CPTN_CORS_ORIGINS`: the origins (`https://app.example.org`) whose pages may call the
    /// API from a browser, comma-separated; none by default.
    pub cors_origins: Vec<String>,
    /// `CPTN_TLS_CERT` and `CPTN_TLS_KEY`: PEM files of the certificate chain and its
    /// private key; when both are set the server speaks TLS (1.2 and 1.3) itself and sends
    /// HSTS. Plain HTTP otherwise (the local default, or behind a proxy that terminates TLS).
    pub tls: Option<TlsSettings>,
    /// `CPTN_HTTP_REDIRECT_ADDR`: with TLS, a plain-HTTP address that only redirects to
    /// HTTPS (308).
    pub http_redirect_addr: Option<SocketAddr>,
    /// `CPTN_REDIS_URL`: the Redis through which servers share rate limits and blocks
    /// (`redis://127.0.0.1:6379`); none: each server keeps its own.
    pub redis_url: Option<SecretString>,
    /// `CPTN_PUBLIC_URL`: where people reach the web app, for links in e-mail (default:
    /// `http://<CPTN_ADDR>`).
    pub public_url: String,
    /// Outgoing e-mail.
    pub mail: MailSettings,
    /// The certification rules.
    pub certification: CertificationSettings,
    /// Orders and payment.
    pub payments: PaymentSettings,
    /// Retention periods.
    pub retention: RetentionSettings,
    /// `CPTN_JOBS`: run the scheduled jobs inside `cptn serve` (`on`, the default, or
    /// `off` on servers that should only answer requests).
    pub run_jobs: bool,
}

/// How e-mail leaves (the `mail` job) and how long sent messages are kept.
#[derive(Clone, Debug)]
pub struct MailSettings {
    /// `CPTN_SMTP_URL`: `smtp://host:port` (plain, or `?tls=required` for STARTTLS),
    /// `smtps://host:port` (TLS), credentials as `user:password@`. Unset: each message is
    /// written as an `.eml` file under `<data dir>/mail/`. Never printed.
    pub smtp_url: Option<SecretString>,
    /// `CPTN_MAIL_FROM`: the `From` of every message.
    pub from: String,
    /// `CPTN_MAIL_RETENTION_DAYS`: sent (and failed) messages are deleted this long after.
    pub retention: Duration,
    /// Attempts before a message is given up on.
    pub max_attempts: i32,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            smtp_url: None,
            from: "CPTN Network <no-reply@localhost>".to_owned(),
            retention: Duration::from_hours(30 * 24),
            max_attempts: 10,
        }
    }
}

/// The certification rules (DESIGN "Certification rules"); each a setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificationSettings {
    /// `CPTN_CYCLE_YEARS`: how long a certification cycle lasts.
    pub cycle_years: u32,
    /// `CPTN_GRACE_MONTHS`: how long after expiry a certification is in grace (renewal
    /// still allowed) before it is expired.
    pub grace_months: u32,
    /// `CPTN_CYCLE_CEC`: the continuing-education credit a cycle requires, in tenths of a
    /// CEC (written `2.0` in the variable).
    pub required_tenths: i32,
    /// `CPTN_RENEWAL_WINDOW_DAYS`: how many days before expiry renewal opens (it stays open
    /// to the end of grace).
    pub renewal_window_days: u32,
    /// `CPTN_RENEWAL_FEE`: what a renewal costs, in dollars (`95.00`).
    pub renewal_fee: shared::Money,
    /// `CPTN_REMINDER_DAYS`: renewal reminders go this many days before expiry
    /// (`90,60,30,7`), each once per cycle.
    pub reminder_days: Vec<u32>,
    /// `CPTN_CEC_PER_HOUR`: a course's CEC value per hour unless staff set another, in
    /// tenths of a CEC (written `0.1`).
    pub cec_per_hour_tenths: i32,
    /// `CPTN_PETITION_MAX_CEC`: the most credit one petition may ask for, in tenths
    /// (written `0.7`).
    pub petition_max_tenths: i32,
    /// `CPTN_PETITION_MAX_AGE_MONTHS`: a petition's course must have been completed at most
    /// this many months before filing.
    pub petition_max_age_months: u32,
    /// `CPTN_PETITION_FEE`: what the review of a petition costs, in dollars (`25.00`).
    pub petition_fee: shared::Money,
}

impl Default for CertificationSettings {
    fn default() -> Self {
        Self {
            cycle_years: 2,
            grace_months: 6,
            required_tenths: 20,
            renewal_window_days: 90,
            renewal_fee: shared::Money::from_cents(9500),
            reminder_days: vec![90, 60, 30, 7],
            cec_per_hour_tenths: 1,
            petition_max_tenths: 7,
            petition_max_age_months: 6,
            petition_fee: shared::Money::from_cents(2500),
        }
    }
}

impl CertificationSettings {
    /// The rules from their variables, defaults for those unset.
    fn from_vars(var: &impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let mut certification = Self {
            cycle_years: parse_var(var("CPTN_CYCLE_YEARS"), 2, "CPTN_CYCLE_YEARS")?.clamp(1, 10),
            grace_months: parse_var(var("CPTN_GRACE_MONTHS"), 6, "CPTN_GRACE_MONTHS")?.min(24),
            renewal_window_days: parse_var(var("CPTN_RENEWAL_WINDOW_DAYS"), 90, "CPTN_RENEWAL_WINDOW_DAYS")?.min(365),
            petition_max_age_months: parse_var(var("CPTN_PETITION_MAX_AGE_MONTHS"), 6, "CPTN_PETITION_MAX_AGE_MONTHS")?
                .clamp(1, 60),
            ..Self::default()
        };
        if let Some(days) = var("CPTN_REMINDER_DAYS") {
            let parsed: Result<Vec<u32>, _> = days.split(',').map(|d| d.trim().parse::<u32>()).collect();
            certification.reminder_days = parsed
                .ok()
                .filter(|d| d.iter().all(|n| (1..=365).contains(n)))
                .context("CPTN_REMINDER_DAYS must list days before expiry, such as 90,60,30,7")?;
        }
        if let Some(fee) = var("CPTN_RENEWAL_FEE") {
            certification.renewal_fee = shared::Money::parse_dollars(&fee)
                .context("CPTN_RENEWAL_FEE must be an amount in dollars such as 95.00")?;
        }
        if let Some(cec) = var("CPTN_CEC_PER_HOUR") {
            certification.cec_per_hour_tenths = shared::cec::parse_tenths(&cec)
                .filter(|t| (1..=100).contains(t))
                .context("CPTN_CEC_PER_HOUR must be an amount of CEC such as 0.1")?;
        }
        if let Some(cec) = var("CPTN_CYCLE_CEC") {
            certification.required_tenths = shared::cec::parse_tenths(&cec)
                .filter(|t| (1..=1000).contains(t))
                .context("CPTN_CYCLE_CEC must be an amount of CEC such as 2.0")?;
        }
        if let Some(fee) = var("CPTN_PETITION_FEE") {
            certification.petition_fee = shared::Money::parse_dollars(&fee)
                .context("CPTN_PETITION_FEE must be an amount in dollars such as 25.00")?;
        }
        if let Some(cec) = var("CPTN_PETITION_MAX_CEC") {
            certification.petition_max_tenths = shared::cec::parse_tenths(&cec)
                .filter(|t| (1..=100).contains(t))
                .context("CPTN_PETITION_MAX_CEC must be an amount of CEC such as 0.7")?;
        }
        Ok(certification)
    }
}

/// How long what is kept is kept (P3, P8, P9, P20). With the grace of
/// [`CertificationSettings::grace_months`] and [`MailSettings::retention`], the periods the
/// `retention` job applies; `services::privacy::retention::periods` lists them all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetentionSettings {
    /// `CPTN_LOG_RETENTION_MONTHS`: the access log, page views and ended sessions are
    /// deleted, and the IP and user agent of audit rows replaced by a marker, this many
    /// months after (12).
    pub log_months: u32,
    /// `CPTN_WIPE_DELAY_MONTHS`: an expired member's personal data is wiped this many months
    /// after the certification expired (6); never shorter than the grace.
    pub wipe_delay_months: u32,
    /// `CPTN_PURGE_AFTER_EXPIRY_YEARS`: a tombstone is deleted for good this many years after
    /// the certification expired (7).
    pub purge_after_expiry_years: u32,
    /// `CPTN_UNCONFIRMED_ACCOUNT_DAYS`: an account whose address was never confirmed is
    /// deleted this many days after registering (30).
    pub unconfirmed_days: u32,
    /// `CPTN_INACTIVE_ACCOUNT_YEARS`: a member account with no certification and no login
    /// for this many years is deleted (3).
    pub inactive_years: u32,
    /// `CPTN_DISABLED_PROFILE_YEARS`: a directory profile the public has not seen for this
    /// many years is deleted (2).
    pub disabled_profile_years: u32,
    /// `CPTN_EVIDENCE_RETENTION_YEARS`: a petition's evidence file is deleted this many years
    /// after the decision (2).
    pub evidence_years: u32,
    /// `CPTN_VULNERABILITY_REPORT_YEARS`: a vulnerability report is deleted with its
    /// attachment this many years after it was received (3).
    pub vulnerability_report_years: u32,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self {
            log_months: 12,
            wipe_delay_months: 6,
            purge_after_expiry_years: 7,
            unconfirmed_days: 30,
            inactive_years: 3,
            disabled_profile_years: 2,
            evidence_years: 2,
            vulnerability_report_years: 3,
        }
    }
}

impl RetentionSettings {
    fn from_vars(var: &impl Fn(&str) -> Option<String>, grace_months: u32) -> anyhow::Result<Self> {
        let defaults = Self::default();
        let read = |name: &str, default: u32, max: u32| -> anyhow::Result<u32> {
            let value: u32 = parse_var(var(name), default, name)?;
            if value == 0 || value > max {
                bail!("{name} must be between 1 and {max}");
            }
            Ok(value)
        };
        // Unset, the delay follows a longer grace: nothing is wiped while renewal is open.
        let wipe_delay_months = if var("CPTN_WIPE_DELAY_MONTHS").is_none() {
            defaults.wipe_delay_months.max(grace_months)
        } else {
            let months = read("CPTN_WIPE_DELAY_MONTHS", defaults.wipe_delay_months, 120)?;
            if months < grace_months {
                bail!("CPTN_WIPE_DELAY_MONTHS ({months}) must not be shorter than CPTN_GRACE_MONTHS ({grace_months})");
            }
            months
        };
        let settings = Self {
            log_months: read("CPTN_LOG_RETENTION_MONTHS", defaults.log_months, 120)?,
            wipe_delay_months,
            purge_after_expiry_years: read("CPTN_PURGE_AFTER_EXPIRY_YEARS", defaults.purge_after_expiry_years, 100)?,
            unconfirmed_days: read("CPTN_UNCONFIRMED_ACCOUNT_DAYS", defaults.unconfirmed_days, 3650)?,
            inactive_years: read("CPTN_INACTIVE_ACCOUNT_YEARS", defaults.inactive_years, 100)?,
            disabled_profile_years: read("CPTN_DISABLED_PROFILE_YEARS", defaults.disabled_profile_years, 100)?,
            evidence_years: read("CPTN_EVIDENCE_RETENTION_YEARS", defaults.evidence_years, 100)?,
            vulnerability_report_years: read(
                "CPTN_VULNERABILITY_REPORT_YEARS",
                defaults.vulnerability_report_years,
                100,
            )?,
        };
        if settings.purge_after_expiry_years * 12 <= settings.wipe_delay_months {
            bail!("CPTN_PURGE_AFTER_EXPIRY_YEARS must end after CPTN_WIPE_DELAY_MONTHS");
        }
        Ok(settings)
    }
}

/// Orders and online payment (issue 14).
#[derive(Clone, Debug)]
pub struct PaymentSettings {
    /// `CPTN_STRIPE_SECRET_KEY`: the Stripe API key (`sk_test_...` or `sk_live_...`).
    /// Without it and the webhook secret, `checkout` answers `PAYMENTS_UNAVAILABLE`.
    pub stripe_secret_key: Option<SecretString>,
    /// `CPTN_STRIPE_WEBHOOK_SECRET`: the signing secret of the webhook endpoint (`whsec_...`).
    pub stripe_webhook_secret: Option<SecretString>,
    /// `CPTN_STRIPE_API_BASE`: where the Stripe API is (tests point it at a local fake);
    /// Stripe's own address when unset.
    pub stripe_api_base: Option<String>,
    /// `CPTN_ORDER_HOLD_MINUTES`: how long a pending order holds its seats (30).
    pub hold: Duration,
    /// `CPTN_PAYMENT_LINK_HOURS`: how long a payment link staff send stays payable (24;
    /// Stripe allows at most 24).
    pub payment_link_validity: Duration,
    /// `CPTN_CANCEL_WINDOW_DAYS`: members may cancel a paid order this many days after
    /// paying (14), and never once a workshop in it has begun.
    pub cancel_window_days: u32,
    /// `CPTN_TAXES`: taxes added to every order, `NAME:percent` (two decimals at most) separated by commas
    /// (`GST:5,PST:7`); none by default.
    pub taxes: Vec<Tax>,
}

/// A tax added to orders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tax {
    pub name: String,
    /// 500 = 5%.
    pub basis_points: i32,
}

impl Default for PaymentSettings {
    fn default() -> Self {
        Self {
            stripe_secret_key: None,
            stripe_webhook_secret: None,
            stripe_api_base: None,
            hold: Duration::from_mins(30),
            payment_link_validity: Duration::from_hours(24),
            cancel_window_days: 14,
            taxes: Vec::new(),
        }
    }
}

impl PaymentSettings {
    fn from_vars(var: &impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let mut payments = Self {
            stripe_secret_key: var("CPTN_STRIPE_SECRET_KEY").map(SecretString::from),
            stripe_webhook_secret: var("CPTN_STRIPE_WEBHOOK_SECRET").map(SecretString::from),
            stripe_api_base: var("CPTN_STRIPE_API_BASE").map(|v| v.trim().to_owned()),
            cancel_window_days: parse_var(var("CPTN_CANCEL_WINDOW_DAYS"), 14, "CPTN_CANCEL_WINDOW_DAYS")?.min(365),
            ..Self::default()
        };
        let minutes: u64 = parse_var(var("CPTN_ORDER_HOLD_MINUTES"), 30, "CPTN_ORDER_HOLD_MINUTES")?;
        payments.hold = Duration::from_mins(minutes.clamp(30, 24 * 60));
        let hours: u64 = parse_var(var("CPTN_PAYMENT_LINK_HOURS"), 24, "CPTN_PAYMENT_LINK_HOURS")?;
        payments.payment_link_validity = Duration::from_hours(hours.clamp(1, 24));
        if let Some(taxes) = var("CPTN_TAXES") {
            payments.taxes = parse_taxes(&taxes).context("CPTN_TAXES must list taxes such as GST:5,PST:7")?;
        }
        Ok(payments)
    }

    /// Whether `checkout` can work: both Stripe secrets are set.
    pub fn stripe_configured(&self) -> bool {
        self.stripe_secret_key.is_some() && self.stripe_webhook_secret.is_some()
    }
}

/// `GST:5,PST:7.5` -> taxes; `None` for anything else.
fn parse_taxes(text: &str) -> Option<Vec<Tax>> {
    text.split(',')
        .map(|part| {
            let (name, percent) = part.split_once(':')?;
            let name = name.trim();
            let cents = shared::Money::parse_dollars(percent)?.cents;
            let valid = !name.is_empty() && name.len() <= 40 && (1..=10_000).contains(&cents);
            let basis_points = i32::try_from(cents).ok().filter(|_| valid)?;
            Some(Tax {
                name: name.to_owned(),
                basis_points,
            })
        })
        .collect()
}

/// Request and abuse limits (DESIGN "Limits").
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest accepted request body; larger ones get 413.
    pub max_body_bytes: usize,
    /// Deepest accepted query.
    pub max_depth: usize,
    /// Most aliases in one document.
    pub max_aliases: usize,
    /// Most operations in one batched request.
    pub max_batch: usize,
    /// `CPTN_LOGIN_ACCOUNT_BURST`: login attempts for one e-mail address before throttling;
    /// one attempt is given back every `login_account_period`.
    pub login_account_burst: u32,
    pub login_account_period: Duration,
    /// `CPTN_LOGIN_IP_BURST`: login attempts from one IP before throttling; one attempt is
    /// given back every `login_ip_period`.
    pub login_ip_burst: u32,
    pub login_ip_period: Duration,
    /// `CPTN_CONTACT_IP_BURST`: contact-form messages from one IP before throttling; one
    /// more is allowed every `contact_ip_period`.
    pub contact_ip_burst: u32,
    pub contact_ip_period: Duration,
    /// `CPTN_ANONYMOUS_PER_MINUTE`: operations (root fields) and photos per minute from one
    /// IP without a login (P18, anti-harvesting).
    pub anonymous_per_minute: u32,
    /// `CPTN_MEMBER_PER_MINUTE`: operations (root fields) per minute of one logged-in member.
    pub member_per_minute: u32,
    /// `CPTN_REGISTER_IP_BURST`: registrations and confirmation re-sends from one IP before
    /// throttling; one more every `register_ip_period`.
    pub register_ip_burst: u32,
    pub register_ip_period: Duration,
    /// `CPTN_VERIFY_IP_BURST`: certification-register lookups from one IP before
    /// throttling; one more every `verify_ip_period` (member numbers are sequential: the
    /// register must not be walked).
    pub verify_ip_burst: u32,
    pub verify_ip_period: Duration,
    /// `CPTN_REQUEST_TIMEOUT_SECONDS`: the longest one GraphQL operation may run (10 s);
    /// past it the client gets `TIMEOUT` and what it was writing is rolled back.
    pub request_timeout: Duration,
    /// `CPTN_MAX_COST`: the most one operation may cost, counted before it runs: one per
    /// field, a list field's selection counted `first` times (10,000; introspection is
    /// exempt, as for depth).
    pub max_cost: u64,
    /// `CPTN_PUBLIC_INTROSPECTION`: whether anyone may introspect the schema (true: the
    /// API is meant for integrators); `false` limits introspection, and so GraphiQL's
    /// schema view, to staff.
    pub public_introspection: bool,
    /// `CPTN_MUTATIONS_PER_MINUTE`: mutations (root fields) per minute from one IP without a
    /// login or one member, on top of the request budget.
    pub mutations_per_minute: u32,
    /// `CPTN_UPLOADS_PER_HOUR`: uploads per hour from one IP without a login or one member.
    pub uploads_per_hour: u32,
    /// `CPTN_TRIPWIRE_BLOCK_MINUTES`: how long an address that sent an SQL-injection
    /// signature stays blocked (15 minutes).
    pub tripwire_block: Duration,
    /// `CPTN_BLOCKED_NETWORKS`: addresses refused for good (CIDRs, comma-separated).
    pub blocked_networks: Vec<ipnet::IpNet>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            max_depth: 10,
            max_aliases: 30,
            max_batch: 10,
            login_account_burst: 10,
            login_account_period: Duration::from_mins(1),
            login_ip_burst: 30,
            login_ip_period: Duration::from_secs(6),
            contact_ip_burst: 5,
            contact_ip_period: Duration::from_mins(10),
            anonymous_per_minute: 300,
            member_per_minute: 1200,
            register_ip_burst: 10,
            register_ip_period: Duration::from_mins(6),
            verify_ip_burst: 20,
            verify_ip_period: Duration::from_secs(30),
            request_timeout: Duration::from_secs(10),
            max_cost: 10_000,
            public_introspection: true,
            mutations_per_minute: 60,
            uploads_per_hour: 30,
            tripwire_block: Duration::from_mins(15),
            blocked_networks: Vec::new(),
        }
    }
}

impl Limits {
    fn from_vars(var: &impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let mut limits = Limits::default();
        // Each limit: its variable, then where it goes (at least 1, or no request would pass).
        let counts: [(&str, &mut u32); 9] = [
            ("CPTN_MUTATIONS_PER_MINUTE", &mut limits.mutations_per_minute),
            ("CPTN_UPLOADS_PER_HOUR", &mut limits.uploads_per_hour),
            ("CPTN_LOGIN_ACCOUNT_BURST", &mut limits.login_account_burst),
            ("CPTN_LOGIN_IP_BURST", &mut limits.login_ip_burst),
            ("CPTN_ANONYMOUS_PER_MINUTE", &mut limits.anonymous_per_minute),
            ("CPTN_CONTACT_IP_BURST", &mut limits.contact_ip_burst),
            ("CPTN_MEMBER_PER_MINUTE", &mut limits.member_per_minute),
            ("CPTN_REGISTER_IP_BURST", &mut limits.register_ip_burst),
            ("CPTN_VERIFY_IP_BURST", &mut limits.verify_ip_burst),
        ];
        for (name, slot) in counts {
            *slot = parse_var(var(name), *slot, name)?.max(1);
        }
        let seconds: u64 = parse_var(var("CPTN_REQUEST_TIMEOUT_SECONDS"), 10, "CPTN_REQUEST_TIMEOUT_SECONDS")?;
        limits.request_timeout = Duration::from_secs(seconds.clamp(1, 300));
        limits.max_cost = parse_var(var("CPTN_MAX_COST"), limits.max_cost, "CPTN_MAX_COST")?.max(1);
        limits.public_introspection = match var("CPTN_PUBLIC_INTROSPECTION").as_deref().map(str::trim) {
            None | Some("true") => true,
            Some("false") => false,
            Some(_) => bail!("CPTN_PUBLIC_INTROSPECTION must be true or false"),
        };
        let minutes: u64 = parse_var(var("CPTN_TRIPWIRE_BLOCK_MINUTES"), 15, "CPTN_TRIPWIRE_BLOCK_MINUTES")?;
        limits.tripwire_block = Duration::from_mins(minutes.max(1));
        if let Some(list) = var("CPTN_BLOCKED_NETWORKS") {
            limits.blocked_networks = parse_networks(&list)?;
        }
        Ok(limits)
    }
}

/// Where the TLS certificate and key are (re-read on SIGHUP).
#[derive(Clone, Debug)]
pub struct TlsSettings {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TlsSettings {
    /// `CPTN_TLS_CERT` and `CPTN_TLS_KEY` (both or neither), and `CPTN_HTTP_REDIRECT_ADDR`
    /// (only with them).
    fn from_vars(var: &impl Fn(&str) -> Option<String>) -> anyhow::Result<(Option<Self>, Option<SocketAddr>)> {
        let tls = match (var("CPTN_TLS_CERT"), var("CPTN_TLS_KEY")) {
            (Some(cert), Some(key)) => Some(Self {
                cert: PathBuf::from(cert),
                key: PathBuf::from(key),
            }),
            (None, None) => None,
            _ => bail!("set both CPTN_TLS_CERT and CPTN_TLS_KEY, or neither"),
        };
        let redirect = var("CPTN_HTTP_REDIRECT_ADDR")
            .map(|a| a.parse())
            .transpose()
            .context("CPTN_HTTP_REDIRECT_ADDR must be host:port, e.g. 0.0.0.0:80")?;
        if redirect.is_some() && tls.is_none() {
            bail!("CPTN_HTTP_REDIRECT_ADDR redirects to HTTPS: set CPTN_TLS_CERT and CPTN_TLS_KEY too");
        }
        Ok((tls, redirect))
    }
}

/// Lifetimes of access tokens and the sessions behind them.
#[derive(Clone, Debug)]
pub struct SessionSettings {
    /// How long one access token is valid (15 minutes).
    pub access_token_ttl: Duration,
    /// `CPTN_SESSION_HOURS`: the longest a session can be kept alive by renewing its token.
    pub session_ttl: Duration,
    /// The JWT `iss` claim.
    pub issuer: String,
    /// The JWT `aud` claim.
    pub audience: String,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            access_token_ttl: Duration::from_mins(15),
            session_ttl: Duration::from_hours(12),
            issuer: "cptn-network".to_owned(),
            audience: "cptn-api".to_owned(),
        }
    }
}

impl Settings {
    /// Reads the environment. Creates the data directory and, when
    /// `CPTN_KEY_ENCRYPTION_KEY` is unset, a random key kept in
    /// `<data dir>/key-encryption-key` (mode 0600).
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Settings::from_env`] over any source of variables (tests pass a map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let addr = var("CPTN_ADDR")
            .unwrap_or_else(|| "127.0.0.1:8080".to_owned())
            .parse()
            .context("CPTN_ADDR must be host:port, e.g. 127.0.0.1:8080")?;
        let data_dir = PathBuf::from(var("CPTN_DATA_DIR").unwrap_or_else(|| "data".to_owned()));
        std::fs::create_dir_all(&data_dir)
            .with_context(|| format!("creating data directory {}", data_dir.display()))?;
        let storage_dir = var("CPTN_STORAGE_DIR").map_or_else(|| data_dir.clone(), PathBuf::from);
        let database_url = SecretString::from(var("DATABASE_URL").unwrap_or_else(|| default_sqlite_url(&data_dir)));
        let jwt_secret = match var("CPTN_JWT_SECRET") {
            Some(secret) if secret.len() < 32 => bail!("CPTN_JWT_SECRET must be at least 32 characters"),
            other => other.map(SecretString::from),
        };
        let key_encryption_key = secret_var(
            var("CPTN_KEY_ENCRYPTION_KEY"),
            "CPTN_KEY_ENCRYPTION_KEY",
            &data_dir.join("key-encryption-key"),
        )?;
        let trusted_proxy = var("CPTN_TRUSTED_PROXY")
            .map(|v| v.parse())
            .transpose()
            .context("CPTN_TRUSTED_PROXY must be an IP address")?;
        let web_dir = PathBuf::from(var("CPTN_WEB_DIR").unwrap_or_else(|| "dist".to_owned()));
        let cpus = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let db_pool_size = parse_var(var("CPTN_DB_POOL"), default_pool_size(cpus), "CPTN_DB_POOL")?.max(1);
        let workers = parse_var(var("CPTN_WORKERS"), cpus, "CPTN_WORKERS")?.max(1);

        let limits = Limits::from_vars(&var)?;
        let redis_url = var("CPTN_REDIS_URL").map(SecretString::from);
        let (tls, http_redirect_addr) = TlsSettings::from_vars(&var)?;
        let mut sessions = SessionSettings::default();
        let hours: u64 = parse_var(var("CPTN_SESSION_HOURS"), 12, "CPTN_SESSION_HOURS")?;
        sessions.session_ttl = Duration::from_hours(hours);
        let public_url = var("CPTN_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{addr}"))
            .trim_end_matches('/')
            .to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            bail!("CPTN_PUBLIC_URL must start with http:// or https://");
        }
        let cors_origins = var("CPTN_CORS_ORIGINS")
            .map(|list| parse_origins(&list))
            .transpose()?
            .unwrap_or_default();
        let mut mail = MailSettings::default();
        if let Some(url) = var("CPTN_SMTP_URL") {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                // Not the value itself: it may hold a password.
                bail!("CPTN_SMTP_URL must start with smtp:// or smtps://");
            }
            mail.smtp_url = Some(SecretString::from(url));
        }
        if let Some(from) = var("CPTN_MAIL_FROM") {
            mail.from = from;
        }
        let days: u64 = parse_var(var("CPTN_MAIL_RETENTION_DAYS"), 30, "CPTN_MAIL_RETENTION_DAYS")?;
        mail.retention = Duration::from_hours(days.max(1) * 24);
        let certification = CertificationSettings::from_vars(&var)?;
        let payments = PaymentSettings::from_vars(&var)?;
        let retention = RetentionSettings::from_vars(&var, certification.grace_months)?;
        let run_jobs = match var("CPTN_JOBS").as_deref().map(str::trim) {
            None | Some("on") => true,
            Some("off") => false,
            Some(_) => bail!("CPTN_JOBS must be on or off"),
        };

        Ok(Self {
            addr,
            data_dir,
            storage_dir,
            database_url,
            jwt_secret,
            key_encryption_key,
            trusted_proxy,
            web_dir,
            db_pool_size,
            workers,
            limits,
            sessions,
            cors_origins,
            tls,
            http_redirect_addr,
            redis_url,
            public_url,
            mail,
            certification,
            payments,
            retention,
            run_jobs,
        })
    }

    /// Settings for a throw-away instance (tests, tools): the given database and data
    /// directory, a random secret, port 0.
    pub fn ephemeral(data_dir: &Path, database_url: String) -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.to_path_buf(),
            storage_dir: data_dir.to_path_buf(),
            database_url: SecretString::from(database_url),
            jwt_secret: None,
            key_encryption_key: random_secret(),
            trusted_proxy: None,
            web_dir: data_dir.join("web"),
            db_pool_size: 5,
            workers: 2,
            // A test creates many accounts from one IP; the limit's own test lowers it.
            limits: Limits {
                register_ip_burst: 1000,
                ..Limits::default()
            },
            sessions: SessionSettings::default(),
            cors_origins: Vec::new(),
            tls: None,
            http_redirect_addr: None,
            redis_url: None,
            public_url: "http://127.0.0.1".to_owned(),
            mail: MailSettings::default(),
            certification: CertificationSettings::default(),
            payments: PaymentSettings::default(),
            retention: RetentionSettings::default(),
            run_jobs: true,
        }
    }
}

/// A secret from variable `name` (at least 32 characters), else the one kept in `file`,
/// generated on first use.
fn secret_var(value: Option<String>, name: &str, file: &Path) -> anyhow::Result<SecretString> {
    match value {
        Some(secret) if secret.len() < 32 => bail!("{name} must be at least 32 characters"),
        Some(secret) => Ok(SecretString::from(secret)),
        None => load_or_create_secret(file),
    }
}

/// `https://a.example, http://localhost:3000` -> each origin as browsers send it: a scheme,
/// a host and maybe a port, no path, no trailing slash.
fn parse_origins(list: &str) -> anyhow::Result<Vec<String>> {
    list.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|origin| {
            let rest = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                .filter(|host| !host.is_empty() && !host.contains('/') && !host.contains('*'));
            match rest {
                Some(_) => Ok(origin.to_owned()),
                None => bail!("CPTN_CORS_ORIGINS: {origin:?} is not an origin like https://app.example.org"),
            }
        })
        .collect()
}

/// `CPTN_BLOCKED_NETWORKS`: CIDRs (`203.0.113.0/24`) or single addresses, comma-separated.
fn parse_networks(list: &str) -> anyhow::Result<Vec<ipnet::IpNet>> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    anyhow::anyhow!("CPTN_BLOCKED_NETWORKS: {item} is not a network (203.0.113.0/24) or an address")
                })
        })
        .collect()
}

fn parse_var<T: std::str::FromStr>(value: Option<String>, default: T, name: &str) -> anyhow::Result<T> {
    match value {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{name} has an invalid value {v:?}")),
    }
}

/// Two connections per CPU, at least four. A database works best with about as many
/// statements running as it has cores to run them (PostgreSQL's wiki suggests twice the
/// cores): more connections only queue inside it, each search slower and the tail long.
/// Measured on two cores with the API, the database and the load on one machine: 4
/// connections served as many searches as 16 with half the p99 (`docs/PERFORMANCE.md`).
/// When the database has its own machine, set `CPTN_DB_POOL` from its core count.
pub fn default_pool_size(cpus: usize) -> u32 {
    u32::try_from(cpus.saturating_mul(2)).unwrap_or(u32::MAX).max(4)
}

/// `sqlite://<data>/cptn.db?mode=rwc` (create the file when missing).
pub fn default_sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("cptn.db").display())
}

fn random_secret() -> SecretString {
    let bytes: [u8; 48] = rand::random();
    SecretString::from(base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes))
}

fn load_or_create_secret(path: &Path) -> anyhow::Result<SecretString> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let existing = existing.trim().to_owned();
        if existing.len() >= 32 {
            return Ok(SecretString::from(existing));
        }
    }
    let secret = random_secret();
    write_private_file(path, secret_str(&secret)).with_context(|| format!("writing {}", path.display()))?;
    Ok(secret)
}

fn secret_str(secret: &SecretString) -> &str {
    use secrecy::ExposeSecret;
    secret.expose_secret()
}

#[cfg(unix)]
fn write_private_file(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private_file(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secret_is_kept_with_owner_only_permissions() -> anyhow::Result<()> {
        let dir = std::env::temp_dir().join(format!("cptn-secret-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("key-encryption-key");
        let first = load_or_create_secret(&path)?;
        let second = load_or_create_secret(&path)?;
        assert_eq!(secret_str(&first), secret_str(&second), "the secret is generated once");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)?.permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn payment_settings_are_read_and_online_payment_needs_both_stripe_secrets() -> anyhow::Result<()> {
        let dir = std::env::temp_dir().join(format!("cptn-payments-{}", uuid::Uuid::new_v4()));
        let dir_text = dir.display().to_string();
        let mut vars = std::collections::HashMap::from([
            ("CPTN_DATA_DIR", dir_text.as_str()),
            ("CPTN_STRIPE_SECRET_KEY", "sk_test_x"),
            ("CPTN_TAXES", "GST:5, PST:7.5"),
            ("CPTN_ORDER_HOLD_MINUTES", "10"),
            ("CPTN_CANCEL_WINDOW_DAYS", "7"),
        ]);
        let settings = Settings::from_lookup(|name| vars.get(name).map(|v| (*v).to_owned()))?;
        let payments = &settings.payments;
        assert!(!payments.stripe_configured(), "the webhook secret is missing");
        assert_eq!(
            payments
                .taxes
                .iter()
                .map(|t| (t.name.as_str(), t.basis_points))
                .collect::<Vec<_>>(),
            [("GST", 500), ("PST", 750)]
        );
        assert_eq!(
            payments.hold,
            Duration::from_mins(30),
            "never shorter than Stripe's shortest session"
        );
        assert_eq!(payments.cancel_window_days, 7);
        vars.insert("CPTN_STRIPE_WEBHOOK_SECRET", "whsec_x");
        assert!(
            Settings::from_lookup(|name| vars.get(name).map(|v| (*v).to_owned()))?
                .payments
                .stripe_configured()
        );
        vars.insert("CPTN_TAXES", "GST");
        assert!(Settings::from_lookup(|name| vars.get(name).map(|v| (*v).to_owned())).is_err());
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn the_wipe_delay_is_never_shorter_than_the_grace() -> anyhow::Result<()> {
        let dir = std::env::temp_dir().join(format!("cptn-retention-{}", uuid::Uuid::new_v4()));
        let dir_text = dir.display().to_string();
        let read = |pairs: &[(&str, &str)]| {
            let mut vars: std::collections::HashMap<&str, &str> = pairs.iter().copied().collect();
            vars.insert("CPTN_DATA_DIR", dir_text.as_str());
            Settings::from_lookup(|name| vars.get(name).map(|v| (*v).to_owned()))
        };
        let defaults = read(&[])?.retention;
        assert_eq!(defaults, RetentionSettings::default());
        // Unset, it follows a longer grace; set shorter than the grace, it is refused.
        assert_eq!(read(&[("CPTN_GRACE_MONTHS", "9")])?.retention.wipe_delay_months, 9);
        let short = read(&[("CPTN_GRACE_MONTHS", "9"), ("CPTN_WIPE_DELAY_MONTHS", "6")]);
        assert!(short.is_err_and(|e| e.to_string().contains("CPTN_WIPE_DELAY_MONTHS")));
        let set = read(&[
            ("CPTN_WIPE_DELAY_MONTHS", "12"),
            ("CPTN_PURGE_AFTER_EXPIRY_YEARS", "10"),
            ("CPTN_UNCONFIRMED_ACCOUNT_DAYS", "14"),
            ("CPTN_EVIDENCE_RETENTION_YEARS", "1"),
        ])?
        .retention;
        assert_eq!(
            (
                set.wipe_delay_months,
                set.purge_after_expiry_years,
                set.unconfirmed_days,
                set.evidence_years
            ),
            (12, 10, 14, 1)
        );
        assert!(read(&[("CPTN_INACTIVE_ACCOUNT_YEARS", "0")]).is_err());
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn cors_origins_are_origins() {
        assert_eq!(
            parse_origins(" https://a.example.org, http://localhost:3000 ").ok(),
            Some(vec![
                "https://a.example.org".to_owned(),
                "http://localhost:3000".to_owned()
            ])
        );
        for bad in [
            "*",
            "https://a.example.org/",
            "a.example.org",
            "https://*.example.org",
            "ftp://x",
        ] {
            assert!(parse_origins(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn limits_are_read_from_the_environment() -> anyhow::Result<()> {
        let dir = std::env::temp_dir().join(format!("cptn-settings-{}", uuid::Uuid::new_v4()));
        let dir_text = dir.display().to_string();
        let vars = std::collections::HashMap::from([
            ("CPTN_DATA_DIR", dir_text.as_str()),
            ("CPTN_ANONYMOUS_PER_MINUTE", "1200"),
            ("CPTN_CONTACT_IP_BURST", "2"),
            ("CPTN_LOGIN_IP_BURST", "7"),
        ]);
        let settings = Settings::from_lookup(|name| vars.get(name).map(|v| (*v).to_owned()))?;
        assert_eq!(settings.limits.anonymous_per_minute, 1200);
        assert_eq!(settings.limits.contact_ip_burst, 2);
        assert_eq!(settings.limits.login_ip_burst, 7);
        let defaults = Settings::from_lookup(|name| (name == "CPTN_DATA_DIR").then(|| dir_text.clone()))?;
        assert_eq!(defaults.limits.anonymous_per_minute, 300);
        let bad = Settings::from_lookup(|name| match name {
            "CPTN_DATA_DIR" => Some(dir_text.clone()),
            "CPTN_ANONYMOUS_PER_MINUTE" => Some("lots".to_owned()),
            _ => None,
        });
        assert!(bad.is_err_and(|e| e.to_string().contains("CPTN_ANONYMOUS_PER_MINUTE")));
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn secrets_never_show_in_debug_output() -> anyhow::Result<()> {
        let dir = std::env::temp_dir().join(format!("cptn-settings-{}", uuid::Uuid::new_v4()));
        let dir_text = dir.display().to_string();
        let storage = dir.join("shared-volume").display().to_string();
        let vars = std::collections::HashMap::from([
            ("CPTN_DATA_DIR", dir_text.as_str()),
            ("CPTN_STORAGE_DIR", storage.as_str()),
            ("DATABASE_URL", "postgres://cptn:db-pass-4711@db.internal/cptn"),
            ("CPTN_JWT_SECRET", "jwt-secret-0123456789abcdef0123456789"),
            ("CPTN_SMTP_URL", "smtp://mailer:smtp-pass-4711@mail.internal:587"),
        ]);
        let settings = Settings::from_lookup(|name| vars.get(name).map(|v| (*v).to_owned()))?;
        let printed = format!("{settings:?}");
        for secret in ["db-pass-4711", "jwt-secret-0123", "smtp-pass-4711"] {
            assert!(!printed.contains(secret), "{secret} printed: {printed}");
        }
        assert_eq!(settings.storage_dir, std::path::PathBuf::from(&storage));
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn the_pool_follows_the_cores_unless_set() -> anyhow::Result<()> {
        assert_eq!(default_pool_size(1), 4);
        assert_eq!(default_pool_size(2), 4);
        assert_eq!(default_pool_size(8), 16);
        let dir = std::env::temp_dir().join(format!("cptn-settings-{}", uuid::Uuid::new_v4()));
        let dir_text = dir.display().to_string();
        let set = Settings::from_lookup(|name| match name {
            "CPTN_DATA_DIR" => Some(dir_text.clone()),
            "CPTN_DB_POOL" => Some("3".to_owned()),
            _ => None,
        })?;
        assert_eq!(set.db_pool_size, 3);
        let cpus = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let defaults = Settings::from_lookup(|name| (name == "CPTN_DATA_DIR").then(|| dir_text.clone()))?;
        assert_eq!(defaults.db_pool_size, default_pool_size(cpus));
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn settings_debug_output_hides_the_secret() {
        let settings = Settings::ephemeral(Path::new("/tmp"), "sqlite::memory:".to_owned());
        let printed = format!("{settings:?}");
        assert!(!printed.contains(secret_str(&settings.key_encryption_key)));
    }
}
