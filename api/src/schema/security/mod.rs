//! Vulnerability reports (P20): the public intake, staff's triage and rewards.

pub mod mutation;
pub mod query;
pub mod types;
