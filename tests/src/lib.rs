//! The test harness: `TestApp::spawn()` starts the real server on port 0 with a fresh
//! database (SQLite by default, PostgreSQL when `TEST_DATABASE_URL` is set) and offers a
//! GraphQL client. Every HTTP response it sees is checked for `Set-Cookie` (P12).

pub mod fake_stripe;
pub mod harness;

pub use harness::{Gql, TestApp, TestUser};
