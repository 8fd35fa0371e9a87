//! Accounts and sessions: `register`, `login`, `renewToken`, `logout`, `me`, and the staff
//! account tools.

pub mod mutation;
pub mod query;
pub mod types;
