//! A period a member is certified for: from the exam (or a renewal, or a reinstatement) to
//! its expiry. The member's status follows from their cycles and the date.

use crate::enums::CycleKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certification_cycle")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: i64,
    /// First day certified.
    pub starts_on: Date,
    /// First day no longer certified (the expiry date); grace runs from here.
    pub ends_on: Date,
    pub kind: CycleKind,
    pub recorded_at: DateTimeUtc,
    /// The staff member who recorded it; `None` for a member's own renewal.
    pub recorded_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
