//! `/graphql` over HTTP, following the GraphQL-over-HTTP spec:
//! - `POST` with `Content-Type: application/json`, a single request or a batch (at most
//!   `max_batch` operations); `GET` with `query`, `operationName`, `variables` parameters,
//!   where mutations are refused (405, `Allow: POST`);
//! - the answer is `application/graphql-response+json` when the client accepts it (then a
//!   document that fails to parse or validate gets 400) and `application/json` otherwise;
//! - malformed requests get a JSON error body, bodies over the limit get 413;
//! - a bearer token that fails any check gets 401 before anything runs;
//! - every operation pays its root fields from the caller's request budget (per IP without
//!   a login, per member with one): past it, `RATE_LIMITED` and, when nothing else ran, 429.
//!
//! Every error leaving here carries `extensions.code`.

use super::access_log::AccessLogLabel;
use super::client_ip;
use super::problem::error_response;
use crate::auth::{RequestMeta, Viewer};
use crate::schema::AppSchema;
use crate::services::accounts;
use crate::services::infra::rate_limit::Payer;
use crate::services::storage::MAX_UPLOAD_BYTES;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use async_graphql::http::MultipartOptions;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{BatchRequest, BatchResponse, ServerError};
use futures_util::StreamExt;
use serde::Deserialize;
use shared::ErrorCode;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const USER_AGENT_MAX_CHARS: usize = 512;

/// `POST /graphql`.
pub async fn post(
    req: HttpRequest,
    mut payload: web::Payload,
    state: web::Data<AppState>,
    schema: web::Data<AppSchema>,
) -> HttpResponse {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let is_multipart = mime == "multipart/form-data";
    if mime != "application/json" && !is_multipart {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::Validation,
            "Send the request as Content-Type: application/json (or multipart/form-data for uploads).",
        );
    }
    // Uploads (the GraphQL multipart request spec) may carry one photo.
    let limit = if is_multipart {
        MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD
    } else {
        state.settings.limits.max_body_bytes
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return too_large(limit);
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return error_response(
                StatusCode::BAD_REQUEST,
                ErrorCode::Validation,
                "The request body could not be read.",
            );
        };
        if body.len() + chunk.len() > limit {
            return too_large(limit);
        }
        body.extend_from_slice(&chunk);
    }
    let parsed = if is_multipart {
        parse_multipart(&content_type, body.freeze()).await
    } else {
        parse_json(&body)
    };
    let request = match parsed {
        Ok(request) => request,
        Err(message) => {
            return error_response(StatusCode::BAD_REQUEST, ErrorCode::Validation, &message);
        }
    };
    let max_batch = state.settings.limits.max_batch;
    if let BatchRequest::Batch(items) = &request
        && (items.is_empty() || items.len() > max_batch)
    {
        return error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::Validation,
            &format!("A batch holds 1 to {max_batch} operations."),
        );
    }
    execute(&req, &state, &schema, request).await
}

/// Room for the multipart framing and the `operations`/`map` parts around a photo.
const MULTIPART_OVERHEAD: usize = 64 * 1024;

/// Reads an upload request; `Err` holds what to tell the client.
async fn parse_multipart(content_type: &str, body: web::Bytes) -> Result<BatchRequest, String> {
    let options = MultipartOptions::default()
        .max_file_size(MAX_UPLOAD_BYTES)
        .max_num_files(1);
    async_graphql::http::receive_batch_body(Some(content_type), futures_util::io::Cursor::new(body), options)
        .await
        .map_err(|e| format!("The multipart request is malformed: {e}."))
}

/// Reads a JSON request; `Err` holds what to tell the client.
fn parse_json(body: &[u8]) -> Result<BatchRequest, String> {
    let value = serde_json::from_slice::<serde_json::Value>(body)
        .map_err(|e| format!("The request body is not valid JSON: {e}."))?;
    if !has_query(&value) {
        return Err("The request body must hold a `query` string (or be a list of such requests).".to_owned());
    }
    serde_json::from_value(value).map_err(|e| format!("The request body is not a GraphQL request: {e}."))
}

