//! An address on a newsletter list (P17): pending until confirmed by the link mailed to
//! it, then confirmed, or unsubscribed.

use crate::enums::SubscriptionStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscription")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub list_id: i64,
    /// Normalised (trimmed, lower-case).
    pub email: String,
    /// The member who subscribed, when logged in.
    pub member_id: Option<i64>,
    pub status: SubscriptionStatus,
    /// SHA-256 (hex) of the confirmation link's token while pending.
    pub token_hash: Option<String>,
    pub created_at: DateTimeUtc,
    pub confirmed_at: Option<DateTimeUtc>,
    pub unsubscribed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
