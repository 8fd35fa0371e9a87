//! A fake Stripe for the tests, on 127.0.0.1: it speaks the request and response shapes of
//! the endpoints the server uses (form-encoded requests, JSON objects, Stripe's error
//! bodies, idempotency keys), serves a payment page for each Checkout Session, and sends
//! webhooks signed as Stripe signs them. It records every request, so tests can show what
//! Stripe was (and was not) told.

use actix_web::{HttpRequest, HttpResponse, web};
use anyhow::{Context, Result, anyhow};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The signing secret of the webhook endpoint the fake delivers to.
pub const WEBHOOK_SECRET: &str = "whsec_test_cptn_fake_secret";
/// The API key the server is configured with.
pub const SECRET_KEY: &str = "sk_test_cptn_fake";

/// A Checkout Session as the fake keeps it.
#[derive(Clone, Debug)]
pub struct Session {
    pub id: String,
    pub order_id: String,
    pub amount: i64,
    pub currency: String,
    pub success_url: String,
    pub cancel_url: String,
    pub expires_at: i64,
    pub status: &'static str,
    pub payment_intent: Option<String>,
}

/// A request the server made.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub form: Vec<(String, String)>,
    pub idempotency_key: Option<String>,
}

#[derive(Default)]
struct State {
    counter: u64,
    sessions: HashMap<String, Session>,
    /// Payment intents: id -> (amount, currency, status, refunded).
    intents: HashMap<String, (i64, String, String, i64)>,
    /// Idempotency key -> the response first given.
    answered: HashMap<String, Value>,
    requests: Vec<Recorded>,
    webhook_url: Option<String>,
    refuse_refunds: bool,
}

/// The running fake.
#[derive(Clone)]
pub struct FakeStripe {
    pub base_url: String,
    state: Arc<Mutex<State>>,
    client: reqwest::Client,
}

