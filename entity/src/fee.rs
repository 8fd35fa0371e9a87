//! Something a member owes: an amount in integer cents (CAD), awaiting payment until paid.

use crate::enums::{FeePurpose, PaymentStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fee")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: i64,
    pub purpose: FeePurpose,
    pub amount_cents: i64,
    /// ISO 4217; `CAD`.
    pub currency: String,
    pub status: PaymentStatus,
    pub created_at: DateTimeUtc,
    pub paid_at: Option<DateTimeUtc>,
    /// The staff member who marked it paid.
    pub marked_paid_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
