//! Business rules, one file per domain. Services take the [`AppState`](crate::state::AppState),
//! the [`Viewer`](crate::auth::Viewer) and plain values, and return [`crate::error::Result`].
//!
//! Invariant: nothing here imports async-graphql or actix; SQL lives in `db`; every access
//! decision goes through `authz::require`; every write through `audit::AuditedWrite`.

pub mod access_log;
pub mod accounts;
pub mod audit;
pub mod directory;
pub mod mail;
pub mod rate_limit;
pub mod sample_directory;
pub mod seed;
pub mod typos;
