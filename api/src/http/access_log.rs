//! Middleware: resolves the client IP for every request and logs one access-log row per
//! request (time, IP, operation or path, member, status, duration) once it is answered.

use super::client_ip::{self, ClientIp};
use crate::services::infra::access_log::AccessLogEntry;
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use chrono::Utc;
use std::time::Instant;

/// Set by handlers that know better than the path what was asked (GraphQL operations) and who asked.
#[derive(Clone, Debug)]
pub struct AccessLogLabel {
    pub target: String,
    pub member_id: Option<i64>,
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let occurred_at = Utc::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let trusted = state.as_ref().and_then(|s| s.settings.trusted_proxy);
    let ip = client_ip::resolve(req.request(), trusted);
    req.extensions_mut().insert(ClientIp(ip));
    let method = req.method().to_string();
    let path = req.path().to_owned();

    let result = next.call(req).await;

    if let Some(state) = state {
        let (status, label) = match &result {
            Ok(res) => (
                res.status().as_u16(),
                res.request().extensions().get::<AccessLogLabel>().cloned(),
            ),
            Err(e) => (e.as_response_error().status_code().as_u16(), None),
        };
        state.access_log.send(AccessLogEntry {
            occurred_at,
            ip: ip.map(|ip| ip.to_string()),
            method,
            target: label.as_ref().map_or(path, |l| l.target.clone()),
            member_id: label.and_then(|l| l.member_id),
            status,
            duration: started.elapsed(),
        });
    }
    result
}
