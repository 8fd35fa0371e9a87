//! Vulnerability reports (P20).

use chrono::{DateTime, Utc};
use entity::enums::VulnerabilityReportStatus;
use entity::vulnerability_report;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// A report as received.
pub struct NewReport {
    pub reporter_email: String,
    pub description: String,
    pub steps: String,
    pub attachment: Option<String>,
    pub reporter_ip: Option<String>,
}

pub async fn insert<C: ConnectionTrait>(
    conn: &C,
    new: NewReport,
    now: DateTime<Utc>,
) -> Result<vulnerability_report::Model, DbErr> {
    vulnerability_report::ActiveModel {
        reporter_email: Set(new.reporter_email),
        description: Set(new.description),
        steps: Set(new.steps),
        attachment: Set(new.attachment),
        reporter_ip: Set(new.reporter_ip),
        status: Set(VulnerabilityReportStatus::Received),
        received_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<vulnerability_report::Model>, DbErr> {
    vulnerability_report::Entity::find_by_id(id).one(conn).await
}

/// Reports in `status` (all without one), newest first, after id `after`.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    status: Option<VulnerabilityReportStatus>,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<vulnerability_report::Model>, DbErr> {
    let mut query = vulnerability_report::Entity::find();
    if let Some(status) = status {
        query = query.filter(vulnerability_report::Column::Status.eq(status));
    }
    if let Some(after) = after {
        query = query.filter(vulnerability_report::Column::Id.lt(after));
    }
    query
        .order_by_desc(vulnerability_report::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Records staff's triage of a report that has earned no reward yet; false otherwise.
pub async fn triage<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    status: VulnerabilityReportStatus,
    note: Option<String>,
    by: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let updated = vulnerability_report::Entity::update_many()
        .col_expr(vulnerability_report::Column::Status, Expr::value(status))
        .col_expr(vulnerability_report::Column::TriageNote, Expr::value(note))
        .col_expr(vulnerability_report::Column::TriagedBy, Expr::value(by))
        .col_expr(vulnerability_report::Column::TriagedAt, Expr::value(now))
        .filter(vulnerability_report::Column::Id.eq(id))
        .filter(vulnerability_report::Column::CouponId.is_null())
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Names the reward coupon of an accepted report that has none yet; false otherwise (so
/// two staff members cannot reward one report twice).
pub async fn set_reward<C: ConnectionTrait>(conn: &C, id: i64, coupon_id: i64) -> Result<bool, DbErr> {
    let updated = vulnerability_report::Entity::update_many()
        .col_expr(vulnerability_report::Column::CouponId, Expr::value(coupon_id))
        .filter(vulnerability_report::Column::Id.eq(id))
        .filter(vulnerability_report::Column::Status.eq(VulnerabilityReportStatus::Accepted))
        .filter(vulnerability_report::Column::CouponId.is_null())
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Reports received before `before` (the retention period), oldest first.
pub async fn received_before<C: ConnectionTrait>(
    conn: &C,
    before: DateTime<Utc>,
) -> Result<Vec<vulnerability_report::Model>, DbErr> {
    vulnerability_report::Entity::find()
        .filter(vulnerability_report::Column::ReceivedAt.lt(before))
        .order_by_asc(vulnerability_report::Column::Id)
        .all(conn)
        .await
}

/// Reports sent from `email`.
pub async fn of_address<C: ConnectionTrait>(conn: &C, email: &str) -> Result<Vec<vulnerability_report::Model>, DbErr> {
    vulnerability_report::Entity::find()
        .filter(vulnerability_report::Column::ReporterEmail.eq(email))
        .all(conn)
        .await
}

/// Deletes report `id`; its attachment is the caller's to remove after the commit.
pub async fn delete<C: ConnectionTrait>(conn: &C, id: i64) -> Result<(), DbErr> {
    vulnerability_report::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}

/// How many `injection_blocked` audit rows came from `ip` (a reporter's conduct).
pub async fn blocked_attempts_from<C: ConnectionTrait>(conn: &C, ip: &str) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait as _;
    entity::audit_event::Entity::find()
        .filter(entity::audit_event::Column::Kind.eq(entity::enums::AuditKind::InjectionBlocked))
        .filter(entity::audit_event::Column::Ip.eq(ip))
        .count(conn)
        .await
}

/// Which of `files` a report names (the `files` job keeps them).
pub async fn attachments_in_use<C: ConnectionTrait>(
    conn: &C,
    files: &[String],
) -> Result<std::collections::HashSet<String>, DbErr> {
    let mut used = std::collections::HashSet::new();
    for chunk in files.chunks(500) {
        let rows: Vec<Option<String>> = vulnerability_report::Entity::find()
            .select_only()
            .column(vulnerability_report::Column::Attachment)
            .filter(vulnerability_report::Column::Attachment.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(conn)
            .await?;
        used.extend(rows.into_iter().flatten());
    }
    Ok(used)
}
