//! Refuses every request from a blocked address (the static `CPTN_BLOCKED_NETWORKS` and
//! the tripwire's timed blocks, shared through Redis when configured) with `BLOCKED` and
//! closes the connection. The probes (`/healthz`, `/readyz`) still answer: a load
//! balancer's checks must not be blocked by what one client behind it did.

use crate::http::client_ip;
use crate::http::problem::blocked_response;
use crate::state::AppState;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let probe = matches!(req.path(), "/healthz" | "/readyz");
    let ip = client_ip::of(req.request());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    if !probe
        && let (Some(ip), Some(state)) = (ip, state)
        && let Some(retry_after) = state.limiter.blocked(ip).await
    {
        let message = match retry_after {
            Some(wait) => format!(
                "Requests from this address are refused for {} more minutes.",
                wait.as_secs().div_ceil(60)
            ),
            None => "Requests from this address are refused.".to_owned(),
        };
        return Ok(req
            .into_response(blocked_response(retry_after, &message))
            .map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}
