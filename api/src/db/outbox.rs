//! The mail outbox.

use chrono::{DateTime, Utc};
use entity::outbox_message;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};

/// A relayed message to a member; their address is not part of it.
pub struct NewRelayMessage<'a> {
    pub recipient_member_id: i64,
    pub sender_name: &'a str,
    pub sender_email: &'a str,
    pub sender_ip: Option<String>,
    pub subject: String,
    pub body: &'a str,
    pub now: DateTime<Utc>,
}

pub async fn queue_relay<C: ConnectionTrait>(
    conn: &C,
    new: NewRelayMessage<'_>,
) -> Result<outbox_message::Model, DbErr> {
    outbox_message::ActiveModel {
        created_at: Set(new.now),
        kind: Set("contact_relay".to_owned()),
        recipient_member_id: Set(new.recipient_member_id),
        sender_name: Set(new.sender_name.to_owned()),
        sender_email: Set(new.sender_email.to_owned()),
        sender_ip: Set(new.sender_ip),
        subject: Set(new.subject),
        body: Set(new.body.to_owned()),
        status: Set("queued".to_owned()),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await
}
