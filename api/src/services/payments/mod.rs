//! Online payment with Stripe (issue 14): the client ([`stripe`]: Checkout Sessions,
//! payments taken in Stripe's dashboard, refunds) and the webhook intake ([`webhook`]:
//! verified signatures ([`signature`]), each event stored once, then applied to its order).

pub mod gateway;
pub mod signature;
pub mod webhook;
