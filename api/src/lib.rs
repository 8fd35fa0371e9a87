//! The CPTN Network server.
//!
//! Layers, and the only direction they may depend on each other:
//! `http -> schema -> services -> db -> entity`, with `auth` and `authz` beside them;
//! `jobs` runs services on a schedule; `page`, `clock`, `error` and `config` are used by all.
//! See ARCHITECTURE.md for the map and the invariants.

// The root mutation merges a dozen domains, and proving its resolvers' futures `Send`
// walks through Stripe's deeply nested types: the default depth (128) is not enough.
#![recursion_limit = "256"]

pub mod auth;
pub mod authz;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod jobs;
pub mod page;
pub mod schema;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;

#[cfg(test)]
mod fuzz;

pub use config::Settings;
pub use startup::Application;