/// The query-string form of a request (`GET /graphql?query=...`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

/// `GET /graphql`: queries only.
pub async fn get(req: HttpRequest, state: web::Data<AppState>, schema: web::Data<AppSchema>) -> HttpResponse {
    let Ok(params) = web::Query::<GetParams>::from_query(req.query_string()) else {
        return error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::Validation,
            "The query string is malformed.",
        );
    };
    let params = params.into_inner();
    let Some(query) = params.query else {
        return error_response(
            StatusCode::BAD_REQUEST,
            ErrorCode::Validation,
            "The `query` parameter is missing.",
        );
    };
    let mut request = async_graphql::Request::new(query);
    request.operation_name = params.operation_name;
    for (name, raw) in [("variables", params.variables), ("extensions", params.extensions)] {
        let Some(raw) = raw else { continue };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&raw) else {
            return error_response(
                StatusCode::BAD_REQUEST,
                ErrorCode::Validation,
                &format!("The `{name}` parameter is not valid JSON."),
            );
        };
        if name == "variables" {
            request.variables = async_graphql::Variables::from_json(value);
        } else if let Ok(map) = serde_json::from_value(value) {
            request.extensions = map;
        }
    }
    if is_mutation(&request.query, request.operation_name.as_deref()) {
        let mut response = error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Validation,
            "Mutations must be sent with POST.",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    execute(&req, &state, &schema, BatchRequest::Single(request)).await
}

/// Answers a request whose method `/graphql` does not support.
pub async fn method_not_allowed() -> HttpResponse {
    let mut response = error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::Validation,
        "Use GET for queries or POST for queries and mutations.",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
    response
}

async fn execute(req: &HttpRequest, state: &AppState, schema: &AppSchema, request: BatchRequest) -> HttpResponse {
    let label = operation_label(&request);
    let viewer = match bearer_token(req) {
        Ok(None) => Viewer::Anonymous,
        Ok(Some(token)) => match accounts::authenticate(state, token).await {
            Ok(viewer) => viewer,
            Err(err) => {
                req.extensions_mut().insert(AccessLogLabel {
                    target: label,
                    member_id: None,
                });
                if err.code() == ErrorCode::Internal {
                    tracing::error!(error = ?err, "authenticating a request failed");
                    return error_response(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        ErrorCode::Internal,
                        "Internal error.",
                    );
                }
                return unauthenticated();
            }
        },
        Err(()) => {
            req.extensions_mut().insert(AccessLogLabel {
                target: label,
                member_id: None,
            });
            return unauthenticated();
        }
    };
    req.extensions_mut().insert(AccessLogLabel {
        target: label,
        member_id: viewer.member_id(),
    });
    let meta = RequestMeta {
        ip: client_ip::of(req),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(USER_AGENT_MAX_CHARS).collect()),
    };
    let payer = match viewer.member_id() {
        Some(id) => Some(Payer::Member(id)),
        None => meta.ip.map(Payer::Ip),
    };
    let mut response = run_batch(state, schema, payer, request.data(viewer).data(meta)).await;
    let responses: Vec<&mut async_graphql::Response> = match &mut response {
        BatchResponse::Single(one) => vec![one],
        BatchResponse::Batch(many) => many.iter_mut().collect(),
    };
    let mut request_error = false;
    let mut all_without_data = true;
    let mut retry_after: Option<u64> = None;
    for one in responses {
        for error in &mut one.errors {
            ensure_code(error);
            let ext = error.extensions.as_ref();
            if let Some(async_graphql::Value::Number(n)) = ext.and_then(|e| e.get("retryAfter")) {
                retry_after = retry_after.max(n.as_u64());
            }
        }
        let failed_before_execution = one.data == async_graphql::Value::Null
            && !one.errors.is_empty()
            && one.errors.iter().all(|e| e.path.is_empty());
        request_error |= failed_before_execution;
        all_without_data &= one.data == async_graphql::Value::Null;
    }

    let wants_graphql_response = accepts_graphql_response(req);
    // Throttled and nothing else to give: 429, as a plain HTTP client expects.
    let status = if retry_after.is_some() && all_without_data {
        StatusCode::TOO_MANY_REQUESTS
    } else if wants_graphql_response && request_error {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut builder = HttpResponse::build(status);
    builder
        .content_type(if wants_graphql_response {
            GRAPHQL_RESPONSE_JSON
        } else {
            "application/json"
        })
        .insert_header(("Cache-Control", "no-store"));
    if let Some(seconds) = retry_after {
        builder.insert_header((header::RETRY_AFTER, seconds.to_string()));
    }
    match serde_json::to_vec(&response) {
        Ok(body) => builder.body(body),
        Err(e) => {
            tracing::error!(error = %e, "serialising a GraphQL response failed");
            error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "Internal error.",
            )
        }
    }
}

