//! Site access log (P9, P14): one row per HTTP request.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// UTC time the request arrived.
    pub occurred_at: DateTimeUtc,
    pub ip: Option<String>,
    pub method: String,
    /// The GraphQL operation name for API calls, otherwise the path.
    pub target: String,
    pub member_id: Option<i64>,
    pub status: i32,
    pub duration_us: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
