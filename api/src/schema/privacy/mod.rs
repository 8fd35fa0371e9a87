//! The privacy lifecycle (issue 15, in progress): page views.

pub mod mutation;
