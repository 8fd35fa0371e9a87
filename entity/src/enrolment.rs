//! A member's enrolment in a course (and one of its workshops): once per course.

use crate::enums::EnrolmentStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrolment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: i64,
    pub course_id: i64,
    pub workshop_id: Option<i64>,
    /// The fee owed for it; `None` for a free course.
    #[sea_orm(unique)]
    pub fee_id: Option<i64>,
    pub status: EnrolmentStatus,
    /// What the member was charged (the member price when there is one), in cents.
    pub price_cents: i64,
    pub enrolled_at: DateTimeUtc,
    pub completed_on: Option<Date>,
    /// The staff or provider account that recorded completion.
    pub completed_by: Option<i64>,
    /// The ledger credit completion wrote (approved courses only).
    pub cec_entry_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
