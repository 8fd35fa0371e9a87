//! `/evidence/<petition>?expires=..&signature=..`: a petition's evidence file behind a
//! signed link the API handed to its member or to staff (`Petition.evidenceUrl`). Never
//! cached by anyone, never indexed, never sniffed, and shown inside a sandbox: the file is
//! a member's upload.

use super::problem::error_response;
use crate::services::petitions;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use shared::ErrorCode;

#[derive(Deserialize)]
pub struct Link {
    expires: i64,
    signature: String,
}

pub async fn serve(state: web::Data<AppState>, petition: web::Path<i64>, link: web::Query<Link>) -> HttpResponse {
    match petitions::evidence(&state, petition.into_inner(), link.expires, &link.signature).await {
        Ok((bytes, kind)) => HttpResponse::Ok()
            .content_type(kind.mime())
            .insert_header(("Cache-Control", "private, no-store"))
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .insert_header((
                "Content-Security-Policy",
                "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
            ))
            .insert_header((
                "Content-Disposition",
                format!("inline; filename=\"evidence.{}\"", kind.extension()),
            ))
            .body(bytes),
        Err(_) => error_response(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "This link is not valid (links work for five minutes): open the evidence again.",
        ),
    }
}
