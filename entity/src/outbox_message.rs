//! Outgoing e-mail, every kind in one outbox (relay, confirmations, later receipts,
//! reminders, newsletters). A row is written in the transaction of the change that causes
//! it and sent later by the `mail` job, with retries. A message to a member names the
//! member, not an address: the address is looked up only when the mail is sent (P4). The
//! IP of the form that caused it is kept (P13).

use crate::enums::{MessageKind, MessageStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_message")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub created_at: DateTimeUtc,
    pub kind: MessageKind,
    /// The member it goes to (their current address), or null with `recipient_address`.
    pub recipient_member_id: Option<i64>,
    /// A literal address, for mail to someone without an account.
    pub recipient_address: Option<String>,
    pub subject: String,
    /// Extra headers as a JSON list of `[name, value]` pairs (`Reply-To`, ...).
    pub headers: String,
    /// Plain-text body.
    pub body: String,
    /// The IP address of the request that queued it (P13).
    pub sender_ip: Option<String>,
    pub status: MessageStatus,
    /// Sending attempts started so far.
    pub attempts: i32,
    /// When the next attempt may start; while an attempt runs, when it is presumed lost.
    pub next_attempt_at: DateTimeUtc,
    /// Why the last attempt failed (the mail server's answer; never credentials).
    pub last_error: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
