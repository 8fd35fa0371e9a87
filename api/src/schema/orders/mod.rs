//! Orders and payments (issue 14): the cart, coupons, checkout with Stripe, order history,
//! cancellation and refunds, the staff terminal.

pub mod mutation;
pub mod query;
pub mod types;
