//! The integration suite: one binary, one module per area. Each test spawns the real
//! server with a fresh database (SQLite, or PostgreSQL with `TEST_DATABASE_URL`).

mod accounts;
mod architecture;
mod audit;
mod browser;
mod budgets;
mod catalogue;
mod certification;
mod demo;
mod directory;
mod enrolment;
mod entities;
mod failures;
#[cfg(feature = "postgres")]
mod faults;
mod hostile;
mod http;
mod jobs;
mod limits;
mod mail;
mod newsletters;
mod orders;
mod page_views;
mod petitions;
mod photos;
#[cfg(feature = "postgres")]
mod postgres;
mod privacy;
mod retention;
mod sameness;
mod schema;
mod search;
mod security_reports;
mod shared_limits;
mod signatures;
mod tls;
mod tokens;
mod tripwire;
mod validation;
