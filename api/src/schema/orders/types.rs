//! Order types.

use crate::authz::{Audience, Subject};
use crate::page::{Page, PageRequest};
use crate::schema::ContextExt;
use crate::schema::certification::types::{FeePurpose, MoneyAmount};
use crate::schema::guard::readable_by;
use crate::schema::pagination::plain_connection;
use crate::services::orders::{OrderView, receipts};
use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object};
use entity::{coupon, order_item, order_refund, order_tax_line};
use shared::{MemberNumber, Money};

fn money(cents: i64) -> MoneyAmount {
    MoneyAmount(Money::from_cents(cents))
}

/// Where an order stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::OrderStatus")]
pub enum OrderStatus {
    /// The cart, or a keyed order awaiting payment: its seats are held until `expiresAt`.
    Pending,
    /// Paid: its items took effect.
    Paid,
    /// Lapsed unpaid: its seats were freed.
    Expired,
    /// Cancelled before payment.
    Cancelled,
    /// Every item refunded.
    Refunded,
    /// Some items refunded.
    PartiallyRefunded,
}

/// How an order reached us.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::OrderChannel")]
pub enum OrderChannel {
    /// A member's cart.
    Online,
    /// Keyed by staff during a phone call.
    Phone,
    /// Keyed by staff from a mailed form.
    MailIn,
}

/// How an order was paid.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::PaymentMethod")]
pub enum PaymentMethod {
    /// On Stripe's Checkout page (online, or a payment link staff sent).
    StripeCheckout,
    /// A card staff charged in Stripe's dashboard terminal.
    StripeTerminal,
    /// A cheque.
    Cheque,
    /// Nothing to pay.
    NoCharge,
}

/// How a coupon discounts.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::CouponKind")]
pub enum CouponKind {
    /// A percentage of each item it applies to.
    Percent,
    /// An amount off the items it applies to together.
    Fixed,
}

/// What a coupon applies to.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::CouponScope")]
pub enum CouponScope {
    /// Every item.
    Everything,
    /// Workshop seats.
    Workshops,
    /// Enrolment in one course.
    Course,
}

/// Where a refund stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::RefundStatus")]
pub enum RefundStatus {
    /// Recorded; Stripe has not confirmed it yet (it is retried every minute).
    Pending,
    /// The money is on its way back.
    Succeeded,
}

pub struct Order(pub OrderView);

impl Order {
    pub const CURSOR_LIST: &'static str = "orders";

    pub fn connection(request: &PageRequest<i64>, page: Page<OrderView>) -> OrderConnection {
        plain_connection(Self::CURSOR_LIST, request, page, |view| view.order.id, Order)
    }

    fn subject(&self) -> Subject {
        self.0.subject()
    }
}

/// A page of orders.
pub type OrderConnection = Connection<String, Order>;

/// What a buyer pays for at once: a member's cart while pending, or an order staff keyed.
/// Audience: owner, staff.
#[Object]
impl Order {
    /// Stable identifier, also the order number on receipts. Audience: owner, staff.
    async fn id(&self) -> ID {
        ID(self.0.order.id.to_string())
    }

    /// Where it stands. Audience: owner, staff.
    async fn status(&self) -> OrderStatus {
        self.0.order.status.into()
    }

    /// How it reached us. Audience: owner, staff.
    async fn channel(&self) -> OrderChannel {
        self.0.order.channel.into()
    }

    /// Its lines, with the prices charged. Audience: owner, staff.
    async fn items(&self) -> Vec<OrderItem> {
        self.0.items.iter().cloned().map(OrderItem).collect()
    }

    /// The items' prices together. Audience: owner, staff.
    async fn subtotal(&self) -> MoneyAmount {
        money(self.0.order.subtotal_cents)
    }

    /// What the coupon took off. Audience: owner, staff.
    async fn discount(&self) -> MoneyAmount {
        money(self.0.order.discount_cents)
    }

    /// The coupon applied, by its code. Audience: owner, staff.
    async fn coupon_code(&self) -> Option<&str> {
        self.0.coupon.as_ref().map(|c| c.code.as_str())
    }

    /// The taxes charged, by name (none unless the server is configured with some).
    /// Audience: owner, staff.
    async fn tax_lines(&self) -> Vec<TaxLine> {
        self.0.tax_lines.iter().cloned().map(TaxLine).collect()
    }

