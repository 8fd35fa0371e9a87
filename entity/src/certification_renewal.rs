//! A member's request to renew a certification cycle: the new cycle is created when its fee
//! is paid.

use crate::enums::PaymentStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certification_renewal")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: i64,
    /// The cycle being renewed (one renewal per cycle).
    #[sea_orm(unique)]
    pub cycle_id: i64,
    #[sea_orm(unique)]
    pub fee_id: i64,
    pub status: PaymentStatus,
    pub requested_at: DateTimeUtc,
    pub completed_at: Option<DateTimeUtc>,
    /// The cycle its payment started.
    pub new_cycle_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
