//! The audit trail (P14), and the two patterns every domain uses to keep it:
//!
//! - [`AuditedWrite`]: a write transaction that can only be committed together with its
//!   audit row. Every mutation writes through one.
//! - [`record_staff_read`]: one row each time staff read another person's personal data.
//!
//! Audit rows that record something that wrote nothing else (a failed login) go through
//! [`record`] on their own.

use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use chrono::{DateTime, Utc};
use entity::audit_event;
use entity::enums::AuditKind;
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, Iterable};

/// One audit row about to be written.
#[derive(Clone, Debug)]
pub struct AuditRecord {
    pub kind: AuditKind,
    /// The member the event is about.
    pub member_id: Option<i64>,
    /// Context (never a password, a token or a message body).
    pub detail: Option<String>,
}

impl AuditRecord {
    pub fn new(kind: AuditKind) -> Self {
        Self {
            kind,
            member_id: None,
            detail: None,
        }
    }

    /// The member the event is about.
    #[must_use]
    pub fn about(mut self, member_id: impl Into<Option<i64>>) -> Self {
        self.member_id = member_id.into();
        self
    }

    #[must_use]
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// Who acted and from where, as every audit row records it.
#[derive(Clone, Debug)]
pub struct Actor {
    pub member_id: Option<i64>,
    pub meta: RequestMeta,
    pub at: DateTime<Utc>,
}

impl Actor {
    pub fn new(viewer: &Viewer, meta: &RequestMeta, at: DateTime<Utc>) -> Self {
        Self {
            member_id: viewer.member_id(),
            meta: meta.clone(),
            at,
        }
    }

    /// The server itself (a job, the payment applier) or an operator's tool run from the
    /// command line (demo data): nobody, from nowhere.
    pub fn operator(at: DateTime<Utc>) -> Self {
        Self {
            member_id: None,
            meta: RequestMeta::default(),
            at,
        }
    }
}

/// A write transaction together with the audit row it owes. The only way to make its
/// changes last is [`AuditedWrite::commit`], which writes the audit row in the same
/// transaction; dropping it rolls everything back.
pub struct AuditedWrite {
    txn: DatabaseTransaction,
    actor: Actor,
}

impl AuditedWrite {
    /// Opens the write transaction (`db::begin_write`).
    pub async fn begin(db: &DatabaseConnection, actor: Actor) -> Result<Self> {
        Ok(Self {
            txn: db::begin_write(db).await?,
            actor,
        })
    }

    /// The transaction, for the `db` functions of the change.
    pub fn conn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// When the change happens (the clock read when the write began).
    pub fn now(&self) -> DateTime<Utc> {
        self.actor.at
    }

    /// Writes an audit row now, inside the transaction (for a change that owes several).
    pub async fn record(&self, record: AuditRecord) -> Result<()> {
        write_row(&self.txn, &self.actor, record).await
    }

    /// Writes the audit row and commits.
    pub async fn commit(self, record: AuditRecord) -> Result<()> {
        write_row(&self.txn, &self.actor, record).await?;
        self.txn.commit().await?;
        Ok(())
    }
}

/// Writes one audit row on its own (an event that changed nothing else).
pub async fn record<C: ConnectionTrait>(conn: &C, actor: &Actor, record: AuditRecord) -> Result<()> {
    write_row(conn, actor, record).await
}

async fn write_row<C: ConnectionTrait>(conn: &C, actor: &Actor, record: AuditRecord) -> Result<()> {
    // The actor is kept only when someone acted on another person's account (staff).
    let actor_id = actor.member_id.filter(|id| record.member_id != Some(*id));
    db::audit::insert(
        conn,
        db::audit::NewAuditEvent {
            occurred_at: actor.at,
            kind: record.kind,
            member_id: record.member_id,
            actor_id,
            ip: actor.meta.ip_string(),
            user_agent: actor.meta.user_agent.clone(),
            detail: record.detail,
        },
    )
    .await?;
    Ok(())
}

/// Records that staff read personal data of `subject` (P14). Reading one's own data is not
/// recorded. Call from the service that hands the data out, after the access check.
pub async fn record_staff_read<C: ConnectionTrait>(
    conn: &C,
    viewer: &Viewer,
    actor: &Actor,
    kind: AuditKind,
    subject: i64,
) -> Result<()> {
    if viewer.member_id() == Some(subject) {
        return Ok(());
    }
    write_row(conn, actor, AuditRecord::new(kind).about(subject)).await
}

/// Filters for the staff audit view.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub kinds: Vec<AuditKind>,
    /// Only events about this member; an unknown number matches nothing.
    pub member_number: Option<i64>,
    pub ip: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// One audit row with the member numbers of the people it names.
pub struct AuditEntry {
    pub row: audit_event::Model,
    pub member_number: Option<i64>,
    pub actor_number: Option<i64>,
}

/// Staff and admins: every audit row matching the filter, newest first; keyed by id.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn list_events<C: ConnectionTrait>(
    conn: &C,
    viewer: &Viewer,
    filter: AuditFilter,
    request: PageRequest<i64>,
) -> Result<Page<AuditEntry>> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let member_id = match filter.member_number {
        None => None,
        Some(number) => Some(db::members::find_by_number(conn, number).await?.map_or(-1, |m| m.id)),
    };
    let query = db::audit::AuditQuery {
        kinds: filter.kinds,
        member_id,
        ip: filter.ip,
        from: filter.from,
        to: filter.to,
        before_id: request.after,
    };
    page(conn, &query, request.first).await
}

/// A member's own login attempts (owner, staff), newest first; keyed by id. Staff reading
/// another member's history is recorded.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn login_history<C: ConnectionTrait>(
    conn: &C,
    viewer: &Viewer,
    actor: &Actor,
    member_id: i64,
    request: PageRequest<i64>,
) -> Result<Page<AuditEntry>> {
    authz::require(viewer, Audience::Owner, member_id)?;
    record_staff_read(conn, viewer, actor, AuditKind::LoginHistoryViewed, member_id).await?;
    let query = db::audit::AuditQuery {
        kinds: AuditKind::iter().filter(|k| k.is_login_attempt()).collect(),
        member_id: Some(member_id),
        before_id: request.after,
        ..Default::default()
    };
    page(conn, &query, request.first).await
}

async fn page<C: ConnectionTrait>(conn: &C, query: &db::audit::AuditQuery, first: u64) -> Result<Page<AuditEntry>> {
    let rows = db::audit::list(conn, query, first.saturating_add(1)).await?;
    let page = Page::from_rows(rows, first);
    let ids: Vec<i64> = page
        .items
        .iter()
        .flat_map(|r| [r.member_id, r.actor_id])
        .flatten()
        .collect();
    let numbers = db::members::numbers_by_id(conn, &ids).await?;
    Ok(page.map(|row| AuditEntry {
        member_number: row.member_id.and_then(|id| numbers.get(&id).copied()),
        actor_number: row.actor_id.and_then(|id| numbers.get(&id).copied()),
        row,
    }))
}
