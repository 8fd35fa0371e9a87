//! Liveness and readiness probes, and robots.txt.

use crate::state::AppState;
use actix_web::{HttpResponse, web};

/// `/healthz`: the process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({ "status": "ok" }))
}

/// `/readyz`: the database answers. Its details say where rate limits and blocks live
/// (`limits`): per server, shared through Redis, or per server because Redis is not
/// answering (the server keeps serving then: ready, with the reason in the details).
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let limits = state.limiter.probe().await.describe();
    if state.database_ready().await {
        HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(serde_json::json!({ "status": "ready", "limits": limits }))
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header(("Cache-Control", "no-store"))
            .json(serde_json::json!({ "status": "database unavailable", "limits": limits }))
    }
}

/// Crawlers stay out of the API and of every page that shows personal data (P18).
pub const ROBOTS_TXT: &str = "User-agent: *\n\
Disallow: /graphql\n\
Disallow: /graphiql\n\
Disallow: /account\n\
Disallow: /login\n\
Disallow: /register\n\
Disallow: /confirm\n\
Disallow: /trainers/\n\
Disallow: /photos/\n\
Disallow: /verify\n\
Disallow: /staff\n\
Disallow: /exports/\n\
Disallow: /unsubscribe/\n\
Disallow: /subscriptions/\n\
Disallow: /evidence/\n\
Disallow: /vulnerability-reports/\n";

pub async fn robots() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(ROBOTS_TXT)
}
