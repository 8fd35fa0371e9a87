//! An archive of everything held about a member (P23), built when they ask for it and
//! deleted 24 hours later. Only its member downloads it, with their own token.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "data_export")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: i64,
    /// The zip file's random name under the storage root's `exports` folder.
    pub file: String,
    pub bytes: i64,
    pub created_at: DateTimeUtc,
    /// When the `retention` job deletes it (24 hours after `created_at`).
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
