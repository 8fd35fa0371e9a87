//! A data subject's request in the staff queue (P23): erasure, or a returning member's
//! request to be linked to their old member number (P3). Named by member number (a relink
//! moves the requester's login onto the old number's row and the new row goes).

use crate::enums::{PrivacyRequestKind, PrivacyRequestStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "privacy_request")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: PrivacyRequestKind,
    /// The requester's member number when they asked.
    pub member_number: i64,
    /// A relink's old member number, as the requester gave it.
    pub claimed_number: Option<i64>,
    /// What the requester wrote (free text, shown to staff and to the requester).
    pub message: String,
    pub status: PrivacyRequestStatus,
    pub created_at: DateTimeUtc,
    /// When the answer is due (30 days after the request).
    pub due_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
    /// The staff member who closed it.
    pub closed_by: Option<i64>,
    /// What staff answered (a refusal's reason, or what was done).
    pub outcome: Option<String>,
    /// When the `retention` job flagged it to staff as overdue.
    pub flagged_overdue_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
