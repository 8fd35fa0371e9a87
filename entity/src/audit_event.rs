//! Security audit trail (P14): every login attempt and security-relevant action.

use crate::enums::AuditKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// UTC.
    pub occurred_at: DateTimeUtc,
    pub kind: AuditKind,
    /// The member concerned, when known.
    pub member_id: Option<i64>,
    /// The member who acted, when different from `member_id` (staff actions).
    pub actor_id: Option<i64>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Free-form context (e.g. the e-mail address tried for an unknown account).
    pub detail: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
