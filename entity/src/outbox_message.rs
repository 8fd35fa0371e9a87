//! Outgoing mail waiting to be sent. Relay messages name the recipient member, never their
//! address: it is looked up only when the mail is sent (P4). The sender's IP is kept (P13).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_message")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: DateTimeUtc,
    /// e.g. `contact_relay`.
    pub kind: String,
    pub recipient_member_id: i64,
    pub sender_name: String,
    pub sender_email: String,
    pub sender_ip: Option<String>,
    pub subject: String,
    pub body: String,
    /// `queued` or `sent`.
    pub status: String,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
