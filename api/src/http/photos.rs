//! `/photos/<file>`: profile photos of active profiles, never indexed by search engines
//! (P18) and never kept by shared caches (personal data). Each costs one from the client
//! IP's request budget (an `<img>` carries no token), like any anonymous read.

use super::client_ip;
use super::problem::error_response;
use crate::services::directory;
use crate::services::infra::rate_limit::{Payer, Spend};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use shared::ErrorCode;

pub async fn serve(req: actix_web::HttpRequest, state: web::Data<AppState>, file: web::Path<String>) -> HttpResponse {
    if let Err(retry_after) = state
        .requests
        .check(client_ip::of(&req).map(Payer::Ip), Spend::Operations, 1)
        .await
    {
        let seconds = retry_after.as_secs().max(1);
        let mut response = error_response(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            &format!("Too many requests. Try again in {seconds} seconds."),
        );
        if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&seconds.to_string()) {
            response
                .headers_mut()
                .insert(actix_web::http::header::RETRY_AFTER, value);
        }
        return response;
    }
    match directory::public_photo(&state, &file).await {
        Ok((bytes, kind)) => HttpResponse::Ok()
            .content_type(kind.mime())
            .insert_header(("Cache-Control", "private, max-age=300"))
            .insert_header(("X-Robots-Tag", "noindex, noimageindex"))
            .body(bytes),
        Err(_) => error_response(StatusCode::NOT_FOUND, ErrorCode::NotFound, "No such photo."),
    }
}
