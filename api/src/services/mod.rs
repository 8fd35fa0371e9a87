//! Business rules. Services take the [`AppState`](crate::state::AppState), the
//! [`Viewer`](crate::auth::Viewer) and plain values, and return [`crate::error::Result`].
//!
//! Layout: one folder per domain (`accounts/`, `directory/`); the patterns every domain
//! uses beside them (`audit` for writes and staff reads, `mail` for the outbox, `storage`
//! for uploaded files); plumbing in `infra/`; demo data in `seed`; the benchmark's made-up directory in
//! `sample_directory` (only with the `sample-directory` feature).
//!
//! Invariant: nothing here imports async-graphql or actix; SQL lives in `db`; every access
//! decision goes through `authz::require`; every write through `audit::AuditedWrite`.

pub mod accounts;
pub mod audit;
pub mod catalogue;
pub mod certification;
pub mod directory;
pub mod enrolment;
pub mod fees;
pub mod infra;
pub mod mail;
pub mod mail_signature;
pub mod newsletters;
pub mod orders;
pub mod payments;
pub mod petitions;
pub mod privacy;
#[cfg(feature = "sample-directory")]
pub mod sample_directory;
pub mod security;
pub mod seed;
pub mod signing;
pub mod storage;
