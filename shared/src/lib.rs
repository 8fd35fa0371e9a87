//! Types that the server and the WASM web app share: the stable error codes that clients
//! match on, and validated newtypes ("parse, don't validate") used by both the web app's
//! forms and the server's services.
//!
//! This crate builds for `wasm32-unknown-unknown`: it may depend on nothing that needs an
//! operating system (no tokio, no database, no async-graphql).

pub mod card;
pub mod cec;
pub mod error;
pub mod fuzzy;
pub mod hex;
pub mod member;
pub mod money;
pub mod validate;

pub use error::ErrorCode;
pub use member::{MemberNumber, Role};
pub use money::Money;
pub use validate::{Email, FieldError, LegalName, Password, Phone};
