//! The cart, one order, staff's order search, coupons.

use super::types::{Coupon, CouponConnection, Order, OrderChannel, OrderConnection, OrderStatus};
use crate::schema::account::query::parse_member_number;
use crate::schema::error::GqlResult;
use crate::schema::pagination::page_request;
use crate::schema::{ContextExt, parse_id};
use crate::services::orders;
use async_graphql::{Context, ID, Object};

#[derive(Default)]
pub struct OrderQuery;

#[Object]
impl OrderQuery {
    /// The caller's cart: their pending online order, if any. Every fee they come to owe
    /// (an enrolment, a renewal, a petition) lands in it. Audience: member (own).
    async fn cart(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Order>> {
        Ok(orders::cart::cart(ctx.state(), ctx.viewer()).await.gql()?.map(Order))
    }

    /// One order: the caller's own, or anyone's for staff; `NOT_FOUND` otherwise.
    /// Audience: owner, staff.
    async fn order(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The order's id.")] id: ID,
    ) -> async_graphql::Result<Order> {
        let id = parse_id(&id, "id", "No such order.")?;
        Ok(Order(orders::order(ctx.state(), ctx.viewer(), id).await.gql()?))
    }

    /// Orders, newest first, by status, channel and buyer. Audience: staff.
    async fn orders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only orders in this state.")] status: Option<OrderStatus>,
        #[graphql(desc = "Only orders from this channel.")] channel: Option<OrderChannel>,
        #[graphql(desc = "Only this member's orders, e.g. `CPTN-000123`.")] member_number: Option<String>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last order of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<OrderConnection> {
        let request = page_request(Order::CURSOR_LIST, first, after.as_deref()).gql()?;
        let number = member_number
            .as_deref()
            .map(parse_member_number)
            .transpose()
            .gql()?
            .map(|n| n.0);
        let page = orders::search(
            ctx.state(),
            ctx.viewer(),
            status.map(Into::into),
            channel.map(Into::into),
            number,
            request,
        )
        .await
        .gql()?;
        Ok(Order::connection(&request, page))
    }

    /// Coupons, newest first. Audience: staff.
    async fn coupons(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last coupon of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<CouponConnection> {
        let request = page_request(Coupon::CURSOR_LIST, first, after.as_deref()).gql()?;
        let page = orders::coupons::coupons(ctx.state(), ctx.viewer(), request)
            .await
            .gql()?;
        Ok(Coupon::connection(&request, page))
    }
}
