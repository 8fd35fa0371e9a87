//! The transport half of GraphQL over HTTP: media types, body limits, the multipart
//! request spec for uploads, the GET rules (queries only), and what a request tells about
//! its sender (client IP, user agent, operation names for the access log).

use super::response::too_large;
use crate::auth::RequestMeta;
use crate::http::client_ip;
use crate::http::problem::error_response;
use crate::services::storage::MAX_UPLOAD_BYTES;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::BatchRequest;
use async_graphql::http::MultipartOptions;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use futures_util::StreamExt;
use serde::Deserialize;
use shared::ErrorCode;

/// The media type of the GraphQL-over-HTTP spec's responses.
pub(super) const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const USER_AGENT_MAX_CHARS: usize = 512;
/// Room for the multipart framing and the `operations`/`map` parts around an upload.
const MULTIPART_OVERHEAD: usize = 64 * 1024;

/// The answer to a request that is refused before it is read as GraphQL (boxed: a response
/// is large, and travels in `Err`).
pub(super) type Refused = Box<HttpResponse>;

fn bad_request(message: &str) -> HttpResponse {
    error_response(StatusCode::BAD_REQUEST, ErrorCode::Validation, message)
}

/// Reads a `POST` body: JSON (one request or a batch of at most `max_batch`) or a multipart
/// upload, within the body limits. `Err` is the answer to send instead.
pub(super) async fn read_post(
    req: &HttpRequest,
    mut payload: web::Payload,
    state: &AppState,
) -> Result<BatchRequest, Refused> {
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
        return Err(Box::new(error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::Validation,
            "Send the request as Content-Type: application/json (or multipart/form-data for uploads).",
        )));
    }
    // Uploads (the GraphQL multipart request spec) may carry one file.
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
        return Err(Box::new(too_large(limit)));
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return Err(Box::new(bad_request("The request body could not be read.")));
        };
        if body.len() + chunk.len() > limit {
            return Err(Box::new(too_large(limit)));
        }
        body.extend_from_slice(&chunk);
    }
    let parsed = if is_multipart {
        parse_multipart(&content_type, body.freeze()).await
    } else {
        parse_json(&body)
    };
    let request = parsed.map_err(|message| Box::new(bad_request(&message)))?;
    let max_batch = state.settings.limits.max_batch;
    if let BatchRequest::Batch(items) = &request
        && (items.is_empty() || items.len() > max_batch)
    {
        return Err(Box::new(bad_request(&format!(
            "A batch holds 1 to {max_batch} operations."
        ))));
    }
    Ok(request)
}

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
pub(crate) fn parse_json(body: &[u8]) -> Result<BatchRequest, String> {
    let value = serde_json::from_slice::<serde_json::Value>(body)
        .map_err(|e| format!("The request body is not valid JSON: {e}."))?;
    if !has_query(&value) {
        return Err("The request body must hold a `query` string (or be a list of such requests).".to_owned());
    }
    serde_json::from_value(value).map_err(|e| format!("The request body is not a GraphQL request: {e}."))
}

/// `{"query": "..."}` or a non-empty list of those (`[]` is no request at all).
fn has_query(value: &serde_json::Value) -> bool {
    let one = |v: &serde_json::Value| v.get("query").is_some_and(serde_json::Value::is_string);
    match value {
        serde_json::Value::Array(items) => !items.is_empty() && items.iter().all(one),
        other => one(other),
    }
}

/// The query-string form of a request (`GET /graphql?query=...`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

/// Reads a `GET` request: a query in the query string; a mutation is refused with 405 and
/// `Allow: POST`. `Err` is the answer to send instead.
pub(super) fn read_get(req: &HttpRequest) -> Result<BatchRequest, Refused> {
    let params = web::Query::<GetParams>::from_query(req.query_string())
        .map_err(|_| Box::new(bad_request("The query string is malformed.")))?
        .into_inner();
    let query = params
        .query
        .ok_or_else(|| Box::new(bad_request("The `query` parameter is missing.")))?;
    let mut request = async_graphql::Request::new(query);
    request.operation_name = params.operation_name;
    for (name, raw) in [("variables", params.variables), ("extensions", params.extensions)] {
        let Some(raw) = raw else { continue };
        let value = serde_json::from_str::<serde_json::Value>(&raw)
            .map_err(|_| Box::new(bad_request(&format!("The `{name}` parameter is not valid JSON."))))?;
        if name == "variables" {
            request.variables = async_graphql::Variables::from_json(value);
        } else if let Ok(map) = serde_json::from_value(value) {
            request.extensions = map;
        }
    }
    if is_mutation(&request.query, request.operation_name.as_deref()) {
        return Err(Box::new(not_allowed("Mutations must be sent with POST.", "POST")));
    }
    Ok(BatchRequest::Single(request))
}

/// 405 with the methods that are allowed.
pub(super) fn not_allowed(message: &str, allow: &'static str) -> HttpResponse {
    let mut response = error_response(StatusCode::METHOD_NOT_ALLOWED, ErrorCode::Validation, message);
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

/// The sender's IP (by the trusted-proxy rule) and user agent (cut to 512 characters).
pub(crate) fn request_meta(req: &HttpRequest) -> RequestMeta {
    RequestMeta {
        ip: client_ip::of(req),
        user_agent: req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(USER_AGENT_MAX_CHARS).collect()),
    }
}

/// True when the client accepts the GraphQL-over-HTTP spec's own media type.
pub(super) fn accepts_graphql_response(req: &HttpRequest) -> bool {
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
pub(super) fn operation_label(request: &BatchRequest) -> String {
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
}
