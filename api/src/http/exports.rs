//! `GET /exports/{id}`: a member's data export archive (P23), for that member only, with
//! the `Authorization: Bearer` token of their session: no secret travels in the URL, so a
//! link in a history, a log or a referrer opens nothing. Never cached, never indexed.

use super::problem::error_response;
use crate::auth::authenticate_request;
use crate::error::Error;
use crate::services::privacy::export;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use shared::ErrorCode;

pub async fn download(state: web::Data<AppState>, request: HttpRequest, id: web::Path<i64>) -> HttpResponse {
    let authorization = request
        .headers()
        .get("authorization")
        .map(actix_web::http::header::HeaderValue::as_bytes);
    let result = match authenticate_request(&state, authorization).await {
        Ok(viewer) => export::download(&state, &viewer, id.into_inner()).await,
        Err(e) => Err(e),
    };
    match result {
        Ok((bytes, archive)) => HttpResponse::Ok()
            .content_type("application/zip")
            .insert_header(("Cache-Control", "private, no-store"))
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"cptn-my-data-{}.zip\"", archive.id),
            ))
            .body(bytes),
        Err(Error::Unauthenticated | Error::Forbidden) => error_response(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "Log in, then download your archive from your privacy page.",
        ),
        Err(Error::NotFound) => error_response(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "No such archive: archives are kept 24 hours, for the member they are about.",
        ),
        Err(e) => {
            tracing::error!(error = %e, "a data export could not be served");
            error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "Try again later.",
            )
        }
    }
}
