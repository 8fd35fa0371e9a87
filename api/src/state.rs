//! The application state every request shares.

use crate::auth::jwt::TokenKeys;
use crate::config::Settings;
use crate::services::access_log::AccessLogSender;
use crate::services::rate_limit::{KeyedLimiter, LoginLimiter};
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// The directory's anonymous reads (search, profile pages, typeahead): see `db::reads`.
    pub reads: crate::db::reads::ReadPool,
    pub db_stats: Arc<crate::db::DbStats>,
    pub settings: Arc<Settings>,
    pub tokens: Arc<TokenKeys>,
    pub login_limiter: Arc<LoginLimiter>,
    /// Contact-relay messages per client IP.
    pub contact_limiter: Arc<KeyedLimiter<std::net::IpAddr>>,
    /// Anonymous directory and typeahead reads per client IP (P18).
    pub anonymous_limiter: Arc<KeyedLimiter<std::net::IpAddr>>,
    pub access_log: AccessLogSender,
    /// Typo candidates of recent search words.
    pub typos: Arc<crate::services::typos::TypoCache>,
    /// Parsed GraphQL documents, and the alias limit checked when parsing.
    pub documents: Arc<crate::schema::limits::ParsedDocuments>,
}

impl AppState {
    /// True when the database answers (`/readyz`).
    pub async fn database_ready(&self) -> bool {
        crate::db::ping(&self.db).await
    }
}
