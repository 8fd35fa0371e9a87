//! Signing keys (`signing_key`).

use chrono::{DateTime, Utc};
use entity::signing_key;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

/// The newest key of `purpose` not retired.
pub async fn active<C: ConnectionTrait>(conn: &C, purpose: &str) -> Result<Option<signing_key::Model>, DbErr> {
    signing_key::Entity::find()
        .filter(signing_key::Column::Purpose.eq(purpose))
        .filter(signing_key::Column::RetiredAt.is_null())
        .order_by_desc(signing_key::Column::CreatedAt)
        .one(conn)
        .await
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: &str) -> Result<Option<signing_key::Model>, DbErr> {
    signing_key::Entity::find_by_id(id.to_owned()).one(conn).await
}

pub async fn insert<C: ConnectionTrait>(conn: &C, key: signing_key::Model) -> Result<signing_key::Model, DbErr> {
    signing_key::ActiveModel {
        id: Set(key.id),
        purpose: Set(key.purpose),
        algorithm: Set(key.algorithm),
        public_key: Set(key.public_key),
        sealed_private_key: Set(key.sealed_private_key),
        created_at: Set(key.created_at),
        retired_at: Set(key.retired_at),
    }
    .insert(conn)
    .await
}

/// Retires every active key of `purpose` but `keep`.
pub async fn retire_others<C: ConnectionTrait>(
    conn: &C,
    purpose: &str,
    keep: &str,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(signing_key::Entity::update_many()
        .col_expr(signing_key::Column::RetiredAt, Expr::val(now))
        .filter(signing_key::Column::Purpose.eq(purpose))
        .filter(signing_key::Column::RetiredAt.is_null())
        .filter(signing_key::Column::Id.ne(keep))
        .exec(conn)
        .await?
        .rows_affected)
}
