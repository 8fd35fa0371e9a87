//! GraphiQL, served from this server alone: the page, its stylesheet and its start script
//! are in the binary; React, `ReactDOM` and GraphiQL's own files are copied from npm's
//! pinned packages into `dist/graphiql/` by `scripts/build-web.sh` and served with the web
//! app. No CDN: the page's policy names no other origin.

use actix_web::HttpResponse;

/// The page's policy: scripts from this origin only (no inline script), inline styles
/// allowed (GraphiQL's editor sets them), fonts embedded as `data:` URLs.
const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// `GET /graphiql`.
pub async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header(("Content-Security-Policy", POLICY))
        .insert_header(("Cache-Control", "no-cache"))
        .body(include_str!("graphiql/page.html"))
}

/// `GET /graphiql/start.js`.
pub async fn start_script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "no-cache"))
        .body(include_str!("graphiql/start.js"))
}

/// `GET /graphiql/page.css`.
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "no-cache"))
        .body(include_str!("graphiql/page.css"))
}
