//! `/photos/<file>`: profile photos of active profiles, never indexed by search engines
//! (P18) and never kept by shared caches (personal data).

use super::problem::error_response;
use crate::services::directory;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use shared::ErrorCode;

pub async fn serve(state: web::Data<AppState>, file: web::Path<String>) -> HttpResponse {
    match directory::public_photo(&state, &file).await {
        Ok((bytes, kind)) => HttpResponse::Ok()
            .content_type(kind.mime())
            .insert_header(("Cache-Control", "private, max-age=300"))
            .insert_header(("X-Robots-Tag", "noindex, noimageindex"))
            .body(bytes),
        Err(_) => error_response(StatusCode::NOT_FOUND, ErrorCode::NotFound, "No such photo."),
    }
}
