//! Enrolment in courses and workshops, and completion by staff or the course's provider.

pub mod mutation;
pub mod query;
pub mod types;
