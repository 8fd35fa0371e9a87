//! `POST /unsubscribe/{token}`: the one-click unsubscribe of RFC 8058. A mail client posts
//! `List-Unsubscribe=One-Click` to the `List-Unsubscribe` URL of a campaign message; no
//! login, no cookie, no second step. A `GET` of the same URL (a person following the link,
//! or a scanner prefetching it) unsubscribes nothing: the web app shows a page with a
//! button that posts.

use super::graphql::transport::request_meta;
use super::problem::error_response;
use crate::auth::Viewer;
use crate::error::Error;
use crate::services::newsletters;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use shared::ErrorCode;

pub async fn one_click(state: web::Data<AppState>, request: HttpRequest, token: web::Path<String>) -> HttpResponse {
    let meta = request_meta(&request);
    match newsletters::unsubscribe(&state, &Viewer::Anonymous, &meta, &token).await {
        Ok(list) => HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .insert_header(("Cache-Control", "no-store"))
            .body(format!(
                "Unsubscribed from \"{}\". You will receive no more of it.\n",
                list.name
            )),
        Err(Error::NotFound) => error_response(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "This unsubscribe link is not one of ours.",
        ),
        Err(e) => {
            tracing::error!(error = %e, "an unsubscribe failed");
            error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "Try again later.",
            )
        }
    }
}
