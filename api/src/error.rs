//! The services' error type. The GraphQL layer maps it to a stable `extensions.code`
//! (`schema::error`); nothing here knows about GraphQL or HTTP.

use shared::{ErrorCode, FieldError};
use std::time::Duration;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Log in to do this.")]
    Unauthenticated,
    #[error("Wrong e-mail address or password.")]
    InvalidCredentials,
    #[error("This account is disabled. Contact Technical Support.")]
    AccountDisabled,
    #[error("Confirm your e-mail address first: open the link we sent you, or ask for a new one.")]
    EmailUnconfirmed,
    #[error("You are not allowed to do this.")]
    Forbidden,
    #[error("{0}")]
    Validation(FieldError),
    #[error("Not found.")]
    NotFound,
    #[error("{message}")]
    Conflict {
        field: Option<&'static str>,
        message: String,
    },
    #[error("Too many attempts. Try again in {} seconds.", retry_after.as_secs().max(1))]
    RateLimited { retry_after: Duration },
    /// Online payment is not configured, or the payment provider failed (the gateway logs
    /// the provider's answer; the client gets this sentence).
    #[error("{0}")]
    PaymentsUnavailable(&'static str),
    #[error("database error")]
    Db(#[from] sea_orm::DbErr),
    #[error("unexpected error")]
    Unexpected(#[from] anyhow::Error),
}

impl Error {
    /// The stable code a client sees.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Unauthenticated | Error::InvalidCredentials => ErrorCode::Unauthenticated,
            Error::Forbidden | Error::AccountDisabled | Error::EmailUnconfirmed => ErrorCode::Forbidden,
            Error::Validation(_) => ErrorCode::Validation,
            Error::NotFound => ErrorCode::NotFound,
            Error::Conflict { .. } => ErrorCode::Conflict,
            Error::RateLimited { .. } => ErrorCode::RateLimited,
            Error::PaymentsUnavailable(_) => ErrorCode::PaymentsUnavailable,
            Error::Db(_) | Error::Unexpected(_) => ErrorCode::Internal,
        }
    }

    /// A validation error on one field.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Error::Validation(FieldError::new(field, message))
    }
}

/// Turns a unique-constraint violation into a `CONFLICT` on `field`; other errors pass.
pub fn conflict_on_unique(err: sea_orm::DbErr, field: &'static str, message: &str) -> Error {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Error::Conflict {
            field: Some(field),
            message: message.to_owned(),
        },
        _ => Error::Db(err),
    }
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Self {
        Error::Validation(e)
    }
}

impl From<sea_orm::TransactionError<Error>> for Error {
    fn from(e: sea_orm::TransactionError<Error>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(db) => Error::Db(db),
            sea_orm::TransactionError::Transaction(inner) => inner,
        }
    }
}