/// Runs the operations of a request in order, as async-graphql runs a batch.
async fn run_batch(state: &AppState, schema: &AppSchema, payer: Option<Payer>, request: BatchRequest) -> BatchResponse {
    match request {
        BatchRequest::Single(one) => BatchResponse::Single(run_one(state, schema, payer, one).await),
        BatchRequest::Batch(many) => {
            let mut responses = Vec::with_capacity(many.len());
            for one in many {
                responses.push(run_one(state, schema, payer, one).await);
            }
            BatchResponse::Batch(responses)
        }
    }
}

/// Runs one operation after the parse step, its limits and its budget.
async fn run_one(
    state: &AppState,
    schema: &AppSchema,
    payer: Option<Payer>,
    mut request: async_graphql::Request,
) -> async_graphql::Response {
    let cost = match state.documents.prepare(&mut request) {
        Ok(cost) => cost,
        Err(refused) => return async_graphql::Response::from_errors(vec![refused]),
    };
    if let Err(retry_after) = state.requests.check(payer, cost) {
        let error = crate::schema::error::to_graphql(crate::error::Error::RateLimited { retry_after });
        let mut refused = ServerError::new(error.message, None);
        refused.extensions = error.extensions;
        return async_graphql::Response::from_errors(vec![refused]);
    }
    schema.execute(request).await
}

/// `{"query": "..."}` or a non-empty list of those.
fn has_query(value: &serde_json::Value) -> bool {
    let one = |v: &serde_json::Value| v.get("query").is_some_and(serde_json::Value::is_string);
    match value {
        serde_json::Value::Array(items) => items.iter().all(one),
        other => one(other),
    }
}

fn too_large(limit: usize) -> HttpResponse {
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
        &format!("The request body is larger than {} KiB.", limit / 1024),
    )
}

fn unauthenticated() -> HttpResponse {
    let mut response = error_response(
        StatusCode::UNAUTHORIZED,
        ErrorCode::Unauthenticated,
        "The access token is invalid, expired or revoked. Log in again.",
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}

/// `Ok(None)` without an `Authorization` header; `Err` for one that is not `Bearer <token>`.
fn bearer_token(req: &HttpRequest) -> Result<Option<&str>, ()> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ())?;
    let (scheme, token) = value.split_once(' ').ok_or(())?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(());
    }
    Ok(Some(token.trim()))
}

fn accepts_graphql_response(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            item.split(';')
                .next()
                .is_some_and(|mime| mime.trim().eq_ignore_ascii_case(GRAPHQL_RESPONSE_JSON))
        })
}

