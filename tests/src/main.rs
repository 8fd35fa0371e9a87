//! The integration suite: one binary, one module per area. Each test spawns the real
//! server with a fresh database (SQLite, or PostgreSQL with `TEST_DATABASE_URL`).

mod accounts;
mod audit;
mod browser;
mod budgets;
mod demo;
mod directory;
mod failures;
mod http;
mod limits;
mod photos;
mod privacy;
mod schema;
mod search;
mod tokens;
mod validation;
