//! The one door to Stripe (async-stripe over rustls). Only this file speaks to the Stripe
//! client; the rest of the server sees orders, amounts and ids. Stripe receives amounts,
//! the currency and the order id: never the buyer's name or e-mail address (we share no
//! address with third parties; Stripe's page asks for what it needs). Every request that
//! creates something carries an idempotency key, so a retried request creates it once.

use crate::config::PaymentSettings;
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use std::collections::HashMap;
use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionLineItemsPriceData,
    CreateCheckoutSessionPaymentIntentData, ProductData,
};
use stripe_core::PaymentIntentStatus;
use stripe_core::payment_intent::RetrievePaymentIntent;
use stripe_core::refund::CreateRefund;

/// A Checkout Session to ask Stripe for.
pub struct CheckoutRequest<'a> {
    pub order_id: i64,
    pub amount_cents: i64,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
    pub expires_at: DateTime<Utc>,
    /// Stable for one offer of one order: a retry gets the same session back.
    pub idempotency_key: String,
}

/// What Stripe made.
pub struct CheckoutSession {
    pub id: String,
    pub url: String,
}

/// What the server needs to know of a payment staff took in Stripe's dashboard.
pub struct PaymentFacts {
    pub succeeded: bool,
    pub amount_cents: i64,
    pub currency: String,
}

/// Why a Stripe request failed.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// Stripe does not know the object (404).
    #[error("Stripe has no such object")]
    NotFound,
    /// Stripe refused the request (4xx): its message says why.
    #[error("Stripe refused the request: {0}")]
    Refused(String),
    /// Stripe could not be reached, or failed (5xx).
    #[error("Stripe is unavailable: {0}")]
    Unavailable(String),
}

/// The Stripe client, present when `CPTN_STRIPE_SECRET_KEY` and the webhook secret are set.
#[derive(Clone)]
pub struct StripeGateway {
    client: Client,
}

impl std::fmt::Debug for StripeGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("StripeGateway").finish_non_exhaustive()
    }
}

impl StripeGateway {
    /// The gateway the settings describe; `None` when online payment is not configured.
    pub fn from_settings(settings: &PaymentSettings) -> anyhow::Result<Option<Self>> {
        let Some(key) = settings
            .stripe_secret_key
            .as_ref()
            .filter(|_| settings.stripe_configured())
        else {
            return Ok(None);
        };
        let mut builder = ClientBuilder::new(key.expose_secret());
        if let Some(base) = &settings.stripe_api_base {
            builder = builder.url(base.trim_end_matches('/'));
        }
        let client = builder
            .build()
            .map_err(|e| anyhow::anyhow!("building the Stripe client: {e}"))?;
        Ok(Some(Self { client }))
    }

    /// Creates a Checkout Session for `request.amount_cents` CAD, naming the order only.
    pub async fn create_checkout(&self, request: CheckoutRequest<'_>) -> Result<CheckoutSession, GatewayError> {
        let order = request.order_id.to_string();
        let metadata = HashMap::from([("order_id".to_owned(), order.clone())]);
        let mut price = CreateCheckoutSessionLineItemsPriceData::new(stripe_types::Currency::CAD);
        price.unit_amount = Some(request.amount_cents);
        price.product_data = Some(ProductData::new(format!("CPTN Network order {order}")));
        // The payment carries the order id too, so a failed attempt names its order.
        let mut intent = CreateCheckoutSessionPaymentIntentData::new();
        intent.metadata = Some(metadata.clone());
        let mut line = CreateCheckoutSessionLineItems::new();
        line.price_data = Some(price);
        line.quantity = Some(1);
        let session = CreateCheckoutSession::new()
            .mode(stripe_checkout::CheckoutSessionMode::Payment)
            .line_items(vec![line])
            .client_reference_id(order)
            .metadata(metadata)
            .payment_intent_data(intent)
            .success_url(request.success_url)
            .cancel_url(request.cancel_url)
            .expires_at(request.expires_at.timestamp())
            .customize()
            .request_strategy(idempotent(&request.idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(classify)?;
        let url = session
            .url
            .ok_or_else(|| GatewayError::Unavailable("the session has no URL".to_owned()))?;
        Ok(CheckoutSession {
            id: session.id.as_str().to_owned(),
            url,
        })
    }

    /// Reads a payment (`pi_...`) staff say they took in Stripe's dashboard.
    pub async fn payment(&self, payment_intent_id: &str) -> Result<PaymentFacts, GatewayError> {
        let intent = RetrievePaymentIntent::new(payment_intent_id)
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(PaymentFacts {
            succeeded: intent.status == PaymentIntentStatus::Succeeded,
            amount_cents: intent.amount_received,
            currency: intent.currency.to_string().to_uppercase(),
        })
    }

    /// Refunds `amount_cents` of payment `payment_intent_id`; returns Stripe's refund id.
    pub async fn refund(
        &self,
        payment_intent_id: &str,
        amount_cents: i64,
        idempotency_key: &str,
    ) -> Result<String, GatewayError> {
        let refund = CreateRefund::new()
            .payment_intent(payment_intent_id)
            .amount(amount_cents)
            .customize()
            .request_strategy(idempotent(idempotency_key)?)
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(refund.id.as_str().to_owned())
    }
}

fn idempotent(key: &str) -> Result<RequestStrategy, GatewayError> {
    IdempotencyKey::new(key)
        .map(RequestStrategy::Idempotent)
        .map_err(|e| GatewayError::Unavailable(format!("idempotency key: {e}")))
}

/// Stripe's answer, by what the caller can do about it. Only Stripe's message is kept (it
/// never holds card data: no card number passes through this server).
fn classify(err: StripeError) -> GatewayError {
    match err {
        StripeError::Stripe(api, 404) => {
            tracing::info!(message = api.message.as_deref().unwrap_or(""), "Stripe: no such object");
            GatewayError::NotFound
        }
        StripeError::Stripe(api, status) if (400..500).contains(&status) && status != 429 => {
            GatewayError::Refused(api.message.unwrap_or_else(|| format!("status {status}")))
        }
        StripeError::Stripe(api, status) => {
            GatewayError::Unavailable(format!("status {status}: {}", api.message.unwrap_or_default()))
        }
        other => GatewayError::Unavailable(other.to_string()),
    }
}
