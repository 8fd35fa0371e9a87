//! HTTP-level failures (bad JSON, body too large, wrong method) answered in the GraphQL
//! response shape, so clients read `errors[0].extensions.code` whatever went wrong.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde_json::json;
use shared::ErrorCode;

pub fn error_response(status: StatusCode, code: ErrorCode, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json")
        .insert_header(("Cache-Control", "no-store"))
        .json(json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] }))
}

/// 403 `BLOCKED`, and the connection closed after it: the answer to a request taken for
/// an attack, and to every request from a blocked address. `retry_after` is how long the
/// block lasts (none: for good).
pub fn blocked_response(retry_after: Option<std::time::Duration>, message: &str) -> HttpResponse {
    let mut extensions = json!({ "code": ErrorCode::Blocked.as_str() });
    let mut builder = HttpResponse::build(StatusCode::FORBIDDEN);
    builder
        .content_type("application/json")
        .insert_header(("Cache-Control", "no-store"))
        .force_close();
    if let Some(wait) = retry_after {
        let seconds = wait.as_secs().max(1);
        extensions["retryAfter"] = json!(seconds);
        builder.insert_header(("Retry-After", seconds.to_string()));
    }
    builder.json(json!({ "errors": [{ "message": message, "extensions": extensions }] }))
}
