//! Business rules, one file per domain. Services take the [`AppState`](crate::state::AppState),
//! the [`Viewer`](crate::auth::Viewer) and plain values, and return [`crate::error::Result`].
//!
//! Invariant: nothing here imports async-graphql or actix; SQL lives in `db`.

pub mod access_log;
pub mod accounts;
pub mod audit;
pub mod rate_limit;
pub mod seed;
