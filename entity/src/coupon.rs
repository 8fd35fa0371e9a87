//! A discount code: percent or a fixed amount, on everything, workshops or one course, for
//! N uses (counted by one conditional update), until an expiry, optionally one member's.

use crate::enums::{CouponKind, CouponScope};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "coupon")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Upper case, unique.
    #[sea_orm(unique)]
    pub code: String,
    pub kind: CouponKind,
    /// 1..=100 for a percent coupon.
    pub percent: Option<i32>,
    /// The amount off, for a fixed coupon.
    pub amount_cents: Option<i64>,
    pub scope: CouponScope,
    /// The course of a `course` coupon.
    pub course_id: Option<i64>,
    pub max_uses: i32,
    /// Uses held by pending orders and spent by paid ones; never above `max_uses`.
    pub uses: i32,
    pub expires_at: Option<DateTimeUtc>,
    /// Only this member may use it.
    pub member_id: Option<i64>,
    /// What it is for (staff's words).
    pub description: String,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub retired_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
