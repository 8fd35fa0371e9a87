//! Queries on login sessions.

use chrono::{DateTime, Utc};
use entity::{member, session};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

pub async fn insert<C: ConnectionTrait>(conn: &C, row: session::ActiveModel) -> Result<session::Model, DbErr> {
    row.insert(conn).await
}

/// The session and its member, whatever their state; the caller judges liveness.
pub async fn find_with_member<C: ConnectionTrait>(
    conn: &C,
    session_id: &str,
) -> Result<Option<(session::Model, member::Model)>, DbErr> {
    let found = session::Entity::find_by_id(session_id.to_owned())
        .find_also_related(member::Entity)
        .one(conn)
        .await?;
    Ok(found.and_then(|(s, m)| m.map(|m| (s, m))))
}

/// Replaces the session's current token id, only if it still holds `old_jti` and is not
/// revoked. Returns false when another renewal or a logout won the race.
pub async fn rotate_jti<C: ConnectionTrait>(
    conn: &C,
    session_id: &str,
    old_jti: &str,
    new_jti: &str,
) -> Result<bool, DbErr> {
    let result = session::Entity::update_many()
        .col_expr(session::Column::CurrentJti, Expr::value(new_jti))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::CurrentJti.eq(old_jti))
        .filter(session::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn revoke<C: ConnectionTrait>(conn: &C, session_id: &str, now: DateTime<Utc>) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn revoke_all_for_member<C: ConnectionTrait>(
    conn: &C,
    member_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let result = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .filter(session::Column::MemberId.eq(member_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected)
}
