//! The proof that a member's personal data was wiped (P3, P23): when, why, and which
//! categories. Holds no personal data; kept after the tombstone itself is purged.

use crate::enums::WipeReason;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wipe_receipt")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_number: i64,
    pub reason: WipeReason,
    /// The categories wiped, comma-separated names (`legal name, e-mail, ...`).
    pub categories: String,
    pub wiped_at: DateTimeUtc,
    /// The erasure request this completed, if one did.
    pub request_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
