//! The audit trail (P14): staff browse it; members see their own login history through
//! `Member.loginHistory`.

pub mod query;
pub mod types;
