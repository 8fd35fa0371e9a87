//! The privacy lifecycle: page views, retention periods and report, data requests, wipe
//! receipts.

pub mod mutation;
pub mod query;
pub mod types;
