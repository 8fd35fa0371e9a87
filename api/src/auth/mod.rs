//! Who is calling: password hashing, access tokens, the per-request viewer, and
//! [`authenticate_request`], the one check every transport runs on a request's credentials.
//! May import `db`, `state`, `config`, `error`; never async-graphql or actix.

pub mod jwt;
pub mod password;
pub mod request;
pub mod viewer;

pub use request::authenticate_request;
pub use viewer::{RequestMeta, Viewer};
