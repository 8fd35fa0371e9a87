//! GraphQL types of the audit trail.

use crate::authz::{Audience, readable_by};
use crate::schema::pagination::encode_cursor;
use crate::services::audit::{AuditEntry, AuditKind, AuditPage};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use shared::MemberNumber;

pub struct AuditEvent(pub AuditEntry);

impl AuditEvent {
    /// The list name inside audit cursors.
    pub const CURSOR_LIST: &'static str = "audit";

    fn owner(&self) -> Option<i64> {
        self.0.row.member_id
    }
}

/// A page of audit events, newest first.
pub type AuditEventConnection = Connection<String, AuditEvent>;

/// Builds a connection from a service page.
pub fn connection_of(page: AuditPage, has_previous: bool) -> AuditEventConnection {
    let mut connection = Connection::new(has_previous, page.has_more);
    connection.edges.extend(
        page.entries
            .into_iter()
            .map(|entry| Edge::new(encode_cursor(AuditEvent::CURSOR_LIST, entry.row.id), AuditEvent(entry))),
    );
    connection
}

/// What happened.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::services::audit::AuditKind")]
pub enum AuditEventKind {
    /// A login with the right password on an active account.
    LoginSucceeded,
    /// A login with a wrong password on an existing account.
    LoginWrongPassword,
    /// A login for an e-mail address with no account.
    LoginUnknownEmail,
    /// A login with the right password on a disabled account.
    LoginDisabledAccount,
    /// A login refused because of too many attempts.
    LoginRateLimited,
    /// A session ended by its member.
    Logout,
    /// A new account.
    MemberRegistered,
    /// An account disabled by staff.
    MemberDisabled,
    /// An account re-enabled by staff.
    MemberEnabled,
    /// A directory profile hidden from the public (by its member or staff).
    ProfileDisabled,
    /// A directory profile shown again.
    ProfileEnabled,
    /// A directory profile and its files deleted.
    ProfileDeleted,
}

/// One security-relevant event: a login attempt, a logout, an account change.
#[Object]
impl AuditEvent {
    /// Stable identifier of the event.
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }

    /// When it happened (UTC).
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.row.occurred_at
    }

    /// What happened; null for a kind this version of the API does not know yet.
    async fn kind(&self) -> Option<AuditEventKind> {
        AuditKind::parse(&self.0.row.kind).map(Into::into)
    }

    /// The client's IP address. Audience: owner (own events), staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn ip(&self) -> Option<&str> {
        self.0.row.ip.as_deref()
    }

    /// The client's `User-Agent`. Audience: owner (own events), staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn user_agent(&self) -> Option<&str> {
        self.0.row.user_agent.as_deref()
    }

    /// The member the event is about, when known. Audience: owner (own events), staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn member_number(&self) -> Option<String> {
        self.0.member_number.map(|n| MemberNumber(n).to_string())
    }

    /// The staff member who acted, for account changes. Audience: staff.
    #[graphql(guard = "readable_by(Audience::Staff, self.owner())")]
    async fn actor_member_number(&self) -> Option<String> {
        self.0.actor_number.map(|n| MemberNumber(n).to_string())
    }

    /// Context, e.g. the address tried for an unknown account. Audience: staff.
    #[graphql(guard = "readable_by(Audience::Staff, self.owner())")]
    async fn detail(&self) -> Option<&str> {
        self.0.row.detail.as_deref()
    }
}

/// Narrows the audit trail; every set field must match.
#[derive(InputObject, Default)]
pub struct AuditEventFilter {
    /// Only these kinds.
    pub kinds: Option<Vec<AuditEventKind>>,
    /// Only events about this member (`CPTN-000123`).
    pub member_number: Option<String>,
    /// Only events from this IP address.
    pub ip: Option<String>,
    /// Only events at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only events before this time.
    pub to: Option<DateTime<Utc>>,
}
