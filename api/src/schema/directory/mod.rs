//! The public trainer directory and the member's own profile.

pub mod mutation;
pub mod query;
pub mod types;
