//! The CPTN Network server.
//!
//! Layers, and the only direction they may depend on each other:
//! `http -> schema -> services -> db -> entity`, with `auth` and `authz` beside them.
//! See ARCHITECTURE.md for the map and the invariants.

pub mod auth;
pub mod authz;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod schema;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;

pub use config::Settings;
pub use startup::Application;
