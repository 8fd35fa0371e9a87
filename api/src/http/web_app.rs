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

/// The Content-Security-Policy of every response but those that set their own: scripts only
/// from this origin, WebAssembly allowed, plus the hash of each inline script of the built
/// `index.html` (Trunk's module loader), so no other inline script runs; no external origin
/// at all; never framed.
pub fn content_security_policy(dir: &Path) -> String {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap_or_default();
    let mut hashes = String::new();
    for script in inline_scripts(&index) {
        let digest = Sha256::digest(script.as_bytes());
        hashes.push_str(" 'sha256-");
        hashes.push_str(&base64::engine::general_purpose::STANDARD.encode(digest));
        hashes.push('\'');
    }
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The text of each `<script>` without a `src` in `html`, exactly as served (what a CSP
/// hash covers).
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (tag, after) = rest.split_once('>')?;
        if tag.contains("src=") {
            return None;
        }
        after.split_once("</script>").map(|(body, _)| body)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html =
            "<head><script type=\"module\">\nimport x from '/a.js';\n</script><script src=\"/b.js\"></script></head>";
        let found: Vec<&str> = inline_scripts(html).collect();
        assert_eq!(found, ["\nimport x from '/a.js';\n"]);
    }
}
