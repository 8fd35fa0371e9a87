//! A refund of an order (whole or some items), pending until the payment provider confirms.

use crate::enums::{PaymentMethod, RefundStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_refund")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub order_id: i64,
    pub amount_cents: i64,
    /// The refunded items' ids, comma-separated.
    pub items: String,
    /// How the money goes back: the order's own payment method.
    pub method: PaymentMethod,
    pub status: RefundStatus,
    pub stripe_refund_id: Option<String>,
    /// Why the provider refused the last attempt (its message; no card data).
    pub last_error: Option<String>,
    pub requested_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub completed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
