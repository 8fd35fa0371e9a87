//! A renewal reminder of a cycle, sent or passed over; at most one per (cycle, days before
//! expiry).

use crate::enums::ReminderOutcome;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "renewal_reminder")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub cycle_id: i64,
    pub member_id: i64,
    /// Which reminder: days before expiry (90, 60, 30, 7 by default).
    pub days_before: i32,
    pub outcome: ReminderOutcome,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
