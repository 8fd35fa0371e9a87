//! The cart, coupons, checkout, cancellation and refunds, and the staff terminal.

use super::types::{CheckoutSession, Coupon, CouponInput, KeyedOrderInput, Order};
use crate::schema::account::query::parse_member_number;
use crate::schema::error::GqlResult;
use crate::schema::{ContextExt, parse_id};
use crate::services::orders::{self, checkout, coupons, refunds, terminal};
use async_graphql::{Context, ID, Object};

#[derive(Default)]
pub struct OrderMutation;

fn order_id(id: &ID) -> async_graphql::Result<i64> {
    parse_id(id, "orderId", "No such order.")
}

fn item_ids(ids: Option<Vec<ID>>) -> async_graphql::Result<Option<Vec<i64>>> {
    ids.map(|ids| ids.iter().map(|id| parse_id(id, "items", "No such item.")).collect())
        .transpose()
}

#[Object]
impl OrderMutation {
    /// Puts a fee the caller owes (a renewal or petition whose order lapsed) back in their
    /// cart. `CONFLICT` when it is not owed or already in an order awaiting payment.
    /// Audience: member (own).
    async fn add_to_cart(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The fee, as `Fee.id` gives it.")] fee_id: ID,
    ) -> async_graphql::Result<Order> {
        let id = parse_id(&fee_id, "feeId", "No such fee.")?;
        let view = orders::cart::add_to_cart(ctx.state(), ctx.viewer(), ctx.meta(), id)
            .await
            .gql()?;
        Ok(Order(view))
    }

    /// Removes a line from a pending order (the caller's cart, or a keyed order for staff):
    /// a workshop seat is freed and its enrolment dropped; a renewal or petition fee stays
    /// owed. Audience: owner, staff.
    async fn remove_from_cart(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The line, as `OrderItem.id` gives it.")] item_id: ID,
    ) -> async_graphql::Result<Order> {
        let id = parse_id(&item_id, "itemId", "No such item.")?;
        let view = orders::cart::remove_from_cart(ctx.state(), ctx.viewer(), ctx.meta(), id)
            .await
            .gql()?;
        Ok(Order(view))
    }

    /// Applies a coupon to a pending order, replacing any other; it takes one of the
    /// coupon's uses until the order lapses or is cancelled. `VALIDATION` on `code` says
    /// why a coupon does not apply (unknown, expired, used up, another member's, not for
    /// these items). Audience: owner, staff.
    async fn apply_coupon(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pending order.")] order_id: ID,
        #[graphql(desc = "The coupon's code.")] code: String,
    ) -> async_graphql::Result<Order> {
        let id = self::order_id(&order_id)?;
        let view = coupons::apply_coupon(ctx.state(), ctx.viewer(), ctx.meta(), id, &code)
            .await
            .gql()?;
        Ok(Order(view))
    }

    /// Takes the coupon off a pending order and gives its use back. Audience: owner, staff.
    async fn remove_coupon(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pending order.")] order_id: ID,
    ) -> async_graphql::Result<Order> {
        let id = self::order_id(&order_id)?;
        let view = coupons::remove_coupon(ctx.state(), ctx.viewer(), ctx.meta(), id)
            .await
            .gql()?;
        Ok(Order(view))
    }

