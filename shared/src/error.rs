//! The stable error codes of the GraphQL API (`extensions.code`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Every error the API returns carries exactly one of these codes in `extensions.code`.
/// The names are part of the public API: never rename one, only add.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// No valid session: the token is missing, expired, revoked or malformed.
    Unauthenticated,
    /// The caller is known but may not do or read this.
    Forbidden,
    /// The input is malformed; `extensions.field` names the offending field when there is one.
    Validation,
    /// The thing asked for does not exist (or the caller may not know it exists).
    NotFound,
    /// The request conflicts with current state (e.g. the e-mail is already registered).
    Conflict,
    /// Too many attempts; `extensions.retryAfter` says how many seconds to wait.
    RateLimited,
    /// The request body is larger than the server accepts.
    PayloadTooLarge,
    /// Something failed on the server; the cause is logged, never returned.
    Internal,
    /// Online payment cannot be taken now: it is not configured on this server, or the
    /// payment provider did not answer. Other ways to pay (staff, cheque) still work.
    PaymentsUnavailable,
    /// The operation ran longer than the server allows (`CPTN_REQUEST_TIMEOUT_SECONDS`);
    /// whatever it was writing was rolled back.
    Timeout,
    /// The query would cost more than the server allows (`CPTN_MAX_COST`): list fields are
    /// weighted by their `first`; `extensions.cost` and `extensions.maxCost` say by how much.
    QueryTooCostly,
    /// The request was taken for an attack (an SQL-injection signature in a search or
    /// lookup argument), or its address is on the block list; `extensions.retryAfter` says
    /// for how many seconds the address stays blocked, when it is not for good.
    Blocked,
}

impl ErrorCode {
    /// All codes, in declaration order.
    pub const ALL: [ErrorCode; 12] = [
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::Validation,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::RateLimited,
        ErrorCode::PayloadTooLarge,
        ErrorCode::Internal,
        ErrorCode::PaymentsUnavailable,
        ErrorCode::Timeout,
        ErrorCode::QueryTooCostly,
        ErrorCode::Blocked,
    ];

    /// The wire form, as it appears in `extensions.code`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::Validation => "VALIDATION",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::PaymentsUnavailable => "PAYMENTS_UNAVAILABLE",
            ErrorCode::Timeout => "TIMEOUT",
            ErrorCode::QueryTooCostly => "QUERY_TOO_COSTLY",
            ErrorCode::Blocked => "BLOCKED",
        }
    }

    /// Parses the wire form; unknown codes (from a newer server) give `None`.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_round_trips_through_parse_and_serde() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
            let json = serde_json::to_string(&code).ok();
            assert_eq!(json, Some(format!("\"{}\"", code.as_str())));
        }
        assert_eq!(ErrorCode::parse("NOPE"), None);
    }
}