fn is_mutation(query: &str, operation_name: Option<&str>) -> bool {
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return false;
    };
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), _) => op.node.ty == OperationType::Mutation,
        (DocumentOperations::Multiple(ops), Some(name)) => ops
            .iter()
            .any(|(op_name, op)| op_name.as_str() == name && op.node.ty == OperationType::Mutation),
        (DocumentOperations::Multiple(ops), None) => ops.values().any(|op| op.node.ty == OperationType::Mutation),
    }
}

/// What the access log records for a GraphQL call: the operation names, or `anonymous`.
fn operation_label(request: &BatchRequest) -> String {
    let one = |r: &async_graphql::Request| {
        r.operation_name
            .clone()
            .or_else(|| first_operation_name(&r.query))
            .unwrap_or_else(|| "anonymous".to_owned())
    };
    let names: Vec<String> = match request {
        BatchRequest::Single(r) => vec![one(r)],
        BatchRequest::Batch(rs) => rs.iter().map(one).collect(),
    };
    format!("graphql:{}", names.join(","))
}

/// The name of the first operation, found without a full parse: `query Name`, `mutation Name`.
fn first_operation_name(query: &str) -> Option<String> {
    let mut words = query
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty());
    let keyword = words.next()?;
    if !matches!(keyword, "query" | "mutation" | "subscription") {
        return None;
    }
    words.next().map(str::to_owned)
}

/// Gives every error a code. Errors from async-graphql itself (parse, validation, limits,
/// argument coercion) are `VALIDATION`; anything else that reached here without a code is a
/// bug, reported as `INTERNAL` and logged.
fn ensure_code(error: &mut ServerError) {
    let has_code = error.extensions.as_ref().is_some_and(|e| e.get("code").is_some());
    if has_code {
        return;
    }
    let coercion = error.message.starts_with("Failed to parse")
        || error.message.starts_with("Invalid value for argument")
        || error.message.contains("Internal error: expected");
    let ext = error.extensions.get_or_insert_with(Default::default);
    if error.path.is_empty() || coercion {
        ext.set("code", ErrorCode::Validation.as_str());
        if let Some(field) = field_named_in(&error.message) {
            ext.set("field", field);
        }
    } else {
        tracing::error!(message = %error.message, path = ?error.path, "resolver error without a code");
        ext.set("code", ErrorCode::Internal.as_str());
        "Internal error.".clone_into(&mut error.message);
    }
}

/// `Invalid value for argument "input.email", ...` -> `email`;
/// `... argument "input", field "email" of type ...` -> `email`.
fn field_named_in(message: &str) -> Option<String> {
    if let Some((_, after)) = message.split_once(", field \"") {
        return after.split('"').next().map(str::to_owned);
    }
    let rest = message.strip_prefix("Invalid value for argument \"")?;
    let path = rest.split('"').next()?;
    let last = path.rsplit('.').next()?;
    Some(last.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_found_without_parsing() {
        assert_eq!(first_operation_name("query Me { me { email } }").as_deref(), Some("Me"));
        assert_eq!(
            first_operation_name("  mutation Login($e: String!) { x }").as_deref(),
            Some("Login")
        );
        assert_eq!(first_operation_name("{ me { email } }"), None);
    }

    #[test]
    fn mutations_are_recognised_for_the_get_check() {
        assert!(is_mutation("mutation { logout }", None));
        assert!(!is_mutation("query { me { email } }", None));
        assert!(is_mutation("query A { me { email } } mutation B { logout }", Some("B")));
        assert!(!is_mutation(
            "query A { me { email } } mutation B { logout }",
            Some("A")
        ));
    }

    #[test]
    fn argument_paths_name_the_innermost_field() {
        assert_eq!(
            field_named_in("Invalid value for argument \"input.email\", expected type \"String\"").as_deref(),
            Some("email")
        );
        assert_eq!(
            field_named_in(
                "Invalid value for argument \"input\", field \"email\" of type \"String!\" is required but not provided"
            )
            .as_deref(),
            Some("email")
        );
    }
}
