//! `POST /webhooks/stripe`: Stripe's events (`services::payments::webhook`). The raw body
//! is what the signature covers, so it is read as bytes, at most 512 KiB. Answers: 200 for
//! a genuine event (stored now, or a repeat), 400 for a bad signature or a body that is not
//! an event, 503 when webhooks are not configured. Stripe retries anything but a 2xx.

use crate::services::payments::signature::SignatureError;
use crate::services::payments::webhook::{self, Received, Refusal};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

/// The largest event accepted (Stripe's are a few KiB).
pub const MAX_EVENT_BYTES: usize = 512 * 1024;

pub async fn stripe(req: HttpRequest, state: web::Data<AppState>, body: Bytes) -> HttpResponse {
    let header = req.headers().get("Stripe-Signature").and_then(|v| v.to_str().ok());
    let answer = |status: StatusCode, message: &str| {
        HttpResponse::build(status)
            .insert_header(("Cache-Control", "no-store"))
            .json(json!({ "received": status.is_success(), "message": message }))
    };
    match webhook::receive(&state, header, &body).await {
        Ok(Ok(Received::Stored)) => answer(StatusCode::OK, "stored"),
        Ok(Ok(Received::Repeat)) => answer(StatusCode::OK, "already received"),
        Ok(Err(Refusal::NotConfigured)) => answer(StatusCode::SERVICE_UNAVAILABLE, "webhooks are not configured"),
        Ok(Err(Refusal::Signature(why))) => answer(
            StatusCode::BAD_REQUEST,
            match why {
                SignatureError::Malformed => "missing or malformed Stripe-Signature",
                SignatureError::Stale => "timestamp outside the tolerance",
                SignatureError::Mismatch => "no signature matches",
            },
        ),
        Ok(Err(Refusal::Malformed)) => answer(StatusCode::BAD_REQUEST, "not a Stripe event"),
        Err(e) => {
            tracing::error!(error = %e, "storing a Stripe event failed");
            answer(StatusCode::INTERNAL_SERVER_ERROR, "try again")
        }
    }
}
