//! Orders (issue 14, P11): what a member or a keyed buyer pays for at once.
//!
//! - A member's **cart** is their pending online order: every fee they come to owe (an
//!   enrolment, a renewal, a petition) lands in it, with the price charged then
//!   ([`cart`]). A pending order holds its workshop seats until it expires
//!   (`CPTN_ORDER_HOLD_MINUTES`, 30); expiry frees them ([`lifecycle`]).
//! - **Coupons** discount it ([`coupons`], amounts by [`pricing`]).
//! - **Payment**: Stripe Checkout for the buyer ([`checkout`]; the order is paid only by
//!   the verified webhook, `services::payments::webhook`), or at the staff **terminal**
//!   ([`terminal`]): a payment link, a card charged in Stripe's dashboard, a cheque.
//!   Paying applies each item once ([`settle`]), whatever the number of webhooks.
//! - **Cancellation and refunds** ([`refunds`]) reverse what an item did and give the money
//!   back through Stripe's Refund API; **receipts** ([`receipts`]) go through the outbox.
//! - A keyed order's buyer details are erased once it is processed (`lifecycle::shred`).
//!
//! Transitions are conditional updates from the expected state; an invalid one is
//! `CONFLICT`. Every transition writes an audit row.

pub mod cart;
pub mod checkout;
pub mod coupons;
pub mod lifecycle;
pub mod pricing;
pub mod receipts;
pub mod refunds;
pub mod settle;
pub mod terminal;

use crate::auth::Viewer;
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::db::orders::OrderFilter;
use crate::error::{Error, Result};
use crate::page::{Page, PageRequest};
use crate::state::AppState;
use entity::enums::{OrderChannel, OrderStatus};
use entity::{coupon, member, order_item, order_refund, order_tax_line, purchase_order};
use sea_orm::ConnectionTrait;

/// An order with its lines, taxes, refunds, coupon and buyer account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderView {
    pub order: purchase_order::Model,
    pub items: Vec<order_item::Model>,
    pub tax_lines: Vec<order_tax_line::Model>,
    pub refunds: Vec<order_refund::Model>,
    pub coupon: Option<coupon::Model>,
    /// The buyer's account, if any.
    pub member: Option<member::Model>,
}

impl OrderView {
    /// Who may read it: the buyer, staff.
    pub fn subject(&self) -> Subject {
        self.order.member_id.into()
    }

    /// Whether staff keyed it (phone or mail-in).
    pub fn is_keyed(&self) -> bool {
        self.order.channel != OrderChannel::Online
    }

    /// What an item cost after its discount, with its tax: what refunding it gives back.
    pub fn item_total(item: &order_item::Model) -> i64 {
        item.price_cents - item.discount_cents + item.tax_cents
    }
}

pub(crate) async fn view_of<C: ConnectionTrait>(conn: &C, id: i64) -> Result<OrderView> {
    let order = db::orders::find(conn, id).await?.ok_or(Error::NotFound)?;
    views_of(conn, vec![order]).await?.pop().ok_or(Error::NotFound)
}

/// Orders with what they hold, in the order given (five statements for any number).
pub(crate) async fn views_of<C: ConnectionTrait>(
    conn: &C,
    orders: Vec<purchase_order::Model>,
) -> Result<Vec<OrderView>> {
    let ids: Vec<i64> = orders.iter().map(|o| o.id).collect();
    let items = db::orders::items_of(conn, &ids).await?;
    let taxes = db::orders::tax_lines_of(conn, &ids).await?;
    let refunds = db::orders::refunds_of(conn, &ids).await?;
    let coupon_ids: Vec<i64> = orders.iter().filter_map(|o| o.coupon_id).collect();
    let coupons = db::coupons::by_ids(conn, &coupon_ids).await?;
    let member_ids: Vec<i64> = orders.iter().filter_map(|o| o.member_id).collect();
    let members = db::members::find_by_ids(conn, &member_ids).await?;
    Ok(orders
        .into_iter()
        .map(|order| OrderView {
            items: items.iter().filter(|i| i.order_id == order.id).cloned().collect(),
            tax_lines: taxes.iter().filter(|t| t.order_id == order.id).cloned().collect(),
            refunds: refunds.iter().filter(|r| r.order_id == order.id).cloned().collect(),
            coupon: coupons.iter().find(|c| Some(c.id) == order.coupon_id).cloned(),
            member: members.iter().find(|m| Some(m.id) == order.member_id).cloned(),
            order,
        })
        .collect())
}

