//! Newsletters: lists, double opt-in subscriptions with consent records, campaigns.

pub mod mutation;
pub mod query;
pub mod types;
