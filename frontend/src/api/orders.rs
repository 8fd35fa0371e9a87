//! Orders (`graphql/orders.graphql`): the cart and checkout, one order, the member's order
//! history, cancellation; for staff the order search, refunds and the terminal.

use super::{ApiError, run};

type DateTime = super::DateTime;

/// Where an order stands (one type for every operation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderStatus {
    Pending,
    Paid,
    Expired,
    Cancelled,
    Refunded,
    PartiallyRefunded,
    /// A state this build does not know yet (a newer server).
    #[serde(other)]
    Unknown,
}

impl OrderStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Awaiting payment",
            Self::Paid => "Paid",
            Self::Expired => "Expired unpaid",
            Self::Cancelled => "Cancelled",
            Self::Refunded => "Refunded",
            Self::PartiallyRefunded => "Partly refunded",
            Self::Unknown => "Unknown",
        }
    }
}

/// How an order reached us.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderChannel {
    Online,
    Phone,
    MailIn,
    #[serde(other)]
    Unknown,
}

impl OrderChannel {
    pub fn label(self) -> &'static str {
        match self {
            Self::Online => "Online",
            Self::Phone => "Phone",
            Self::MailIn => "Mail-in",
            Self::Unknown => "Unknown",
        }
    }
}

/// Whether a refund went through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefundStatus {
    Pending,
    Succeeded,
    #[serde(other)]
    Unknown,
}

graphql_operations!(
    "graphql/orders.graphql",
    extern_enums("OrderStatus", "OrderChannel", "RefundStatus"),
    MyCart,
    OneOrder,
    StaffOrderExtras,
    MyOrders,
    RemoveFromCart,
    ApplyCoupon,
    RemoveCoupon,
    Checkout,
    CancelOrder,
    RefundOrder,
    StaffOrders,
    KeyOrder,
    SendPaymentLink,
    RecordTerminalPayment,
    RecordChequePayment,
    TerminalMember,
);

/// An order as the cart and the order page show it.
pub type OrderView = one_order::OrderFields;

/// The caller's cart (if any), with their e-mail and name: receipts go there (P16).
pub async fn my_cart() -> Result<(Option<OrderView>, String, String), ApiError> {
    let data = run::<MyCart>(my_cart::Variables).await?;
    let (email, name) = data.me.map(|m| (m.email, m.legal_name)).unwrap_or_default();
    let cart = match data.cart {
        Some(cart) => Some(one_order(cart.id).await?),
        None => None,
    };
    Ok((cart, email, name))
}

/// One order.
pub async fn one_order(id: String) -> Result<OrderView, ApiError> {
    Ok(run::<OneOrder>(one_order::Variables { id }).await?.order)
}

/// What staff see of an order beyond its buyer's view.
pub type StaffExtras = staff_order_extras::StaffOrderExtrasOrder;

pub async fn staff_extras(id: String) -> Result<StaffExtras, ApiError> {
    Ok(run::<StaffOrderExtras>(staff_order_extras::Variables { id })
        .await?
        .order)
}

/// A line of the order history.
pub type OrderSummary = my_orders::MyOrdersMeOrdersEdgesNode;

pub async fn my_orders() -> Result<Vec<OrderSummary>, ApiError> {
    let me = run::<MyOrders>(my_orders::Variables).await?.me;
    Ok(me
        .map(|m| m.orders.edges.into_iter().map(|e| e.node).collect())
        .unwrap_or_default())
}

pub async fn remove_from_cart(item_id: String) -> Result<(), ApiError> {
    run::<RemoveFromCart>(remove_from_cart::Variables { item_id }).await?;
    Ok(())
}

pub async fn apply_coupon(order_id: String, code: String) -> Result<(), ApiError> {
    run::<ApplyCoupon>(apply_coupon::Variables { order_id, code }).await?;
    Ok(())
}

pub async fn remove_coupon(order_id: String) -> Result<(), ApiError> {
    run::<RemoveCoupon>(remove_coupon::Variables { order_id }).await?;
    Ok(())
}

/// Stripe's payment page for the order.
pub async fn start_checkout(order_id: String) -> Result<String, ApiError> {
    Ok(run::<Checkout>(checkout::Variables { order_id }).await?.checkout.url)
}

/// Cancels the order, or refunds `items` of it.
pub async fn cancel_order(order_id: String, items: Option<Vec<String>>) -> Result<(), ApiError> {
    run::<CancelOrder>(cancel_order::Variables { order_id, items }).await?;
    Ok(())
}

/// Staff: refunds the order, or `items` of it.
pub async fn refund_order(order_id: String, items: Option<Vec<String>>) -> Result<(), ApiError> {
    run::<RefundOrder>(refund_order::Variables { order_id, items }).await?;
    Ok(())
}

/// A line of the staff's order search.
pub type FoundOrder = staff_orders::StaffOrdersOrdersEdgesNode;

pub async fn staff_orders(
    status: Option<OrderStatus>,
    channel: Option<OrderChannel>,
    member_number: Option<String>,
) -> Result<Vec<FoundOrder>, ApiError> {
    let found = run::<StaffOrders>(staff_orders::Variables {
        status,
        channel,
        member_number,
    })
    .await?;
    Ok(found.orders.edges.into_iter().map(|e| e.node).collect())
}

/// An order as staff key it at the terminal.
#[derive(Clone, Debug, Default)]
pub struct KeyedOrderForm {
    pub mail_in: bool,
    pub member_number: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub notes: String,
    pub course: String,
    pub workshop: String,
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Keys the order; answers its id.
pub async fn key_order(form: KeyedOrderForm) -> Result<String, ApiError> {
    let input = key_order::KeyedOrderInput {
        channel: if form.mail_in {
            OrderChannel::MailIn
        } else {
            OrderChannel::Phone
        },
        member_number: optional(&form.member_number),
        name: optional(&form.name),
        email: optional(&form.email),
        phone: optional(&form.phone),
        address: optional(&form.address),
        notes: optional(&form.notes),
        courses: vec![key_order::KeyedCourseInput {
            code: form.course.trim().to_owned(),
            workshop: optional(&form.workshop),
        }],
        fee_ids: Vec::new(),
    };
    Ok(run::<KeyOrder>(key_order::Variables { input }).await?.key_order.id)
}

pub async fn send_payment_link(order_id: String) -> Result<String, ApiError> {
    Ok(run::<SendPaymentLink>(send_payment_link::Variables { order_id })
        .await?
        .send_payment_link
        .url)
}

pub async fn record_terminal_payment(order_id: String, payment_intent_id: String) -> Result<(), ApiError> {
    run::<RecordTerminalPayment>(record_terminal_payment::Variables {
        order_id,
        payment_intent_id,
    })
    .await?;
    Ok(())
}

pub async fn record_cheque_payment(order_id: String, reference: String) -> Result<(), ApiError> {
    run::<RecordChequePayment>(record_cheque_payment::Variables { order_id, reference }).await?;
    Ok(())
}

/// The member record the terminal prefills from (P16): name, phone, one-line address.
pub async fn terminal_member(member_number: String) -> Result<(String, String, String), ApiError> {
    let member = run::<TerminalMember>(terminal_member::Variables { member_number })
        .await?
        .member;
    let a = member.address;
    let address = [a.street_address, a.city, a.region, a.postal_code, a.country]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    Ok((member.legal_name, member.phone.unwrap_or_default(), address))
}