/// Order `id`, for its buyer or staff; `NOT_FOUND` for anyone else (whether it exists is
/// nobody else's business).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn order(state: &AppState, viewer: &Viewer, id: i64) -> Result<OrderView> {
    authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let view = view_of(&state.db, id).await?;
    readable(viewer, view)
}

/// The view if `viewer` may read it, else `NOT_FOUND`.
pub(crate) fn readable(viewer: &Viewer, view: OrderView) -> Result<OrderView> {
    if authz::allows(viewer, Audience::Owner, view.subject()) {
        Ok(view)
    } else {
        Err(Error::NotFound)
    }
}

/// A member's orders (not their cart), newest first: their own, or anyone's for staff.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn orders_of_member(
    state: &AppState,
    viewer: &Viewer,
    member_id: i64,
    page: PageRequest<i64>,
) -> Result<Page<OrderView>> {
    authz::require(viewer, Audience::Owner, member_id)?;
    let filter = OrderFilter {
        member_id: Some(member_id),
        ..OrderFilter::default()
    };
    let rows = db::orders::search(&state.db, &filter, page.after, page.limit_plus_one()).await?;
    Ok(Page::from_rows(views_of(&state.db, rows).await?, page.first))
}

/// Staff: orders by status, channel and buyer, newest first.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn search(
    state: &AppState,
    viewer: &Viewer,
    status: Option<OrderStatus>,
    channel: Option<OrderChannel>,
    member_number: Option<i64>,
    page: PageRequest<i64>,
) -> Result<Page<OrderView>> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let member_id = match member_number {
        // An unknown member has no orders: -1 matches none.
        Some(number) => Some(
            db::members::find_by_number(&state.db, number)
                .await?
                .map_or(-1, |m| m.id),
        ),
        None => None,
    };
    let filter = OrderFilter {
        status,
        channel,
        member_id,
    };
    let rows = db::orders::search(&state.db, &filter, page.after, page.limit_plus_one()).await?;
    Ok(Page::from_rows(views_of(&state.db, rows).await?, page.first))
}

/// A pending order `viewer` may change: the buyer's own cart, or a keyed order for staff.
pub(crate) fn changeable(viewer: &Viewer, view: OrderView) -> Result<OrderView> {
    let view = readable(viewer, view)?;
    if view.is_keyed() {
        authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    }
    if view.order.status != OrderStatus::Pending {
        return Err(Error::Conflict {
            field: Some("orderId"),
            message: format!(
                "This order is {}: it can no longer change.",
                status_word(view.order.status)
            ),
        });
    }
    Ok(view)
}

/// The pending order holding fee `fee_id`, if any (the fee's own reader asks: its
/// resolver is guarded like the fee).
#[tracing::instrument(skip_all)]
pub async fn pending_order_of_fee(state: &AppState, fee_id: i64) -> Result<Option<i64>> {
    Ok(db::orders::pending_item_of_fee(&state.db, fee_id)
        .await?
        .map(|(_, order)| order.id))
}

/// An order status in words, for messages.
pub fn status_word(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Pending => "awaiting payment",
        OrderStatus::Paid => "paid",
        OrderStatus::Expired => "expired",
        OrderStatus::Cancelled => "cancelled",
        OrderStatus::Refunded => "refunded",
        OrderStatus::PartiallyRefunded => "partly refunded",
    }
}
