//! The typed GraphQL client every page uses. One `request` function does the transport
//! (POST /graphql, bearer token from `sessionStorage`); each operation below is a typed
//! function with its query text and result type.

use crate::session::stored_token;
use gloo_net::http::Request;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shared::ErrorCode;

/// A failed call, as the pages show it.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// `None` when the server could not be reached or answered something unexpected.
    pub code: Option<ErrorCode>,
    pub message: String,
    /// The input field a `VALIDATION` or `CONFLICT` error is about.
    pub field: Option<String>,
}

impl ApiError {
    fn network(message: impl Into<String>) -> Self {
        Self {
            code: None,
            message: message.into(),
            field: None,
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
            Some(ErrorCode::Internal) => {
                "Something went wrong on our side. Please try again later.".to_owned()
            }
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
struct WireExtensions {
    code: Option<String>,
    field: Option<String>,
}

impl From<WireError> for ApiError {
    fn from(e: WireError) -> Self {
        let ext = e.extensions;
        Self {
            code: ext
                .as_ref()
                .and_then(|x| x.code.as_deref())
                .and_then(ErrorCode::parse),
            field: ext.and_then(|x| x.field),
            message: e.message,
        }
    }
}

#[derive(Serialize)]
struct Body<'a> {
    query: &'a str,
    variables: Value,
}

/// Sends one operation and decodes `data` into `T`.
async fn request<T: DeserializeOwned>(query: &str, variables: Value) -> Result<T, ApiError> {
    let mut builder = Request::post("/graphql").header("Accept", "application/json");
    if let Some(token) = stored_token() {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    let response = builder
        .json(&Body { query, variables })
        .map_err(|e| ApiError::network(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::network(e.to_string()))?;
    let envelope: Envelope<T> = response
        .json()
        .await
        .map_err(|e| ApiError::network(e.to_string()))?;
    if let Some(first) = envelope.errors.into_iter().next() {
        return Err(first.into());
    }
    envelope
        .data
        .ok_or_else(|| ApiError::network("the answer held no data"))
}

/// What `login` and `renewToken` return.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub token: String,
    pub expires_at: String,
}

pub async fn register(email: &str, password: &str, legal_name: &str) -> Result<String, ApiError> {
    #[derive(Deserialize)]
    struct Data {
        register: Registered,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Registered {
        member_number: String,
    }
    let data: Data = request(
        "mutation Register($input: RegisterInput!) { register(input: $input) { memberNumber } }",
        json!({ "input": { "email": email, "password": password, "legalName": legal_name } }),
    )
    .await?;
    Ok(data.register.member_number)
}

pub async fn login(email: &str, password: &str) -> Result<Session, ApiError> {
    #[derive(Deserialize)]
    struct Data {
        login: Session,
    }
    let data: Data = request(
        "mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { token expiresAt } }",
        json!({ "email": email, "password": password }),
    )
    .await?;
    Ok(data.login)
}

pub async fn renew_token() -> Result<Session, ApiError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Data {
        renew_token: Session,
    }
    let data: Data = request(
        "mutation Renew { renewToken { token expiresAt } }",
        json!({}),
    )
    .await?;
    Ok(data.renew_token)
}

pub async fn logout() -> Result<(), ApiError> {
    let _: Value = request("mutation Logout { logout }", json!({})).await?;
    Ok(())
}

/// The member's own record, as "my account" shows it.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MyAccount {
    pub member_number: String,
    pub email: String,
    pub legal_name: String,
    pub role: String,
    pub login_history: Connection<LoginEvent>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Connection<T> {
    pub edges: Vec<Edge<T>>,
    pub page_info: PageInfo,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Edge<T> {
    pub node: T,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LoginEvent {
    pub id: String,
    pub occurred_at: String,
    pub kind: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

pub async fn my_account() -> Result<Option<MyAccount>, ApiError> {
    #[derive(Deserialize)]
    struct Data {
        me: Option<MyAccount>,
    }
    let data: Data = request(
        "query MyAccount { me { memberNumber email legalName role \
         loginHistory(first: 20) { edges { node { id occurredAt kind ip userAgent } } pageInfo { hasNextPage } } } }",
        json!({}),
    )
    .await?;
    Ok(data.me)
}
