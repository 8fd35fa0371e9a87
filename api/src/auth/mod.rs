//! Who is calling: password hashing, access tokens, and the per-request viewer.
//! May import `db`, `config`, `error`; never async-graphql or actix.

pub mod jwt;
pub mod password;
pub mod viewer;

pub use viewer::{RequestMeta, Viewer};
