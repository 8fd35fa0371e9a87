//! Queries on the audit trail.

use chrono::{DateTime, Utc};
use entity::audit_event;
use entity::enums::AuditKind;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// The columns of a new audit row.
pub struct NewAuditEvent {
    pub occurred_at: DateTime<Utc>,
    pub kind: AuditKind,
    pub member_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Option<String>,
}

pub async fn insert<C: ConnectionTrait>(conn: &C, new: NewAuditEvent) -> Result<audit_event::Model, DbErr> {
    audit_event::ActiveModel {
        occurred_at: Set(new.occurred_at),
        kind: Set(new.kind),
        member_id: Set(new.member_id),
        actor_id: Set(new.actor_id),
        ip: Set(new.ip),
        user_agent: Set(new.user_agent),
        detail: Set(new.detail),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// Which audit rows to list. Every set field narrows the result.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub kinds: Vec<AuditKind>,
    pub member_id: Option<i64>,
    pub ip: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Keyset pagination: only rows with a smaller id (newest first).
    pub before_id: Option<i64>,
}

/// Newest first, at most `limit` rows.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    query: &AuditQuery,
    limit: u64,
) -> Result<Vec<audit_event::Model>, DbErr> {
    let mut filter = Condition::all();
    if !query.kinds.is_empty() {
        filter = filter.add(audit_event::Column::Kind.is_in(query.kinds.iter().copied()));
    }
    if let Some(member_id) = query.member_id {
        filter = filter.add(audit_event::Column::MemberId.eq(member_id));
    }
    if let Some(ip) = &query.ip {
        filter = filter.add(audit_event::Column::Ip.eq(ip.as_str()));
    }
    if let Some(from) = query.from {
        filter = filter.add(audit_event::Column::OccurredAt.gte(from));
    }
    if let Some(to) = query.to {
        filter = filter.add(audit_event::Column::OccurredAt.lt(to));
    }
    if let Some(before) = query.before_id {
        filter = filter.add(audit_event::Column::Id.lt(before));
    }
    audit_event::Entity::find()
        .filter(filter)
        .order_by_desc(audit_event::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// What an audit row's IP and user agent become once the log retention ends (the row
/// itself stays).
pub const EXPIRED_MARKER: &str = "(expired)";

/// Page views before `before` (they are the page-view log: deleted when it ends).
pub async fn page_views_before<C: ConnectionTrait>(
    conn: &C,
    before: DateTime<Utc>,
    delete: bool,
) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    let matching = Condition::all()
        .add(audit_event::Column::Kind.eq(AuditKind::PageViewed))
        .add(audit_event::Column::OccurredAt.lt(before));
    if delete {
        Ok(audit_event::Entity::delete_many()
            .filter(matching)
            .exec(conn)
            .await?
            .rows_affected)
    } else {
        audit_event::Entity::find().filter(matching).count(conn).await
    }
}

/// Other audit rows before `before` that still hold an IP or a user agent: with `mask`,
/// both become [`EXPIRED_MARKER`], the row kept.
pub async fn addresses_before<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>, mask: bool) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    use sea_orm::sea_query::Expr;
    let matching = Condition::all().add(audit_event::Column::OccurredAt.lt(before)).add(
        Condition::any()
            .add(audit_event::Column::Ip.ne(EXPIRED_MARKER))
            .add(audit_event::Column::UserAgent.ne(EXPIRED_MARKER)),
    );
    if mask {
        Ok(audit_event::Entity::update_many()
            .col_expr(audit_event::Column::Ip, Expr::val(EXPIRED_MARKER))
            .col_expr(audit_event::Column::UserAgent, Expr::val(EXPIRED_MARKER))
            .filter(matching)
            .exec(conn)
            .await?
            .rows_affected)
    } else {
        audit_event::Entity::find().filter(matching).count(conn).await
    }
}
