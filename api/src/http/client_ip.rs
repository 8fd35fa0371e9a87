//! The client's IP address. `X-Forwarded-For` is believed only from the configured trusted
//! proxy, and then only its last entry (the address the proxy itself saw); anything before
//! that could have been written by the client.

use actix_web::{HttpMessage, HttpRequest};
use std::net::IpAddr;

/// The resolved client address, stored in the request extensions by the access-log
/// middleware for every later layer.
#[derive(Clone, Copy, Debug)]
pub struct ClientIp(pub Option<IpAddr>);

pub fn resolve(req: &HttpRequest, trusted_proxy: Option<IpAddr>) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip());
    if peer.is_some() && peer == trusted_proxy {
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|part| part.trim().parse::<IpAddr>().ok())
            .last();
        if forwarded.is_some() {
            return forwarded;
        }
    }
    peer
}

/// The address resolved for this request (set by the access-log middleware).
pub fn of(req: &HttpRequest) -> Option<IpAddr> {
    req.extensions().get::<ClientIp>().and_then(|c| c.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn forwarded_for_is_ignored_unless_the_peer_is_the_trusted_proxy() {
        let proxy: IpAddr = [10, 0, 0, 5].into();
        let from_proxy = TestRequest::default()
            .peer_addr((proxy, 4000).into())
            .insert_header(("X-Forwarded-For", "6.6.6.6, 203.0.113.7"))
            .to_http_request();
        assert_eq!(resolve(&from_proxy, Some(proxy)), Some([203, 0, 113, 7].into()));

        let direct = TestRequest::default()
            .peer_addr(([198, 51, 100, 1], 4000).into())
            .insert_header(("X-Forwarded-For", "203.0.113.7"))
            .to_http_request();
        assert_eq!(resolve(&direct, Some(proxy)), Some([198, 51, 100, 1].into()));
        assert_eq!(resolve(&direct, None), Some([198, 51, 100, 1].into()));
    }
}