    /// The taxes together. Audience: owner, staff.
    async fn tax(&self) -> MoneyAmount {
        money(self.0.order.tax_cents)
    }

    /// What is paid: subtotal less discount plus tax. Audience: owner, staff.
    async fn total(&self) -> MoneyAmount {
        money(self.0.order.total_cents)
    }

    /// What was refunded so far. Audience: owner, staff.
    async fn refunded(&self) -> MoneyAmount {
        money(self.0.order.refunded_cents)
    }

    /// When it was created (UTC). Audience: owner, staff.
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.order.created_at
    }

    /// While pending: when it lapses and its seats are freed (UTC). Audience: owner, staff.
    async fn expires_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        (self.0.order.status == entity::enums::OrderStatus::Pending).then_some(self.0.order.expires_at)
    }

    /// When it was paid (UTC). Audience: owner, staff.
    async fn paid_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.order.paid_at
    }

    /// When it was cancelled or expired (UTC). Audience: owner, staff.
    async fn closed_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.order.closed_at
    }

    /// How it was paid. Audience: owner, staff.
    async fn payment_method(&self) -> Option<PaymentMethod> {
        self.0.order.payment_method.map(Into::into)
    }

    /// True when Stripe reported a failed payment attempt since the last checkout began:
    /// the buyer may try again. Audience: owner, staff.
    async fn payment_declined(&self) -> bool {
        self.0.order.payment_declined
    }

    /// While pending, the Stripe page offered to pay it, if checkout began. Audience:
    /// owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn checkout_url(&self) -> Option<&str> {
        if self.0.order.status == entity::enums::OrderStatus::Pending {
            self.0.order.checkout_url.as_deref()
        } else {
            None
        }
    }

    /// Its refunds. Audience: owner, staff.
    async fn refunds(&self) -> Vec<Refund> {
        self.0
            .refunds
            .iter()
            .map(|r| Refund(r.clone(), self.0.clone()))
            .collect()
    }

    /// Once paid, the receipt as text, rendered from the order. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn receipt(&self) -> Option<String> {
        self.0.order.paid_at.map(|_| receipts::payment_receipt(&self.0))
    }

    /// Whether the caller may cancel it now (pending; or paid within the cancellation
    /// window with no workshop begun, for its buyer; any time for staff). Audience: owner,
    /// staff.
    async fn cancellable(&self, ctx: &Context<'_>) -> bool {
        crate::services::orders::refunds::cancellable(ctx.state(), ctx.viewer(), &self.0)
    }

    /// The buyer's member number, when they have an account. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn member_number(&self) -> Option<String> {
        self.0
            .member
            .as_ref()
            .map(|m| MemberNumber(m.member_number).to_string())
    }

    /// The buyer's legal name, when they have an account. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn member_name(&self) -> Option<&str> {
        self.0.member.as_ref().map(|m| m.legal_name.as_str())
    }

    /// The details a phone or mail-in buyer gave, until the order is processed; then
    /// erased (`shredded`). Audience: staff.
    #[graphql(guard = "readable_by(Audience::Staff, Subject::NOBODY)")]
    async fn buyer(&self) -> Option<Buyer> {
        let o = &self.0.order;
        let any = o.buyer_name.is_some()
            || o.buyer_email.is_some()
            || o.buyer_phone.is_some()
            || o.buyer_address.is_some()
            || o.notes.is_some();
        any.then(|| Buyer(self.0.clone()))
    }

    /// True once a keyed order's buyer details were erased. Audience: staff.
    #[graphql(guard = "readable_by(Audience::Staff, Subject::NOBODY)")]
    async fn shredded(&self) -> bool {
        self.0.order.shredded_at.is_some()
    }

    /// The IP address it was placed from (P13). Audience: staff.
    #[graphql(guard = "readable_by(Audience::Staff, Subject::NOBODY)")]
    async fn placed_ip(&self) -> Option<&str> {
        self.0.order.placed_ip.as_deref()
    }

    /// The Stripe payment that paid it (`pi_...`). Audience: staff.
    #[graphql(guard = "readable_by(Audience::Staff, Subject::NOBODY)")]
    async fn stripe_payment_id(&self) -> Option<&str> {
        self.0.order.stripe_payment_intent_id.as_deref()
    }

    /// The cheque that paid it. Audience: staff.
    #[graphql(guard = "readable_by(Audience::Staff, Subject::NOBODY)")]
    async fn cheque_reference(&self) -> Option<&str> {
        self.0.order.cheque_reference.as_deref()
    }
}

