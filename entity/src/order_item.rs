//! A line of an order: the price charged then (a snapshot), its discount, tax and refund.

use crate::enums::FeePurpose;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    pub purpose: FeePurpose,
    /// The member's fee it pays; `None` for a keyed order of a buyer without an account.
    pub fee_id: Option<i64>,
    pub course_id: Option<i64>,
    /// The workshop whose seat it holds.
    pub workshop_id: Option<i64>,
    pub description: String,
    pub price_cents: i64,
    pub discount_cents: i64,
    pub tax_cents: i64,
    pub refunded_cents: i64,
    pub refunded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
