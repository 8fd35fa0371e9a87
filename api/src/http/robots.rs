//! `X-Robots-Tag` on everything that shows personal data (P18): trainer pages (served by
//! the web app), photos and the API. `robots.txt` says the same to polite crawlers; this
//! header also binds the ones that skip it.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;

const PERSONAL_PREFIXES: [&str; 12] = [
    "/trainers/",
    "/photos/",
    "/graphql",
    "/account",
    "/verify",
    "/staff",
    "/evidence/",
    "/exports/",
    "/verify-email",
    "/unsubscribe/",
    "/subscriptions/",
    "/data-request",
];

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let personal = PERSONAL_PREFIXES.iter().any(|p| req.path().starts_with(p));
    let mut response = next.call(req).await?;
    if personal {
        response.headers_mut().insert(
            HeaderName::from_static("x-robots-tag"),
            HeaderValue::from_static("noindex, noimageindex"),
        );
    }
    Ok(response)
}
