//! The course catalogue: providers and courses, public prices for everyone and member prices
//! for members (P21).

pub mod mutation;
pub mod query;
pub mod types;
