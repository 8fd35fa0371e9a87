//! `/evidence/<petition>?expires=..&signature=..`: a petition's evidence file behind a
//! signed link the API handed to its member or to staff (`Petition.evidenceUrl`). Never
//! cached by anyone, never indexed, never sniffed (its type is the one storage read from
//! its first bytes), and an image is shown inside a CSP sandbox: the file is a member's
//! upload. A PDF is not sandboxed: browsers refuse to render PDFs in a sandbox, and their
//! PDF viewers run a document's scripts, if any, apart from the page.

use super::problem::error_response;
use crate::services::petitions;
use crate::services::security::reports;
use crate::services::storage::ContentType;
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
    let found = petitions::evidence(&state, petition.into_inner(), link.expires, &link.signature).await;
    uploaded_file(found.ok(), "evidence")
}

/// `/vulnerability-reports/<id>?expires=..&signature=..`: a report's attachment behind a
/// signed link handed to staff (`VulnerabilityReport.attachmentUrl`), served like evidence.
pub async fn serve_report_attachment(
    state: web::Data<AppState>,
    report: web::Path<i64>,
    link: web::Query<Link>,
) -> HttpResponse {
    let found = reports::attachment(&state, report.into_inner(), link.expires, &link.signature).await;
    uploaded_file(found.ok(), "attachment")
}

/// Someone's upload, as the answer to a signed link: never cached, never sniffed, an
/// image sandboxed; `NOT_FOUND` for a link that does not hold.
fn uploaded_file(found: Option<(Vec<u8>, ContentType)>, name: &str) -> HttpResponse {
    let Some((bytes, kind)) = found else {
        return error_response(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "This link is not valid (links work for five minutes): open the file again.",
        );
    };
    let mut response = HttpResponse::Ok();
    response
        .content_type(kind.mime())
        .insert_header(("Cache-Control", "private, no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((
            "Content-Disposition",
            format!("inline; filename=\"{name}.{}\"", kind.extension()),
        ));
    if kind != ContentType::Pdf {
        response.insert_header((
            "Content-Security-Policy",
            "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
        ));
    }
    response.body(bytes)
}
