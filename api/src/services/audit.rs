//! The audit trail (P14): what is recorded, and who may read it.

use crate::auth::{RequestMeta, Viewer};
use crate::db;
use crate::error::{Error, Result};
use chrono::Utc;
use entity::audit_event;
use sea_orm::ConnectionTrait;

/// What happened. The stored form (`as_str`) is stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuditKind {
    LoginSucceeded,
    LoginWrongPassword,
    LoginUnknownEmail,
    LoginDisabledAccount,
    LoginRateLimited,
    Logout,
    MemberRegistered,
    MemberDisabled,
    MemberEnabled,
    ProfileDisabled,
    ProfileEnabled,
    ProfileDeleted,
}

impl AuditKind {
    pub const ALL: [AuditKind; 12] = [
        AuditKind::LoginSucceeded,
        AuditKind::LoginWrongPassword,
        AuditKind::LoginUnknownEmail,
        AuditKind::LoginDisabledAccount,
        AuditKind::LoginRateLimited,
        AuditKind::Logout,
        AuditKind::MemberRegistered,
        AuditKind::MemberDisabled,
        AuditKind::MemberEnabled,
        AuditKind::ProfileDisabled,
        AuditKind::ProfileEnabled,
        AuditKind::ProfileDeleted,
    ];

    /// Login attempts of every outcome: what a member sees as their login history.
    pub const LOGIN_ATTEMPTS: [AuditKind; 5] = [
        AuditKind::LoginSucceeded,
        AuditKind::LoginWrongPassword,
        AuditKind::LoginUnknownEmail,
        AuditKind::LoginDisabledAccount,
        AuditKind::LoginRateLimited,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            AuditKind::LoginSucceeded => "login_succeeded",
            AuditKind::LoginWrongPassword => "login_wrong_password",
            AuditKind::LoginUnknownEmail => "login_unknown_email",
            AuditKind::LoginDisabledAccount => "login_disabled_account",
            AuditKind::LoginRateLimited => "login_rate_limited",
            AuditKind::Logout => "logout",
            AuditKind::MemberRegistered => "member_registered",
            AuditKind::MemberDisabled => "member_disabled",
            AuditKind::MemberEnabled => "member_enabled",
            AuditKind::ProfileDisabled => "profile_disabled",
            AuditKind::ProfileEnabled => "profile_enabled",
            AuditKind::ProfileDeleted => "profile_deleted",
        }
    }

    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == stored)
    }
}

/// One audit row about to be written.
pub struct AuditRecord<'a> {
    pub kind: AuditKind,
    pub member_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub meta: &'a RequestMeta,
    pub detail: Option<String>,
}

/// Writes one audit row on `conn`: pass the transaction of the change it records.
pub async fn record<C: ConnectionTrait>(conn: &C, record: AuditRecord<'_>) -> Result<()> {
    db::audit::insert(
        conn,
        db::audit::NewAuditEvent {
            occurred_at: Utc::now(),
            kind: record.kind.as_str(),
            member_id: record.member_id,
            actor_id: record.actor_id,
            ip: record.meta.ip_string(),
            user_agent: record.meta.user_agent.clone(),
            detail: record.detail,
        },
    )
    .await?;
    Ok(())
}

/// Filters for the staff audit view.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub kinds: Vec<AuditKind>,
    /// Only events about this member; an unknown number matches nothing.
    pub member_number: Option<i64>,
    pub ip: Option<String>,
    pub from: Option<chrono::DateTime<Utc>>,
    pub to: Option<chrono::DateTime<Utc>>,
}

/// One audit row with the member numbers of the people it names.
pub struct AuditEntry {
    pub row: audit_event::Model,
    pub member_number: Option<i64>,
    pub actor_number: Option<i64>,
}

/// A page of audit rows, newest first, plus whether more follow.
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub has_more: bool,
}

/// Staff and admins: every audit row matching the filter.
pub async fn list_events<C: ConnectionTrait>(
    conn: &C,
    viewer: &Viewer,
    filter: AuditFilter,
    before_id: Option<i64>,
    first: u64,
) -> Result<AuditPage> {
    if !viewer.is_staff() {
        return Err(if viewer.member_id().is_some() {
            Error::Forbidden
        } else {
            Error::Unauthenticated
        });
    }
    let member_id = match filter.member_number {
        None => None,
        Some(number) => Some(db::members::find_by_number(conn, number).await?.map_or(-1, |m| m.id)),
    };
    let query = db::audit::AuditQuery {
        kinds: filter.kinds.iter().map(|k| k.as_str()).collect(),
        member_id,
        ip: filter.ip,
        from: filter.from,
        to: filter.to,
        before_id,
    };
    page(conn, &query, first).await
}

/// The member's own login attempts (owner, staff), newest first.
pub async fn login_history<C: ConnectionTrait>(
    conn: &C,
    viewer: &Viewer,
    member_id: i64,
    before_id: Option<i64>,
    first: u64,
) -> Result<AuditPage> {
    let allowed = viewer.member_id() == Some(member_id) || viewer.is_staff();
    if !allowed {
        return Err(Error::Forbidden);
    }
    let query = db::audit::AuditQuery {
        kinds: AuditKind::LOGIN_ATTEMPTS.iter().map(|k| k.as_str()).collect(),
        member_id: Some(member_id),
        before_id,
        ..Default::default()
    };
    page(conn, &query, first).await
}

async fn page<C: ConnectionTrait>(conn: &C, query: &db::audit::AuditQuery, first: u64) -> Result<AuditPage> {
    let mut rows = db::audit::list(conn, query, first + 1).await?;
    let has_more = rows.len() as u64 > first;
    rows.truncate(usize::try_from(first).unwrap_or(usize::MAX));
    let ids: Vec<i64> = rows.iter().flat_map(|r| [r.member_id, r.actor_id]).flatten().collect();
    let numbers = db::members::numbers_by_id(conn, &ids).await?;
    let entries = rows
        .into_iter()
        .map(|row| AuditEntry {
            member_number: row.member_id.and_then(|id| numbers.get(&id).copied()),
            actor_number: row.actor_id.and_then(|id| numbers.get(&id).copied()),
            row,
        })
        .collect();
    Ok(AuditPage { entries, has_more })
}
