//! A dated session of a course, with a place and a number of seats.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workshop")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub course_id: i64,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// Where it is held (a venue and city, or "Online").
    pub location: String,
    pub capacity: i32,
    /// Seats held or taken; never above `capacity` (one conditional update takes a seat).
    pub seats_taken: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Cancelled sessions stay for history.
    pub retired_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
