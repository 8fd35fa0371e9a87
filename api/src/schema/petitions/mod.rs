//! Petitions for credit from courses that are not approved (P22): filing, the staff queue
//! and its decisions.

pub mod mutation;
pub mod query;
pub mod types;
