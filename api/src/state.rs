//! The application state every request and job shares.

use crate::auth::jwt::TokenKeys;
use crate::clock::Clock;
use crate::config::Settings;
use crate::services::infra::access_log::AccessLogSender;
use crate::services::infra::rate_limit::{KeyedLimiter, Limiter, LoginLimiter, RequestLimiter};
use crate::services::mail::Mailer;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tokio::sync::Notify;

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// The directory's anonymous reads (search, profile pages, typeahead): see `db::reads`.
    pub reads: crate::db::reads::ReadPool,
    pub db_stats: Arc<crate::db::DbStats>,
    pub settings: Arc<Settings>,
    /// The time services and jobs see (tests move it forward).
    pub clock: Arc<dyn Clock>,
    /// This server process, as job leases name it.
    pub instance_id: String,
    pub tokens: Arc<TokenKeys>,
    /// Budgets and blocks (in memory, or shared through Redis); the limiters below use it.
    pub limiter: Arc<Limiter>,
    /// Password checks per account and per IP.
    pub login_limiter: Arc<LoginLimiter>,
    /// Operations per client IP (anonymous) and per member (P18).
    pub requests: Arc<RequestLimiter>,
    /// Contact-relay messages per client IP.
    pub contact_limiter: Arc<KeyedLimiter<std::net::IpAddr>>,
    /// Certification-register lookups per client IP.
    pub verify_limiter: Arc<KeyedLimiter<std::net::IpAddr>>,
    /// Registrations and confirmation re-sends per client IP.
    pub register_limiter: Arc<KeyedLimiter<std::net::IpAddr>>,
    /// Confirmation re-sends per address (nobody's inbox is flooded).
    pub resend_limiter: Arc<KeyedLimiter<String>>,
    pub access_log: AccessLogSender,
    /// Uploaded files.
    pub storage: crate::services::storage::Storage,
    /// Where e-mail goes.
    pub mailer: Arc<Mailer>,
    /// Woken when a message is queued, so the `mail` job sends it at once.
    pub mail_queued: Arc<Notify>,
    /// Typo candidates of recent search words.
    pub typos: Arc<crate::services::infra::typos::TypoCache>,
    /// Typo candidates of recent catalogue search words.
    pub course_typos: Arc<crate::services::infra::typos::TypoCache>,
    /// Parsed GraphQL documents, and the limits checked when parsing.
    pub documents: Arc<crate::schema::limits::ParsedDocuments>,
    /// Woken when a Stripe event is stored, so the applier (`payments::webhook::applier`)
    /// applies it at once.
    pub payment_events: Arc<Notify>,
    /// Signing keys (outgoing mail), shared with every server through the database.
    pub keys: Arc<crate::services::signing::KeyRing>,
    /// Signature checks per client IP (the public `verifyEmailSignature`).
    pub signature_limiter: Arc<KeyedLimiter<std::net::IpAddr>>,
    /// Vulnerability reports per client IP.
    pub report_limiter: Arc<KeyedLimiter<std::net::IpAddr>>,
    /// The Stripe client, when online payment is configured.
    pub stripe: Option<crate::services::payments::gateway::StripeGateway>,
}

impl AppState {
    /// True when the database answers (`/readyz`).
    pub async fn database_ready(&self) -> bool {
        crate::db::ping(&self.db).await
    }

    /// The current time, from the state's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The Stripe client, or `PAYMENTS_UNAVAILABLE` when online payment is not configured.
    pub fn stripe(&self) -> crate::error::Result<&crate::services::payments::gateway::StripeGateway> {
        self.stripe.as_ref().ok_or(crate::error::Error::PaymentsUnavailable(
            "Online payment is not available on this server. Contact us to pay another way.",
        ))
    }

    /// Tells the `mail` job a message was queued (call after the commit).
    pub fn wake_mailer(&self) {
        self.mail_queued.notify_one();
    }
}
