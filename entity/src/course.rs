//! A continuing-education course of the catalogue. Amounts are integers: hours and CEC in
//! tenths, prices in cents (CAD).

use crate::enums::{CourseApproval, CourseDelivery};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "course")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The catalogue code, e.g. `NUT-201`.
    #[sea_orm(unique)]
    pub code: String,
    pub provider_id: i64,
    pub title: String,
    pub description: String,
    pub delivery: CourseDelivery,
    pub hours_tenths: i32,
    pub cec_tenths: i32,
    pub approval: CourseApproval,
    pub public_price_cents: i64,
    /// What members pay, when it differs (P21).
    pub member_price_cents: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub retired_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