    /// Pays the caller's cart: answers the URL of Stripe's payment page (Stripe receives
    /// the amount, the currency and the order id, never the buyer's name or e-mail). The
    /// order becomes `PAID` when Stripe's webhook confirms the payment. With nothing to
    /// pay, the order is paid at once. `PAYMENTS_UNAVAILABLE` when online payment is not
    /// configured or Stripe does not answer. Audience: owner.
    async fn checkout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pending order.")] order_id: ID,
    ) -> async_graphql::Result<CheckoutSession> {
        let id = self::order_id(&order_id)?;
        Ok(checkout::checkout(ctx.state(), ctx.viewer(), ctx.meta(), id)
            .await
            .gql()?
            .into())
    }

    /// Cancels an order: a pending one is dropped (its seats freed); a paid one is refunded
    /// through Stripe at once, whole or the items named, and what they did is reversed.
    /// Members cancel their own orders within 14 days of paying
    /// (`CPTN_CANCEL_WINDOW_DAYS`) and never once a workshop in them has begun; staff any.
    /// Audience: owner, staff.
    async fn cancel_order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The order.")] order_id: ID,
        #[graphql(desc = "Only these items (of a paid order); omitted: all.")] items: Option<Vec<ID>>,
    ) -> async_graphql::Result<Order> {
        let id = self::order_id(&order_id)?;
        let items = item_ids(items)?;
        let view = refunds::cancel_order(ctx.state(), ctx.viewer(), ctx.meta(), id, items)
            .await
            .gql()?;
        Ok(Order(view))
    }

    /// Refunds a paid order, whole or the items named, at any time. Audience: staff.
    async fn refund_order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The paid order.")] order_id: ID,
        #[graphql(desc = "Only these items; omitted: all not yet refunded.")] items: Option<Vec<ID>>,
    ) -> async_graphql::Result<Order> {
        let id = self::order_id(&order_id)?;
        let items = item_ids(items)?;
        let view = refunds::refund_order(ctx.state(), ctx.viewer(), ctx.meta(), id, items)
            .await
            .gql()?;
        Ok(Order(view))
    }

    /// Keys a phone or mail-in order, for a member or a buyer without an account (who
    /// pays public prices). Seats are held until it is paid or lapses. A free-text field
    /// holding a card number is refused with `VALIDATION` naming it: card numbers never
    /// pass through this API. Audience: staff.
    async fn key_order(&self, ctx: &Context<'_>, input: KeyedOrderInput) -> async_graphql::Result<Order> {
        let member_number = input
            .member_number
            .as_deref()
            .map(parse_member_number)
            .transpose()
            .gql()?
            .map(|n| n.0);
        let fee_ids = input
            .fee_ids
            .iter()
            .map(|id| parse_id(id, "feeIds", "No such fee."))
            .collect::<async_graphql::Result<Vec<i64>>>()?;
        let mut courses = Vec::with_capacity(input.courses.len());
        for course in input.courses {
            let workshop_id = course
                .workshop
                .as_ref()
                .map(|id| parse_id(id, "workshop", "No such workshop."))
                .transpose()?;
            courses.push(terminal::KeyedCourse {
                code: course.code,
                workshop_id,
            });
        }
        let keyed = terminal::KeyedOrder {
            channel: input.channel.into(),
            member_number,
            name: input.name,
            email: input.email,
            phone: input.phone,
            address: input.address,
            notes: input.notes,
            courses,
            fee_ids,
        };
        let view = terminal::key_order(ctx.state(), ctx.viewer(), ctx.meta(), keyed)
            .await
            .gql()?;
        Ok(Order(view))
    }

    /// Makes a Stripe payment link for a keyed order (valid `CPTN_PAYMENT_LINK_HOURS`, 24)
    /// and e-mails it to the buyer when there is an address; the link is answered too, to
    /// read out. Audience: staff.
    async fn send_payment_link(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pending order.")] order_id: ID,
    ) -> async_graphql::Result<CheckoutSession> {
        let id = self::order_id(&order_id)?;
        Ok(checkout::send_payment_link(ctx.state(), ctx.viewer(), ctx.meta(), id)
            .await
            .gql()?
            .into())
    }

    /// Records a card payment staff took in Stripe's own dashboard terminal, by its Stripe
    /// payment id; the server checks with Stripe that it succeeded for the order's total.
    /// Audience: staff.
    async fn record_terminal_payment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pending order.")] order_id: ID,
        #[graphql(desc = "The Stripe payment id, `pi_...`.")] payment_intent_id: String,
    ) -> async_graphql::Result<Order> {
        let id = self::order_id(&order_id)?;
        let view = terminal::record_terminal_payment(ctx.state(), ctx.viewer(), ctx.meta(), id, &payment_intent_id)
            .await
            .gql()?;
        Ok(Order(view))
    }

    /// Records a cheque as paying a pending order. Audience: staff.
    async fn record_cheque_payment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pending order.")] order_id: ID,
        #[graphql(desc = "The cheque's number or reference, at most 100 characters.")] reference: String,
    ) -> async_graphql::Result<Order> {
        let id = self::order_id(&order_id)?;
        let view = terminal::record_cheque(ctx.state(), ctx.viewer(), ctx.meta(), id, &reference)
            .await
            .gql()?;
        Ok(Order(view))
    }

    /// Creates a coupon. `CONFLICT` when its code exists. Audience: staff.
    async fn create_coupon(&self, ctx: &Context<'_>, input: CouponInput) -> async_graphql::Result<Coupon> {
        let amount = match input.amount.as_deref() {
            Some(text) => Some(
                shared::Money::parse_dollars(text)
                    .ok_or_else(|| crate::error::Error::invalid("amount", "Write an amount such as 20.00."))
                    .gql()?,
            ),
            None => None,
        };
        let member_number = input
            .member_number
            .as_deref()
            .map(parse_member_number)
            .transpose()
            .gql()?
            .map(|n| n.0);
        let coupon = coupons::create_coupon(
            ctx.state(),
            ctx.viewer(),
            ctx.meta(),
            coupons::CouponInput {
                code: input.code,
                kind: input.kind.into(),
                percent: input.percent,
                amount,
                scope: input.scope.into(),
                course: input.course,
                max_uses: input.max_uses,
                expires_at: input.expires_at,
                member_number,
                description: input.description.unwrap_or_default(),
            },
        )
        .await
        .gql()?;
        Ok(Coupon(coupon))
    }

    /// Retires a coupon: it applies to no new order. Audience: staff.
    async fn retire_coupon(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The coupon's code.")] code: String,
    ) -> async_graphql::Result<Coupon> {
        let coupon = coupons::retire_coupon(ctx.state(), ctx.viewer(), ctx.meta(), &code)
            .await
            .gql()?;
        Ok(Coupon(coupon))
    }
}
