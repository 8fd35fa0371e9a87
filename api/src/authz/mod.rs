//! Who may read what: one vocabulary of audiences and one guard constructor. Every GraphQL
//! field that carries personal data names its audience in its doc and enforces it with
//! `#[graphql(guard = "readable_by(Audience::..., owner)")]`.
//!
//! Invariant: no resolver checks roles by hand; they use these guards or a service that
//! checks the viewer.

pub mod audience;
pub mod guards;

pub use audience::Audience;
pub use guards::{Subject, readable_by};
