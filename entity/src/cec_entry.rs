//! One entry of the continuing-education credit ledger. Append-only: the database refuses
//! updates and deletes (migration 13); corrections are reversing entries.

use crate::enums::CecSource;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cec_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: i64,
    /// The certification cycle it counts for, if the member had one when it was earned.
    pub cycle_id: Option<i64>,
    /// Tenths of a CEC (`7` is 0.7 CEC); negative for a reversal or a debit.
    pub tenths: i32,
    pub source: CecSource,
    /// Why staff adjusted or reversed it.
    pub reason: Option<String>,
    /// The entry a reversal cancels.
    pub reverses_id: Option<i64>,
    pub earned_on: Date,
    pub recorded_at: DateTimeUtc,
    /// The staff member who recorded it; `None` when the system did.
    pub recorded_by: Option<i64>,
    /// The completed course it credits (source `course`).
    pub course_id: Option<i64>,
    /// The approved petition it credits (source `petition`).
    pub petition_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
