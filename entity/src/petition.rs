//! A member's petition for credit from a course that is not approved (P22).

use crate::enums::PetitionStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "petition")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: i64,
    pub title: String,
    pub provider_name: String,
    pub completed_on: Date,
    pub hours_tenths: i32,
    pub requested_tenths: i32,
    /// What staff approved (at most what was requested).
    pub granted_tenths: Option<i32>,
    /// The stored evidence file's name (`services::storage`).
    pub evidence_file: String,
    /// Its sniffed media type.
    pub evidence_type: String,
    #[sea_orm(unique)]
    pub fee_id: i64,
    pub status: PetitionStatus,
    /// Staff's reason for a rejection, or their question.
    pub staff_note: Option<String>,
    /// The member's answer to the question.
    pub member_answer: Option<String>,
    pub filed_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<i64>,
    /// The ledger credit approval wrote.
    pub cec_entry_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
