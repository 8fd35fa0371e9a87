//! Serves the built web app (Trunk's output) with a fallback to `index.html`, so client
//! routes like `/account` load the app. Without a build, `/` explains how to make one.

use actix_files::{Files, NamedFile};
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use std::path::{Path, PathBuf};

/// Registers the static files, or the "not built" page when `dir` has no `index.html`.
pub fn configure(cfg: &mut web::ServiceConfig, dir: &Path) {
    let index = dir.join("index.html");
    if !index.is_file() {
        cfg.default_service(web::to(not_built));
        return;
    }
    cfg.service(
        Files::new("/", dir)
            .index_file("index.html")
            .use_etag(true)
            .default_handler(fn_service(move |req: ServiceRequest| {
                let index: PathBuf = index.clone();
                async move {
                    let (req, _) = req.into_parts();
                    let mut response = NamedFile::open(&index)?.into_response(&req);
                    response
                        .headers_mut()
                        .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-cache"));
                    Ok(ServiceResponse::new(req, response))
                }
            })),
    );
}

async fn not_built() -> HttpResponse {
    HttpResponse::NotFound().content_type("text/html; charset=utf-8").body(
        "<!doctype html><title>CPTN Network</title><h1>CPTN Network</h1>\
             <p>The web app is not built. Run <code>scripts/build-web.sh</code>, or use the \
             API at <a href=\"/graphql\">/graphql</a>.</p>",
    )
}
