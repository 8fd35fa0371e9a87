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
