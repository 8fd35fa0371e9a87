//! Business rules, one file per domain. Services take the [`AppState`](crate::state::AppState),
//! the [`Viewer`](crate::auth::Viewer) and plain values, and return [`crate::error::Result`].
//!
//! Invariant: nothing here imports async-graphql or actix; SQL lives in `db`.

pub mod access_log;
pub mod accounts;
pub mod audit;
pub mod directory;
pub mod rate_limit;
pub mod sample_directory;
pub mod seed;
pub mod typos;

use crate::auth::Viewer;
use crate::auth::viewer::Authenticated;
use crate::error::{Error, Result};

/// The caller, who must be logged in.
pub(crate) fn require_member(viewer: &Viewer) -> Result<&Authenticated> {
    viewer.authenticated().ok_or(Error::Unauthenticated)
}

/// The caller, who must be staff or admin.
pub(crate) fn require_staff(viewer: &Viewer) -> Result<&Authenticated> {
    let me = require_member(viewer)?;
    if me.role.is_staff() {
        Ok(me)
    } else {
        Err(Error::Forbidden)
    }
}
