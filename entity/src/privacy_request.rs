//! A data subject's request (P23): a member's erasure, a returning member's request to be
//! linked to their old member number (P3), or the export or erasure of what is held under
//! an e-mail address, asked by someone without an account. Named by member number (a relink
//! moves the requester's login onto the old number's row and the new row goes).

use crate::enums::{PrivacyRequestKind, PrivacyRequestStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "privacy_request")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: PrivacyRequestKind,
    /// The requester's member number when they asked (a member's request).
    pub member_number: Option<i64>,
    /// The requester's address (a request by someone without an account).
    pub email: Option<String>,
    /// SHA-256 (hex) of the token of the link that confirms the address, until used.
    pub token_hash: Option<String>,
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