impl FakeStripe {
    /// Starts the fake on a free port.
    pub fn start() -> Result<Self> {
        let state = Arc::new(Mutex::new(State::default()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let base_url = format!("http://127.0.0.1:{}", listener.local_addr()?.port());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let fake = Self {
            base_url,
            state,
            client,
        };
        let data = web::Data::new(fake.clone());
        let server = actix_web::HttpServer::new(move || {
            actix_web::App::new()
                .app_data(data.clone())
                .route("/v1/checkout/sessions", web::post().to(create_session))
                .route("/v1/checkout/sessions/{id}", web::get().to(get_session))
                .route("/v1/payment_intents/{id}", web::get().to(get_intent))
                .route("/v1/refunds", web::post().to(create_refund))
                .route("/pay/{id}", web::get().to(pay_page))
                .route("/pay/{id}/{action}", web::post().to(pay_action))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)?
        .run();
        tokio::spawn(server);
        Ok(fake)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Where webhooks go (the server's `/webhooks/stripe`).
    pub fn deliver_to(&self, url: String) {
        self.lock().webhook_url = Some(url);
    }

    /// Every request the server made, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        self.lock().requests.clone()
    }

    pub fn session(&self, id: &str) -> Option<Session> {
        self.lock().sessions.get(id).cloned()
    }

    /// The latest session made for order `order_id`.
    pub fn session_of_order(&self, order_id: &str) -> Result<Session> {
        let state = self.lock();
        let mut sessions: Vec<&Session> = state.sessions.values().filter(|s| s.order_id == order_id).collect();
        sessions.sort_by_key(|s| s.id.clone());
        sessions
            .last()
            .map(|s| (*s).clone())
            .ok_or_else(|| anyhow!("no session for order {order_id}"))
    }

    /// A payment taken in Stripe's dashboard terminal.
    pub fn add_payment(&self, id: &str, amount: i64, status: &str) {
        self.lock()
            .intents
            .insert(id.to_owned(), (amount, "cad".to_owned(), status.to_owned(), 0));
    }

    /// How much of payment `id` was refunded.
    pub fn refunded(&self, id: &str) -> i64 {
        self.lock().intents.get(id).map_or(0, |i| i.3)
    }

    /// Refunds answer Stripe's error from now on (or again succeed).
    pub fn refuse_refunds(&self, refuse: bool) {
        self.lock().refuse_refunds = refuse;
    }

    fn next_id(&self, prefix: &str) -> String {
        let mut state = self.lock();
        state.counter += 1;
        format!("{prefix}_test_{:06}", state.counter)
    }

    /// The buyer pays session `id` on Stripe's page: the session completes with a new
    /// payment; answers the `checkout.session.completed` event, not yet sent.
    pub fn pay(&self, id: &str) -> Result<Value> {
        let intent = self.next_id("pi");
        let session = {
            let mut state = self.lock();
            let session = state.sessions.get_mut(id).context("no such session")?;
            session.status = "complete";
            session.payment_intent = Some(intent.clone());
            let session = session.clone();
            state.intents.insert(
                intent,
                (session.amount, session.currency.clone(), "succeeded".to_owned(), 0),
            );
            session
        };
        Ok(self.event("checkout.session.completed", &session_json(&self.base_url, &session)))
    }

    /// An event of `kind` about `object`, as Stripe builds one.
    pub fn event(&self, kind: &str, object: &Value) -> Value {
        json!({
            "id": self.next_id("evt"),
            "object": "event",
            "api_version": "2025-09-30.clover",
            "created": chrono::Utc::now().timestamp(),
            "livemode": false,
            "pending_webhooks": 1,
            "type": kind,
            "data": { "object": object },
        })
    }

    /// Session `id` as its JSON object (for events about it).
    pub fn session_object(&self, id: &str) -> Result<Value> {
        let session = self.session(id).context("no such session")?;
        Ok(session_json(&self.base_url, &session))
    }

    /// The `Stripe-Signature` header Stripe would send for `body` now.
    pub fn signature(body: &str) -> String {
        api::services::payments::signature::sign(WEBHOOK_SECRET, chrono::Utc::now().timestamp(), body.as_bytes())
    }

    /// Sends `event` to the server signed as Stripe signs; answers the HTTP status.
    pub async fn send(&self, event: &Value) -> Result<u16> {
        let body = event.to_string();
        self.send_raw(&body, Some(&Self::signature(&body))).await
    }

    /// Sends `body` with `signature` (or none) to the server's webhook endpoint.
    pub async fn send_raw(&self, body: &str, signature: Option<&str>) -> Result<u16> {
        let url = self.lock().webhook_url.clone().context("no webhook endpoint")?;
        let mut request = self
            .client
            .post(url)
            .header("Content-Type", "application/json")
            .body(body.to_owned());
        if let Some(signature) = signature {
            request = request.header("Stripe-Signature", signature);
        }
        Ok(request.send().await?.status().as_u16())
    }
}

fn session_json(base: &str, s: &Session) -> Value {
    json!({
        "id": s.id,
        "object": "checkout.session",
        "amount_subtotal": s.amount,
        "amount_total": s.amount,
        "automatic_tax": { "enabled": false, "liability": null, "status": null },
        "cancel_url": s.cancel_url,
        "client_reference_id": s.order_id,
        "created": s.expires_at - 1800,
        "currency": s.currency,
        "custom_fields": [],
        "custom_text": { "after_submit": null, "shipping_address": null, "submit": null, "terms_of_service_acceptance": null },
        "customer_details": if s.status == "complete" { json!({ "email": "buyer-at-stripe@example.com", "name": "Name Given To Stripe" }) } else { Value::Null },
        "expires_at": s.expires_at,
        "livemode": false,
        "metadata": { "order_id": s.order_id },
        "mode": "payment",
        "payment_intent": s.payment_intent,
        "payment_method_types": ["card"],
        "payment_status": if s.status == "complete" { "paid" } else { "unpaid" },
        "shipping_options": [],
        "status": s.status,
        "success_url": s.success_url,
        "url": if s.status == "open" { Value::String(format!("{base}/pay/{}", s.id)) } else { Value::Null },
    })
}

fn error(status: u16, kind: &str, code: Option<&str>, message: &str, param: Option<&str>) -> HttpResponse {
    HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::BAD_REQUEST),
    )
    .json(json!({ "error": { "type": kind, "code": code, "message": message, "param": param } }))
}

/// Records the request; answers an error when the API key is missing or wrong.
fn admit(fake: &FakeStripe, req: &HttpRequest, form: &[(String, String)]) -> Option<HttpResponse> {
    let key = req
        .headers()
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    fake.lock().requests.push(Recorded {
        method: req.method().to_string(),
        path: req.path().to_owned(),
        form: form.to_vec(),
        idempotency_key: key,
    });
    let authorised = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {SECRET_KEY}"));
    (!authorised).then(|| {
        error(
            401,
            "invalid_request_error",
            Some("api_key_invalid"),
            "Invalid API Key provided.",
            None,
        )
    })
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

async fn create_session(
    fake: web::Data<FakeStripe>,
    req: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> HttpResponse {
    let form = form.into_inner();
    if let Some(refused) = admit(&fake, &req, &form) {
        return refused;
    }
    let key = req
        .headers()
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(answer) = key.as_ref().and_then(|k| fake.lock().answered.get(k).cloned()) {
        return HttpResponse::Ok().json(answer);
    }
    let amount = field(&form, "line_items[0][price_data][unit_amount]").and_then(|a| a.parse::<i64>().ok());
    let (Some(amount), Some(currency), Some(success), Some(order)) = (
        amount,
        field(&form, "line_items[0][price_data][currency]"),
        field(&form, "success_url"),
        field(&form, "metadata[order_id]"),
    ) else {
        return error(
            400,
            "invalid_request_error",
            Some("parameter_missing"),
            "Missing required param: line_items.",
            Some("line_items"),
        );
    };
    if field(&form, "mode") != Some("payment") || amount < 50 {
        return error(
            400,
            "invalid_request_error",
            Some("amount_too_small"),
            "The Checkout Session's total amount due must add up to at least $0.50 cad",
            None,
        );
    }
    let session = Session {
        id: fake.next_id("cs"),
        order_id: order.to_owned(),
        amount,
        currency: currency.to_owned(),
        success_url: success.to_owned(),
        cancel_url: field(&form, "cancel_url").unwrap_or_default().to_owned(),
        expires_at: field(&form, "expires_at")
            .and_then(|e| e.parse().ok())
            .unwrap_or_default(),
        status: "open",
        payment_intent: None,
    };
    let body = session_json(&fake.base_url, &session);
    let mut state = fake.lock();
    state.sessions.insert(session.id.clone(), session);
    if let Some(key) = key {
        state.answered.insert(key, body.clone());
    }
    HttpResponse::Ok().json(body)
}

async fn get_session(fake: web::Data<FakeStripe>, req: HttpRequest, id: web::Path<String>) -> HttpResponse {
    if let Some(refused) = admit(&fake, &req, &[]) {
        return refused;
    }
    match fake.session(&id) {
        Some(s) => HttpResponse::Ok().json(session_json(&fake.base_url, &s)),
        None => error(
            404,
            "invalid_request_error",
            Some("resource_missing"),
            &format!("No such checkout.session: '{id}'"),
            Some("id"),
        ),
    }
}

async fn get_intent(fake: web::Data<FakeStripe>, req: HttpRequest, id: web::Path<String>) -> HttpResponse {
    if let Some(refused) = admit(&fake, &req, &[]) {
        return refused;
    }
    let intent = fake.lock().intents.get(id.as_str()).cloned();
    match intent {
        Some((amount, currency, status, _)) => HttpResponse::Ok().json(json!({
            "id": *id,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_received": if status == "succeeded" { amount } else { 0 },
            "capture_method": "automatic",
            "confirmation_method": "automatic",
            "created": chrono::Utc::now().timestamp(),
            "currency": currency,
            "livemode": false,
            "metadata": {},
            "payment_method_types": ["card"],
            "status": status,
        })),
        None => error(
            404,
            "invalid_request_error",
            Some("resource_missing"),
            &format!("No such payment_intent: '{id}'"),
            Some("id"),
        ),
    }
}

async fn create_refund(
    fake: web::Data<FakeStripe>,
    req: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> HttpResponse {
    let form = form.into_inner();
    if let Some(refused) = admit(&fake, &req, &form) {
        return refused;
    }
    let key = req
        .headers()
        .get("Idempotency-Key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(answer) = key.as_ref().and_then(|k| fake.lock().answered.get(k).cloned()) {
        return HttpResponse::Ok().json(answer);
    }
    if fake.lock().refuse_refunds {
        return error(
            500,
            "api_error",
            None,
            "An error occurred with our connection to Stripe.",
            None,
        );
    }
    let Some(intent) = field(&form, "payment_intent").map(str::to_owned) else {
        return error(
            400,
            "invalid_request_error",
            Some("parameter_missing"),
            "One of the following params should be provided for this request: payment_intent or charge.",
            None,
        );
    };
    let id = fake.next_id("re");
    let mut state = fake.lock();
    let Some(paid) = state.intents.get_mut(&intent) else {
        return error(
            404,
            "invalid_request_error",
            Some("resource_missing"),
            &format!("No such payment_intent: '{intent}'"),
            Some("payment_intent"),
        );
    };
    let amount = field(&form, "amount")
        .and_then(|a| a.parse::<i64>().ok())
        .unwrap_or(paid.0 - paid.3);
    if amount <= 0 || amount > paid.0 - paid.3 {
        return error(
            400,
            "invalid_request_error",
            Some("amount_too_large"),
            "Refund amount is greater than unrefunded amount on charge.",
            Some("amount"),
        );
    }
    paid.3 += amount;
    let body = json!({
        "id": id,
        "object": "refund",
        "amount": amount,
        "created": chrono::Utc::now().timestamp(),
        "currency": paid.1,
        "payment_intent": intent,
        "status": "succeeded",
        "metadata": {},
    });
    if let Some(key) = key {
        state.answered.insert(key, body.clone());
    }
    HttpResponse::Ok().json(body)
}

async fn pay_page(fake: web::Data<FakeStripe>, id: web::Path<String>) -> HttpResponse {
    let Some(session) = fake.session(&id) else {
        return HttpResponse::NotFound().body("no such session");
    };
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
        "<!doctype html><html><head><title>Fake Stripe Checkout</title></head><body>\
         <h1>Pay {}.{:02} {}</h1>\
         <form method=\"post\" action=\"/pay/{id}/pay\"><button id=\"stripe-pay\">Pay</button></form>\
         <form method=\"post\" action=\"/pay/{id}/decline\"><button id=\"stripe-decline\">Use a card that is declined</button></form>\
         <a id=\"back\" href=\"{}\">Back</a></body></html>",
        session.amount / 100,
        session.amount % 100,
        session.currency.to_uppercase(),
        session.cancel_url,
    ))
}

async fn pay_action(fake: web::Data<FakeStripe>, path: web::Path<(String, String)>) -> HttpResponse {
    let (id, action) = path.into_inner();
    let Some(session) = fake.session(&id) else {
        return HttpResponse::NotFound().body("no such session");
    };
    if action == "pay" {
        let Ok(event) = fake.pay(&id) else {
            return HttpResponse::NotFound().body("no such session");
        };
        if fake.send(&event).await.is_err() {
            return HttpResponse::BadGateway().body("webhook not delivered");
        }
        HttpResponse::SeeOther()
            .insert_header(("Location", session.success_url))
            .finish()
    } else {
        let object = json!({ "id": fake.next_id("pi"), "object": "payment_intent", "metadata": { "order_id": session.order_id }, "amount": session.amount, "currency": session.currency, "status": "requires_payment_method" });
        let event = fake.event("payment_intent.payment_failed", &object);
        let _ = fake.send(&event).await;
        HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
            "<!doctype html><html><body><p id=\"declined\">Your card was declined.</p><a id=\"back\" href=\"{}\">Back</a></body></html>",
            session.cancel_url
        ))
    }
}

/// Settings that point a server at the fake.
pub fn configure(settings: &mut api::Settings, fake: &FakeStripe) {
    settings.payments.stripe_secret_key = Some(SECRET_KEY.to_owned().into());
    settings.payments.stripe_webhook_secret = Some(WEBHOOK_SECRET.to_owned().into());
    settings.payments.stripe_api_base = Some(fake.base_url.clone());
}

/// Reads a JSON body the fake got as a form, for assertions on what Stripe was told.
pub fn form_text(recorded: &Recorded) -> String {
    recorded
        .form
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}
