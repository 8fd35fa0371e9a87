//! Who is making this request, and from where. Built once per request by the HTTP layer
//! and handed to the services; the GraphQL guards read it.

use shared::Role;
use std::net::IpAddr;

/// The caller of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// No token was sent.
    Anonymous,
    /// A valid token whose session is alive.
    Member(Authenticated),
}

/// A logged-in caller. `role` is read from the member row on every request, so a role
/// change takes effect at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticated {
    pub member_id: i64,
    pub session_id: String,
    pub jti: String,
    pub role: Role,
    /// For a `provider` account, the course provider it acts for.
    pub course_provider_id: Option<i64>,
}

impl Viewer {
    /// A logged-in member with `role` (unit tests of access rules).
    #[cfg(test)]
    pub(crate) fn member(member_id: i64, role: Role) -> Self {
        Viewer::Member(Authenticated {
            member_id,
            session_id: String::new(),
            jti: String::new(),
            role,
            course_provider_id: None,
        })
    }

    /// A provider account acting for `provider_id` (unit tests of access rules).
    #[cfg(test)]
    pub(crate) fn provider(member_id: i64, provider_id: i64) -> Self {
        Viewer::Member(Authenticated {
            member_id,
            session_id: String::new(),
            jti: String::new(),
            role: Role::Provider,
            course_provider_id: Some(provider_id),
        })
    }

    pub fn member_id(&self) -> Option<i64> {
        match self {
            Viewer::Anonymous => None,
            Viewer::Member(m) => Some(m.member_id),
        }
    }

    pub fn authenticated(&self) -> Option<&Authenticated> {
        match self {
            Viewer::Anonymous => None,
            Viewer::Member(m) => Some(m),
        }
    }
}

/// Where the request came from, for audit rows (P13, P14).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestMeta {
    /// The client's address: the peer, or the `X-Forwarded-For` entry added by the trusted proxy.
    pub ip: Option<IpAddr>,
    /// The `User-Agent` header, cut to 512 characters.
    pub user_agent: Option<String>,
}

impl RequestMeta {
    pub fn ip_string(&self) -> Option<String> {
        self.ip.map(|ip| ip.to_string())
    }
}
