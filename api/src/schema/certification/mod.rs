//! Certification: the member's status and cycle, the credit ledger, staff tools, and the
//! public register.

pub mod mutation;
pub mod query;
pub mod types;
