//! The typed GraphQL client every page uses. Each operation lives in a `.graphql` file
//! under `frontend/graphql/`; `graphql_client` generates its variables and result types from
//! `docs/schema.graphql` when the web app builds, so renaming a field breaks this build, not
//! a user's page. [`run`] does the transport (POST /graphql, bearer token from
//! `sessionStorage`); the domain modules turn the generated types into what pages show.

mod accounts;
mod catalogue;
mod certification;
mod directory;
mod staff;

pub use accounts::*;
pub use catalogue::*;
pub use certification::*;
pub use directory::*;
pub use staff::*;

use crate::session::stored_token;
use gloo_net::http::Request;
use graphql_client::GraphQLQuery;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use shared::ErrorCode;

/// The `DateTime` scalar: RFC 3339 text, shown as it comes.
pub type DateTime = String;
/// The `NaiveDate` scalar: `YYYY-MM-DD`, shown as it comes.
pub type NaiveDate = String;

/// A failed call, as the pages show it.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// `None` when the server could not be reached or answered something unexpected.
    pub code: Option<ErrorCode>,
    pub message: String,
    /// The input field a `VALIDATION` or `CONFLICT` error is about.
    pub field: Option<String>,
    /// Seconds to wait before trying again, with `RATE_LIMITED`.
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn network(message: impl Into<String>) -> Self {
        Self {
            code: None,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    pub fn is_unauthenticated(&self) -> bool {
        self.code == Some(ErrorCode::Unauthenticated)
    }

    /// The message for `field`, when this error is about it.
    pub fn for_field(&self, field: &str) -> Option<String> {
        (self.field.as_deref() == Some(field)).then(|| self.message.clone())
    }

    /// A sentence for the top of a form.
    pub fn summary(&self) -> String {
        match self.code {
            None => format!(
                "Could not reach the server ({}). Check your connection and try again.",
                self.message
            ),
            Some(ErrorCode::Internal) => "Something went wrong on our side. Please try again later.".to_owned(),
            Some(ErrorCode::RateLimited) => match self.retry_after {
                Some(1) => "Too many attempts: please wait a second and try again.".to_owned(),
                Some(seconds) => format!("Too many attempts: please wait {seconds} seconds and try again."),
                None => self.message.clone(),
            },
            Some(_) => self.message.clone(),
        }
    }
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: Option<T>,
    #[serde(default)]
    errors: Vec<WireError>,
}

#[derive(Deserialize)]
struct WireError {
    message: String,
    #[serde(default)]
    extensions: Option<WireExtensions>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireExtensions {
    code: Option<String>,
    field: Option<String>,
    retry_after: Option<u64>,
}

/// A client-side check in the same shape as the server's `VALIDATION` error.
impl From<shared::FieldError> for ApiError {
    fn from(e: shared::FieldError) -> Self {
        Self {
            code: Some(ErrorCode::Validation),
            message: e.message,
            field: Some(e.field.to_owned()),
            retry_after: None,
        }
    }
}

impl From<WireError> for ApiError {
    fn from(e: WireError) -> Self {
        let ext = e.extensions;
        Self {
            code: ext.as_ref().and_then(|x| x.code.as_deref()).and_then(ErrorCode::parse),
            retry_after: ext.as_ref().and_then(|x| x.retry_after),
            field: ext.and_then(|x| x.field),
            message: e.message,
        }
    }
}

/// A POST to `/graphql` carrying the session's bearer token, if any.
fn authorized() -> gloo_net::http::RequestBuilder {
    let builder = Request::post("/graphql").header("Accept", "application/json");
    match stored_token() {
        Some(token) => builder.header("Authorization", &format!("Bearer {token}")),
        None => builder,
    }
}

/// Sends a prepared request and decodes `data` into `T`; the first error wins.
async fn send<T: DeserializeOwned>(request: gloo_net::http::Request) -> Result<T, ApiError> {
    let response = request.send().await.map_err(|e| ApiError::network(e.to_string()))?;
    let envelope: Envelope<T> = response.json().await.map_err(|e| ApiError::network(e.to_string()))?;
    if let Some(first) = envelope.errors.into_iter().next() {
        return Err(first.into());
    }
    envelope
        .data
        .ok_or_else(|| ApiError::network("the answer held no data"))
}

/// Runs the operation `Q` with `variables` and decodes its typed result.
async fn run<Q: GraphQLQuery>(variables: Q::Variables) -> Result<Q::ResponseData, ApiError> {
    let request = authorized()
        .json(&Q::build_query(variables))
        .map_err(|e| ApiError::network(e.to_string()))?;
    send(request).await
}

/// A certification's state, as the directory shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CertificationStatus {
    Certified,
    Grace,
    Expired,
    None,
    /// A state this build does not know yet (a newer server).
    #[serde(other)]
    Unknown,
}

impl CertificationStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Certified => "certified",
            Self::Grace => "in grace period",
            Self::Expired => "expired",
            Self::None => "not certified",
            Self::Unknown => "unknown",
        }
    }
}

/// Whether a profile is listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProfileStatus {
    Active,
    Disabled,
    #[serde(other)]
    Unknown,
}

/// What typeahead completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SuggestionKind {
    Name,
    City,
    Specialty,
}