pub struct Buyer(OrderView);

/// A phone or mail-in buyer's details, kept until the order is processed. Audience: staff.
#[Object]
impl Buyer {
    /// Their name. Audience: staff.
    async fn name(&self) -> Option<&str> {
        self.0.order.buyer_name.as_deref()
    }

    /// Their e-mail address (receipts go there). Audience: staff.
    async fn email(&self) -> Option<&str> {
        self.0.order.buyer_email.as_deref()
    }

    /// Their phone number. Audience: staff.
    async fn phone(&self) -> Option<&str> {
        self.0.order.buyer_phone.as_deref()
    }

    /// Their postal address. Audience: staff.
    async fn address(&self) -> Option<&str> {
        self.0.order.buyer_address.as_deref()
    }

    /// Staff's notes. Audience: staff.
    async fn notes(&self) -> Option<&str> {
        self.0.order.notes.as_deref()
    }
}

pub struct OrderItem(pub order_item::Model);

/// A line of an order, with the price charged then. Audience: owner, staff.
#[Object]
impl OrderItem {
    /// Stable identifier. Audience: owner, staff.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// What it is for. Audience: owner, staff.
    async fn purpose(&self) -> FeePurpose {
        self.0.purpose.into()
    }

    /// What it is, e.g. `NUT-201 Sports nutrition, 2027-03-01 Toronto`. Audience: owner,
    /// staff.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The workshop whose seat it holds. Audience: owner, staff.
    async fn workshop_id(&self) -> Option<ID> {
        self.0.workshop_id.map(|id| ID(id.to_string()))
    }

    /// The price charged (the member price for a member). Audience: owner, staff.
    async fn price(&self) -> MoneyAmount {
        money(self.0.price_cents)
    }

    /// Its share of the coupon's discount. Audience: owner, staff.
    async fn discount(&self) -> MoneyAmount {
        money(self.0.discount_cents)
    }

    /// Its tax. Audience: owner, staff.
    async fn tax(&self) -> MoneyAmount {
        money(self.0.tax_cents)
    }

    /// What it costs: price less discount plus tax (what refunding it gives back).
    /// Audience: owner, staff.
    async fn total(&self) -> MoneyAmount {
        money(OrderView::item_total(&self.0))
    }

    /// When it was refunded. Audience: owner, staff.
    async fn refunded_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.refunded_at
    }
}

pub struct TaxLine(pub order_tax_line::Model);

/// A tax charged on an order. Audience: owner, staff.
#[Object]
impl TaxLine {
    /// Its name, e.g. `GST`. Audience: owner, staff.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Its rate in percent, e.g. `"5"` or `"7.5"`. Audience: owner, staff.
    async fn rate_percent(&self) -> String {
        let bp = self.0.rate_basis_points;
        let text = format!("{}.{:02}", bp / 100, bp % 100);
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }

    /// How much. Audience: owner, staff.
    async fn amount(&self) -> MoneyAmount {
        money(self.0.amount_cents)
    }
}

pub struct Refund(pub order_refund::Model, OrderView);

/// A refund of an order. Audience: owner, staff.
#[Object]
impl Refund {
    /// Stable identifier. Audience: owner, staff.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// How much. Audience: owner, staff.
    async fn amount(&self) -> MoneyAmount {
        money(self.0.amount_cents)
    }

    /// Whether Stripe confirmed it. Audience: owner, staff.
    async fn status(&self) -> RefundStatus {
        self.0.status.into()
    }

    /// When it was asked for (UTC). Audience: owner, staff.
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }

    /// When it was confirmed (UTC). Audience: owner, staff.
    async fn completed_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.completed_at
    }

    /// The refund receipt as text. Audience: owner, staff.
    async fn receipt(&self) -> String {
        receipts::refund_receipt(&self.1, &self.0)
    }
}

pub struct Coupon(pub coupon::Model);

impl Coupon {
    pub const CURSOR_LIST: &'static str = "coupons";

    pub fn connection(request: &PageRequest<i64>, page: Page<coupon::Model>) -> CouponConnection {
        plain_connection(Self::CURSOR_LIST, request, page, |c| c.id, Coupon)
    }
}

