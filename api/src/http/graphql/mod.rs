//! `/graphql` over HTTP, following the GraphQL-over-HTTP spec:
//! - `POST` with `Content-Type: application/json`, a single request or a batch (at most
//!   `max_batch` operations), or `multipart/form-data` for uploads; `GET` with `query`,
//!   `operationName`, `variables` parameters, where mutations are refused (405,
//!   `Allow: POST`) — `transport`;
//! - the answer is `application/graphql-response+json` when the client accepts it (then a
//!   document that fails to parse or validate gets 400 and no `data` entry) and
//!   `application/json` otherwise; every error carries `extensions.code` — `response`;
//! - malformed requests get a JSON error body, bodies over the limit get 413;
//! - the credentials are checked by `auth::authenticate_request` (401 before anything runs
//!   when they fail), the document by the parse step (`schema::limits`), and every
//!   operation's cost is checked (list fields weighted by `first`, `CPTN_MAX_COST`), and it
//!   pays its root fields from the caller's request budget (per IP without a
//!   login, per member with one): past it, `RATE_LIMITED` and, when nothing else ran, 429.
//!   A future WebSocket transport runs the same three steps.

mod response;
pub(crate) mod transport;

use super::access_log::AccessLogLabel;
use crate::auth::{self, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::error::Error;
use crate::http::problem::blocked_response;
use crate::http::problem::error_response;
use crate::schema::AppSchema;
use crate::schema::limits::Prepared;
use crate::services::infra::rate_limit::{Payer, Spend};
use crate::services::security::{self, Finding};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use async_graphql::{BatchRequest, BatchResponse, ServerError};
use shared::ErrorCode;

/// `POST /graphql`.
pub async fn post(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    schema: web::Data<AppSchema>,
) -> HttpResponse {
    match transport::read_post(&req, payload, &state).await {
        Ok(request) => execute(&req, &state, &schema, request).await,
        Err(refused) => *refused,
    }
}

/// `GET /graphql`: queries only.
pub async fn get(req: HttpRequest, state: web::Data<AppState>, schema: web::Data<AppSchema>) -> HttpResponse {
    match transport::read_get(&req) {
        Ok(request) => execute(&req, &state, &schema, request).await,
        Err(refused) => *refused,
    }
}

/// Answers a request whose method `/graphql` does not support.
pub async fn method_not_allowed() -> HttpResponse {
    transport::not_allowed("Use GET for queries or POST for queries and mutations.", "GET, POST")
}

async fn execute(req: &HttpRequest, state: &AppState, schema: &AppSchema, request: BatchRequest) -> HttpResponse {
    let label = transport::operation_label(&request);
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(header::HeaderValue::as_bytes);
    let viewer = auth::authenticate_request(state, authorization).await;
    req.extensions_mut().insert(AccessLogLabel {
        target: label,
        member_id: viewer.as_ref().ok().and_then(Viewer::member_id),
    });
    let viewer = match viewer {
        Ok(viewer) => viewer,
        Err(err) if err.code() == ErrorCode::Internal => {
            tracing::error!(error = ?err, "authenticating a request failed");
            return error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "Internal error.",
            );
        }
        Err(_) => return response::unauthenticated(),
    };
    let meta = transport::request_meta(req);
    let caller = Caller {
        payer: match viewer.member_id() {
            Some(id) => Some(Payer::Member(id)),
            None => meta.ip.map(Payer::Ip),
        },
        may_introspect: state.settings.limits.public_introspection
            || authz::allows(&viewer, Audience::Staff, Subject::NOBODY),
    };
    let uploads = match &request {
        BatchRequest::Single(one) => !one.uploads.is_empty(),
        BatchRequest::Batch(many) => many.iter().any(|one| !one.uploads.is_empty()),
    };
    if uploads && let Err(retry_after) = state.requests.check(caller.payer, Spend::Uploads, 1).await {
        let answer = refused(Error::RateLimited { retry_after });
        return response::respond(false, BatchResponse::Single(answer));
    }
    let request = request.data(viewer.clone()).data(meta.clone());
    match run_batch(state, schema, caller, request).await {
        Ok(answer) => response::respond(transport::accepts_graphql_response(req), answer),
        Err(finding) => {
            let block = security::record_injection_attempt(state, &viewer, &meta, &finding).await;
            blocked_response(
                Some(block),
                &format!(
                    "This request was refused: it looks like an attack on the database. This address is blocked for {} minutes.",
                    block.as_secs() / 60
                ),
            )
        }
    }
}

/// Who is asking, as the parse step and the budget see it.
#[derive(Clone, Copy)]
struct Caller {
    /// Whose budget pays (none when the client IP is unknown).
    payer: Option<Payer>,
    /// Introspection is public (`CPTN_PUBLIC_INTROSPECTION`), or the caller is staff.
    may_introspect: bool,
}

/// Runs the operations of a request in order, as async-graphql runs a batch, after the
/// parse step has seen all of them: when one trips the SQL-injection wire, none runs.
async fn run_batch(
    state: &AppState,
    schema: &AppSchema,
    caller: Caller,
    request: BatchRequest,
) -> Result<BatchResponse, Finding> {
    let (single, requests) = match request {
        BatchRequest::Single(one) => (true, vec![one]),
        BatchRequest::Batch(many) => (false, many),
    };
    let mut prepared = Vec::with_capacity(requests.len());
    for mut one in requests {
        let outcome = state.documents.prepare(&mut one, caller.may_introspect);
        if let Ok(Prepared {
            tripped: Some(finding), ..
        }) = outcome
        {
            return Err(finding);
        }
        prepared.push((one, outcome));
    }
    let mut responses = Vec::with_capacity(prepared.len());
    for (one, outcome) in prepared {
        responses.push(match outcome {
            Ok(prepared) => run_one(state, schema, caller, one, &prepared).await,
            Err(refused) => async_graphql::Response::from_errors(vec![refused]),
        });
    }
    Ok(if single && let Some(one) = responses.pop() {
        BatchResponse::Single(one)
    } else {
        BatchResponse::Batch(responses)
    })
}

/// A response that is only `error`.
fn refused(error: Error) -> async_graphql::Response {
    let error = crate::schema::error::to_graphql(error);
    let mut refused = ServerError::new(error.message, None);
    refused.extensions = error.extensions;
    async_graphql::Response::from_errors(vec![refused])
}

/// Runs one operation that passed the parse step, after its budgets.
async fn run_one(
    state: &AppState,
    schema: &AppSchema,
    caller: Caller,
    request: async_graphql::Request,
    prepared: &Prepared,
) -> async_graphql::Response {
    let spent = state
        .requests
        .check(caller.payer, Spend::Operations, prepared.budget)
        .await;
    let spent = match spent {
        Ok(()) if prepared.mutation => {
            state
                .requests
                .check(caller.payer, Spend::Mutations, prepared.budget)
                .await
        }
        other => other,
    };
    if let Err(retry_after) = spent {
        return refused(Error::RateLimited { retry_after });
    }
    // Dropped at the deadline, an operation's open transaction rolls back.
    if let Ok(response) = tokio::time::timeout(state.settings.limits.request_timeout, schema.execute(request)).await {
        return response;
    }
    let timed_out = crate::schema::limits::refusal(
        ErrorCode::Timeout,
        "This took longer than the server allows; nothing was changed. Try again, or ask for less.".to_owned(),
    );
    async_graphql::Response::from_errors(vec![timed_out])
}
