//! An order: a member's cart while pending, or one staff keyed for a phone or mail-in buyer.
//! Amounts in integer cents. The buyer's details of a keyed order live here only until the
//! order is processed, then they are erased (`shredded_at`).

use crate::enums::{OrderChannel, OrderStatus, PaymentMethod};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "purchase_order")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The buyer's account; `None` for a keyed order of a buyer without one.
    pub member_id: Option<i64>,
    pub channel: OrderChannel,
    pub status: OrderStatus,
    /// ISO 4217; `CAD`.
    pub currency: String,
    pub subtotal_cents: i64,
    pub discount_cents: i64,
    pub tax_cents: i64,
    pub total_cents: i64,
    pub refunded_cents: i64,
    pub coupon_id: Option<i64>,
    /// The IP of the request that placed it (P13); the marker once access-log retention ends.
    pub placed_ip: Option<String>,
    /// The staff member who keyed it at the terminal.
    pub keyed_by: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// A pending order lapses then, and its seats are freed.
    pub expires_at: DateTimeUtc,
    pub paid_at: Option<DateTimeUtc>,
    /// When it was cancelled or expired.
    pub closed_at: Option<DateTimeUtc>,
    pub payment_method: Option<PaymentMethod>,
    /// The Stripe Checkout Session currently offered for it.
    #[sea_orm(unique)]
    pub stripe_session_id: Option<String>,
    pub checkout_url: Option<String>,
    /// The Stripe payment that paid it (refunds go back to it).
    #[sea_orm(unique)]
    pub stripe_payment_intent_id: Option<String>,
    pub cheque_reference: Option<String>,
    /// Stripe reported a failed attempt (the buyer may try again).
    pub payment_declined: bool,
    pub buyer_name: Option<String>,
    pub buyer_email: Option<String>,
    pub buyer_phone: Option<String>,
    pub buyer_address: Option<String>,
    pub notes: Option<String>,
    /// The queued receipt of a keyed order: the order is shredded once it has gone.
    pub receipt_message_id: Option<i64>,
    pub shredded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