/// A page of coupons.
pub type CouponConnection = Connection<String, Coupon>;

/// A discount code. Audience: staff.
#[Object]
impl Coupon {
    /// The code buyers enter. Audience: staff.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// Percent or fixed amount. Audience: staff.
    async fn kind(&self) -> CouponKind {
        self.0.kind.into()
    }

    /// Percent off, for a percent coupon. Audience: staff.
    async fn percent(&self) -> Option<i32> {
        self.0.percent
    }

    /// Amount off, for a fixed coupon. Audience: staff.
    async fn amount(&self) -> Option<MoneyAmount> {
        self.0.amount_cents.map(money)
    }

    /// What it applies to. Audience: staff.
    async fn scope(&self) -> CouponScope {
        self.0.scope.into()
    }

    /// How many orders may use it. Audience: staff.
    async fn max_uses(&self) -> i32 {
        self.0.max_uses
    }

    /// Uses held by pending orders and spent by paid ones. Audience: staff.
    async fn uses(&self) -> i32 {
        self.0.uses
    }

    /// When it stops applying (UTC). Audience: staff.
    async fn expires_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.expires_at
    }

    /// True when only one member may use it. Audience: staff.
    async fn for_one_member(&self) -> bool {
        self.0.member_id.is_some()
    }

    /// What it is for. Audience: staff.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// True once retired. Audience: staff.
    async fn retired(&self) -> bool {
        self.0.retired_at.is_some()
    }
}

/// Where to pay an order. Audience: owner, staff.
pub struct CheckoutSession {
    pub url: String,
    pub order: OrderView,
}

impl From<crate::services::orders::checkout::CheckoutStart> for CheckoutSession {
    fn from(start: crate::services::orders::checkout::CheckoutStart) -> Self {
        Self {
            url: start.url,
            order: start.order,
        }
    }
}

/// Where to send the buyer to pay. Audience: owner, staff.
#[Object]
impl CheckoutSession {
    /// Stripe's payment page (or the order's own page when there was nothing to pay).
    /// Audience: owner, staff.
    async fn url(&self) -> &str {
        &self.url
    }

    /// The order. Audience: owner, staff.
    async fn order(&self) -> Order {
        Order(self.order.clone())
    }
}

/// A coupon as staff create it.
#[derive(InputObject)]
pub struct CouponInput {
    /// 3 to 40 letters, digits or dashes (stored upper case).
    pub code: String,
    /// Percent off each item, or an amount off them together.
    pub kind: CouponKind,
    /// 1 to 100, for a percent coupon.
    pub percent: Option<i32>,
    /// Dollars off, e.g. `"20.00"`, for a fixed coupon.
    pub amount: Option<String>,
    /// What it applies to.
    pub scope: CouponScope,
    /// The course code of a `COURSE` coupon.
    pub course: Option<String>,
    /// How many orders may use it (1 = single use).
    pub max_uses: i32,
    /// When it stops applying (UTC); none: never.
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Only this member may use it, e.g. `CPTN-000123`.
    pub member_number: Option<String>,
    /// What it is for, at most 200 characters.
    pub description: Option<String>,
}

/// A course (and workshop) a keyed order buys.
#[derive(InputObject)]
pub struct KeyedCourseInput {
    /// The course code.
    pub code: String,
    /// One of its workshops (required for an in-person course).
    pub workshop: Option<ID>,
}

/// An order staff key from a phone call or a mailed form. No field may hold a card number.
#[derive(InputObject)]
pub struct KeyedOrderInput {
    /// `PHONE` or `MAIL_IN`.
    pub channel: OrderChannel,
    /// The buyer's member number; omitted for a buyer without an account (public prices).
    pub member_number: Option<String>,
    /// The buyer's name (required without a member number).
    pub name: Option<String>,
    /// Where receipts and the payment link go.
    pub email: Option<String>,
    /// The buyer's phone number.
    pub phone: Option<String>,
    /// The buyer's postal address.
    pub address: Option<String>,
    /// Staff's notes.
    pub notes: Option<String>,
    /// Courses and workshop seats bought.
    #[graphql(default)]
    pub courses: Vec<KeyedCourseInput>,
    /// Fees the member owes (a renewal, a petition) paid in this order.
    #[graphql(default)]
    pub fee_ids: Vec<ID>,
}
