//! Payments (issue 14, in progress): what exists so far is the verification of Stripe's
//! webhook signatures ([`signature`]), the first thing `POST /webhooks/stripe` will do.

pub mod signature;
