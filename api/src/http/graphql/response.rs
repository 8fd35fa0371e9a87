//! The response half of GraphQL over HTTP: every error gets its `extensions.code`, the
//! status follows the spec and the budgets (400 for a document refused before execution
//! under `application/graphql-response+json`, 429 when throttled with nothing else to
//! give), `Retry-After` and `Cache-Control` are set, and internal errors are logged with
//! the resolver path they came from.

use super::transport::GRAPHQL_RESPONSE_JSON;
use crate::http::problem::error_response;
use crate::schema::error::InternalCause;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use async_graphql::{BatchResponse, Response, ServerError};
use shared::ErrorCode;

/// The answer to a batch (or single) GraphQL request.
pub(super) fn respond(wants_graphql_response: bool, mut response: BatchResponse) -> HttpResponse {
    let responses: Vec<&mut Response> = match &mut response {
        BatchResponse::Single(one) => vec![one],
        BatchResponse::Batch(many) => many.iter_mut().collect(),
    };
    let mut refused = Vec::new();
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
        refused.push(failed_before_execution(one));
        all_without_data &= one.data == async_graphql::Value::Null;
    }
    let any_refused = refused.iter().any(|r| *r);
    // Throttled and nothing else to give: 429, as a plain HTTP client expects.
    let status = if retry_after.is_some() && all_without_data {
        StatusCode::TOO_MANY_REQUESTS
    } else if wants_graphql_response && any_refused {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = match serde_json::to_value(&response) {
        Ok(mut body) => {
            if wants_graphql_response {
                drop_data_of_refused(&mut body, &refused);
            }
            serde_json::to_vec(&body)
        }
        Err(e) => Err(e),
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
    match body {
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

/// True when nothing of the operation ran: it failed to parse or validate, or was refused
/// by the parse step's limits or the budget. Only such errors have no path.
fn failed_before_execution(response: &Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// Under `application/graphql-response+json`, a request that failed before execution has
/// no `data` entry at all (GraphQL over HTTP, "Request errors"); `application/json` keeps
/// the `data: null` that older clients look for.
fn drop_data_of_refused(body: &mut serde_json::Value, refused: &[bool]) {
    let drop = |one: &mut serde_json::Value| {
        if let Some(map) = one.as_object_mut() {
            map.remove("data");
        }
    };
    match body {
        serde_json::Value::Array(items) => {
            for (item, refused) in items.iter_mut().zip(refused) {
                if *refused {
                    drop(item);
                }
            }
        }
        one => {
            if refused.first() == Some(&true) {
                drop(one);
            }
        }
    }
}

/// How async-graphql words the errors it raises *during* execution for input it could not
/// coerce (they carry a path, like a resolver's error). Each is pinned by a test that
/// provokes it (`tests::async_graphql_still_words_its_input_errors_as_recognised`): an
/// upgrade that rewords one fails that test rather than turning a client's bad input into
/// `INTERNAL`.
const COERCION_PREFIXES: [&str; 2] = ["Failed to parse \"", "Expected input type \""];

/// How async-graphql names the argument or input field a validation error is about,
/// pinned by the same test.
const ARGUMENT_PREFIX: &str = "Invalid value for argument \"";
const FIELD_MARKER: &str = ", field \"";

/// Gives every error a code. Everything of ours carries one (services through
/// `schema::error`, the parse step, the budgets). Errors without one come from
/// async-graphql: before execution (no path: parse and validation) or while coercing input
/// (by [`COERCION_PREFIXES`]) they are `VALIDATION`; anything else is a bug, reported as
/// `INTERNAL` and logged with its path. Internal errors of ours are logged here too, with
/// the resolver path and their cause.
fn ensure_code(error: &mut ServerError) {
    let code = error
        .extensions
        .as_ref()
        .and_then(|e| e.get("code"))
        .and_then(|code| match code {
            async_graphql::Value::String(code) => Some(code.clone()),
            _ => None,
        });
    match code {
        Some(code) if code == ErrorCode::Internal.as_str() => {
            let cause = error
                .source
                .as_ref()
                .and_then(|s| s.downcast_ref::<InternalCause>())
                .map_or("(no cause)", |c| c.0.as_str());
            tracing::error!(path = %path_of(error), cause = %cause, "internal error");
        }
        Some(_) => {}
        None => {
            let coercion = COERCION_PREFIXES.iter().any(|p| error.message.starts_with(p));
            if error.path.is_empty() || coercion {
                let field = field_named_in(&error.message);
                let ext = error.extensions.get_or_insert_with(Default::default);
                ext.set("code", ErrorCode::Validation.as_str());
                if let Some(field) = field {
                    ext.set("field", field);
                }
            } else {
                tracing::error!(path = %path_of(error), message = %error.message, "resolver error without a code");
                let ext = error.extensions.get_or_insert_with(Default::default);
                ext.set("code", ErrorCode::Internal.as_str());
                "Internal error.".clone_into(&mut error.message);
            }
        }
    }
}

/// `register.input` style: the resolver path of an error.
fn path_of(error: &ServerError) -> String {
    error
        .path
        .iter()
        .map(|segment| match segment {
            async_graphql::PathSegment::Field(name) => name.clone(),
            async_graphql::PathSegment::Index(i) => i.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// `Invalid value for argument "input.email", ...` -> `email`;
/// `... argument "input", field "email" of type ...` -> `email`.
fn field_named_in(message: &str) -> Option<String> {
    if let Some((_, after)) = message.split_once(FIELD_MARKER) {
        return after.split('"').next().map(str::to_owned);
    }
    let rest = message.strip_prefix(ARGUMENT_PREFIX)?;
    let path = rest.split('"').next()?;
    let last = path.rsplit('.').next()?;
    Some(last.to_owned())
}

/// 413 naming the limit.
pub(super) fn too_large(limit: usize) -> HttpResponse {
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
        &format!("The request body is larger than {} KiB.", limit / 1024),
    )
}

/// 401 with `WWW-Authenticate`, before anything runs.
pub(super) fn unauthenticated() -> HttpResponse {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `query` with `variables` on the real schema (no state: none of these reaches a
    /// resolver's body) and returns its first error as async-graphql made it.
    async fn first_error(query: &str, variables: serde_json::Value) -> ServerError {
        let schema = crate::schema::build(None);
        let request = async_graphql::Request::new(query).variables(async_graphql::Variables::from_json(variables));
        let mut response = schema.execute(request).await;
        assert!(!response.errors.is_empty(), "{query} should fail");
        response.errors.remove(0)
    }

    #[tokio::test]
    async fn async_graphql_still_words_its_input_errors_as_recognised() {
        const REGISTER: &str = "mutation($i: RegisterInput!) { register(input: $i) { message } }";
        let cases = [
            // Coercion during execution: a path, and one of the known prefixes.
            (
                "query($f: Int) { directory(first: $f) { totalCount } }",
                serde_json::json!({ "f": 99_999_999_999_i64 }),
                COERCION_PREFIXES[0],
                None,
            ),
            (
                "mutation($f: Upload!) { uploadProfilePhoto(file: $f) { slug } }",
                serde_json::json!({ "f": "not a file" }),
                COERCION_PREFIXES[1],
                None,
            ),
            // Validation: the argument path, and the input field it names.
            (
                REGISTER,
                serde_json::json!({ "i": { "email": "a@example.org", "password": ["x"], "legalName": "A" } }),
                ARGUMENT_PREFIX,
                Some("password"),
            ),
            (
                REGISTER,
                serde_json::json!({ "i": { "email": "a@example.org", "legalName": "A" } }),
                ARGUMENT_PREFIX,
                Some("password"),
            ),
        ];
        for (query, variables, prefix, field) in cases {
            let mut error = first_error(query, variables).await;
            assert!(
                error.message.starts_with(prefix),
                "async-graphql now words this differently: {:?} (expected it to start with {prefix:?})",
                error.message
            );
            ensure_code(&mut error);
            let ext = error
                .extensions
                .as_ref()
                .map(|e| (e.get("code").cloned(), e.get("field").cloned()));
            let (code, named) = ext.unwrap_or_default();
            assert_eq!(
                code,
                Some(async_graphql::Value::from("VALIDATION")),
                "{}",
                error.message
            );
            assert_eq!(named, field.map(async_graphql::Value::from), "{}", error.message);
        }
    }

    /// Collects what a subscriber writes.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut all) = self.0.lock() {
                all.extend_from_slice(bytes);
            }
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn an_internal_error_is_logged_with_its_resolver_path_and_cause() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let graphql = crate::schema::error::to_graphql(crate::error::Error::Unexpected(anyhow::anyhow!("disk full")));
        let mut error = graphql.into_server_error(async_graphql::Pos { line: 1, column: 1 });
        error.path = vec![
            async_graphql::PathSegment::Field("me".to_owned()),
            async_graphql::PathSegment::Field("profile".to_owned()),
        ];
        tracing::subscriber::with_default(subscriber, || ensure_code(&mut error));
        let log = captured
            .0
            .lock()
            .map(|all| String::from_utf8_lossy(&all).into_owned())
            .unwrap_or_default();
        assert!(log.contains("me.profile") && log.contains("disk full"), "{log}");
        assert!(
            !error.message.contains("disk full"),
            "the cause stays out of the answer"
        );
    }

    #[test]
    fn an_error_of_ours_without_a_code_is_internal_and_opaque() {
        let mut error = ServerError::new("connection refused by 10.0.0.5", None);
        error.path = vec![async_graphql::PathSegment::Field("me".to_owned())];
        ensure_code(&mut error);
        assert_eq!(error.message, "Internal error.");
        let code = error.extensions.as_ref().and_then(|e| e.get("code").cloned());
        assert_eq!(code, Some(async_graphql::Value::from("INTERNAL")));
    }
}
