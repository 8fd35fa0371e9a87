//! Coupons (issue 14).

use chrono::{DateTime, Utc};
use entity::coupon;
use entity::enums::{CouponKind, CouponScope};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// A coupon as staff create it.
pub struct NewCoupon {
    pub code: String,
    pub kind: CouponKind,
    pub percent: Option<i32>,
    pub amount_cents: Option<i64>,
    pub scope: CouponScope,
    pub course_id: Option<i64>,
    pub max_uses: i32,
    pub expires_at: Option<DateTime<Utc>>,
    pub member_id: Option<i64>,
    pub description: String,
    pub created_by: Option<i64>,
}

pub async fn insert<C: ConnectionTrait>(conn: &C, new: NewCoupon, now: DateTime<Utc>) -> Result<coupon::Model, DbErr> {
    coupon::ActiveModel {
        code: Set(new.code),
        kind: Set(new.kind),
        percent: Set(new.percent),
        amount_cents: Set(new.amount_cents),
        scope: Set(new.scope),
        course_id: Set(new.course_id),
        max_uses: Set(new.max_uses),
        uses: Set(0),
        expires_at: Set(new.expires_at),
        member_id: Set(new.member_id),
        description: Set(new.description),
        created_by: Set(new.created_by),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<coupon::Model>, DbErr> {
    coupon::Entity::find_by_id(id).one(conn).await
}

pub async fn by_code<C: ConnectionTrait>(conn: &C, code: &str) -> Result<Option<coupon::Model>, DbErr> {
    coupon::Entity::find()
        .filter(coupon::Column::Code.eq(code))
        .one(conn)
        .await
}

pub async fn by_ids<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Vec<coupon::Model>, DbErr> {
    coupon::Entity::find()
        .filter(coupon::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await
}

/// Takes one use if one is left: one conditional update, so two orders racing for the last
/// use of a coupon get it once. `false` when none is left.
pub async fn take_use<C: ConnectionTrait>(conn: &C, id: i64) -> Result<bool, DbErr> {
    let updated = coupon::Entity::update_many()
        .col_expr(coupon::Column::Uses, Expr::col(coupon::Column::Uses).add(1))
        .filter(coupon::Column::Id.eq(id))
        .filter(Expr::col(coupon::Column::Uses).lt(Expr::col(coupon::Column::MaxUses)))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Gives a use back (its order lapsed, was cancelled, or dropped the coupon).
pub async fn release_use<C: ConnectionTrait>(conn: &C, id: i64) -> Result<(), DbErr> {
    coupon::Entity::update_many()
        .col_expr(coupon::Column::Uses, Expr::col(coupon::Column::Uses).sub(1))
        .filter(coupon::Column::Id.eq(id))
        .filter(coupon::Column::Uses.gt(0))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn retire<C: ConnectionTrait>(conn: &C, id: i64, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let updated = coupon::Entity::update_many()
        .col_expr(coupon::Column::RetiredAt, Expr::val(now))
        .filter(coupon::Column::Id.eq(id))
        .filter(coupon::Column::RetiredAt.is_null())
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Coupons newest first, after id `after`.
pub async fn list<C: ConnectionTrait>(conn: &C, after: Option<i64>, limit: u64) -> Result<Vec<coupon::Model>, DbErr> {
    let mut query = coupon::Entity::find();
    if let Some(after) = after {
        query = query.filter(coupon::Column::Id.lt(after));
    }
    query.order_by_desc(coupon::Column::Id).limit(limit).all(conn).await
}
