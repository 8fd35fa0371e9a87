//! Links that confirm e-mail addresses (only their tokens' hashes are stored).

use chrono::{DateTime, Utc};
use entity::email_confirmation as confirmation;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

/// A link about to be stored.
pub struct NewLink {
    pub member_id: i64,
    pub token_hash: String,
    /// The credentials of the registration that sends it (none for a link sent again).
    pub password_hash: Option<String>,
    pub legal_name: Option<String>,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert<C: ConnectionTrait>(conn: &C, link: NewLink) -> Result<confirmation::Model, DbErr> {
    confirmation::ActiveModel {
        member_id: Set(link.member_id),
        token_hash: Set(link.token_hash),
        password_hash: Set(link.password_hash),
        legal_name: Set(link.legal_name),
        created_at: Set(link.now),
        expires_at: Set(link.expires_at),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// The unused, unexpired link with this token hash.
pub async fn find_usable<C: ConnectionTrait>(
    conn: &C,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<confirmation::Model>, DbErr> {
    confirmation::Entity::find()
        .filter(confirmation::Column::TokenHash.eq(token_hash))
        .filter(confirmation::Column::UsedAt.is_null())
        .filter(confirmation::Column::ExpiresAt.gt(now))
        .one(conn)
        .await
}

/// Marks the link used if it still can be; false when another request used it first, or
/// it expired meanwhile.
pub async fn claim<C: ConnectionTrait>(conn: &C, id: i64, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let result = confirmation::Entity::update_many()
        .col_expr(confirmation::Column::UsedAt, Expr::value(now))
        .filter(confirmation::Column::Id.eq(id))
        .filter(confirmation::Column::UsedAt.is_null())
        .filter(confirmation::Column::ExpiresAt.gt(now))
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Marks every link of the member used (one confirmation retires them all).
pub async fn use_all_of<C: ConnectionTrait>(conn: &C, member_id: i64, now: DateTime<Utc>) -> Result<(), DbErr> {
    confirmation::Entity::update_many()
        .col_expr(confirmation::Column::UsedAt, Expr::value(now))
        .filter(confirmation::Column::MemberId.eq(member_id))
        .filter(confirmation::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Links that can no longer be used (used or expired before `before`).
fn spent_before(before: DateTime<Utc>) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(confirmation::Column::UsedAt.lt(before))
        .add(confirmation::Column::ExpiresAt.lt(before))
}

pub async fn count_spent_before<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    confirmation::Entity::find()
        .filter(spent_before(before))
        .count(conn)
        .await
}

pub async fn delete_spent_before<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(confirmation::Entity::delete_many()
        .filter(spent_before(before))
        .exec(conn)
        .await?
        .rows_affected)
}
