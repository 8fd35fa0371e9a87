//! The one place that turns service errors into GraphQL errors with a stable
//! `extensions.code` (and `field`, `retryAfter` where they apply). Internal errors are
//! returned opaque, their cause kept as the error's source ([`InternalCause`]) for the
//! HTTP layer to log with the resolver path.

use crate::error::Error;
use async_graphql::ErrorExtensions;
use shared::ErrorCode;

/// What went wrong behind an `INTERNAL` error: for the log, never for the client.
#[derive(Debug)]
pub struct InternalCause(pub String);

/// Converts a service error for the client. Takes the error by value: it is consumed on
/// the way out, like `From` would.
#[allow(clippy::needless_pass_by_value, reason = "consumed on the way out, as `From` would")]
pub fn to_graphql(err: Error) -> async_graphql::Error {
    let code = err.code();
    let cause = (code == ErrorCode::Internal).then(|| match &err {
        Error::Db(db) => format!("{db}"),
        Error::Unexpected(e) => format!("{e:#}"),
        other => other.to_string(),
    });
    let message = if cause.is_some() {
        "Internal error. It has been logged; please try again later.".to_owned()
    } else {
        err.to_string()
    };
    let field = match &err {
        Error::Validation(f) => Some(f.field),
        Error::Conflict { field, .. } => *field,
        _ => None,
    };
    let message = match &err {
        Error::Validation(f) => f.message.clone(),
        _ => message,
    };
    let retry_after = match &err {
        Error::RateLimited { retry_after } => Some(retry_after.as_secs().max(1)),
        _ => None,
    };
    let mut error = async_graphql::Error::new(message).extend_with(|_, ext| {
        ext.set("code", code.as_str());
        if let Some(field) = field {
            ext.set("field", field);
        }
        if let Some(seconds) = retry_after {
            ext.set("retryAfter", seconds);
        }
    });
    if let Some(cause) = cause {
        error.source = Some(std::sync::Arc::new(InternalCause(cause)));
    }
    error
}

/// `result.gql()?` in resolvers: the explicit conversion (async-graphql's blanket
/// `From<Display>` would drop the code, so it is never used for service errors).
pub trait GqlResult<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> GqlResult<T> for Result<T, Error> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(to_graphql)
    }
}
