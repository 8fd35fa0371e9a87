//! A Stripe webhook event, stored once by its id before any work is done on it. Only the
//! fields orders need: never the payload, which carries the buyer's name and e-mail.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stripe_event")]
pub struct Model {
    /// Stripe's event id (`evt_...`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub event_type: String,
    /// The object it is about (`cs_...`, `pi_...`).
    pub object_id: Option<String>,
    /// The order named in the object's metadata.
    pub order_id: Option<i64>,
    pub payment_intent_id: Option<String>,
    pub payment_status: Option<String>,
    pub amount_cents: Option<i64>,
    pub currency: Option<String>,
    pub stripe_created_at: DateTimeUtc,
    pub received_at: DateTimeUtc,
    pub processed_at: Option<DateTimeUtc>,
    /// What processing did (for staff; no personal data).
    pub outcome: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
