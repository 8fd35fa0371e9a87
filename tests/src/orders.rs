//! Orders and payments against the fake Stripe (`tests::fake_stripe`): checkout and the
//! webhook paying an order once however it arrives, signatures, declines, events out of
//! order, lapsed orders freeing seats, cancellation and partial refunds, coupons (and a
//! single-use one raced), member versus public prices, the staff terminal, card numbers
//! refused, and mail-in shredding checked across every table.

use anyhow::{Context, Result};
use api::clock::Clock;
use serde_json::{Value, json};
use shared::Role;
use tests::fake_stripe::{FakeStripe, WEBHOOK_SECRET};
use tests::{Gql, TestApp, TestUser};

const ORDER_FIELDS: &str = "id status channel total { cents } subtotal { cents } discount { cents } tax { cents } refunded { cents } couponCode paymentDeclined expiresAt paidAt receipt cancellable items { id description price { cents } discount { cents } total { cents } refundedAt workshopId } refunds { amount { cents } status receipt }";

fn cart_query() -> String {
    format!("{{ cart {{ {ORDER_FIELDS} }} }}")
}

fn order_query() -> String {
    format!("query($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}")
}

/// A course provider with an in-person course (public 100.00, member 80.00) holding one
/// workshop of `seats` seats in ten days, and an online course (public 50.00). Answers
/// (in-person code, workshop id, online code).
async fn catalogue(app: &TestApp, staff: &TestUser, name: &str, seats: i32) -> Result<(String, String, String)> {
    let made = app
        .graphql_as(
            &staff.token,
            "mutation($n: String!) { createCourseProvider(name: $n) { slug } }",
            json!({ "n": name }),
        )
        .await?
        .ok()?;
    let slug = made.str("createCourseProvider.slug")?.to_owned();
    let prefix: String = slug.chars().take(3).collect::<String>().to_uppercase();
    let (workshop_code, online_code) = (format!("{prefix}-WKS"), format!("{prefix}-ONL"));
    for (code, delivery, member_price, public_price) in [
        (&workshop_code, "IN_PERSON", Some("80.00"), "100.00"),
        (&online_code, "ONLINE", None, "50.00"),
    ] {
        app.graphql_as(
            &staff.token,
            "mutation($c: String!, $i: CourseInput!) { createCourse(code: $c, input: $i) { code } }",
            json!({ "c": code, "i": { "providerSlug": slug, "title": format!("Course {code}"), "delivery": delivery,
                    "hours": "7.0", "approved": true, "publicPrice": public_price, "memberPrice": member_price } }),
        )
        .await?
        .ok()?;
    }
    let starts = app.clock.now() + chrono::Duration::days(10);
    let workshop = app
        .graphql_as(
            &staff.token,
            "mutation($c: String!, $i: WorkshopInput!) { createWorkshop(code: $c, input: $i) { id } }",
            json!({ "c": workshop_code, "i": { "startsAt": starts.to_rfc3339(), "endsAt": (starts + chrono::Duration::hours(7)).to_rfc3339(),
                    "location": "Studio 4, Halifax", "capacity": seats } }),
        )
        .await?
        .ok()?;
    Ok((
        workshop_code,
        workshop.str("createWorkshop.id")?.to_owned(),
        online_code,
    ))
}

async fn enrol(app: &TestApp, user: &TestUser, course: &str, workshop: Option<&str>) -> Result<Gql> {
    app.graphql_as(
        &user.token,
        "mutation($c: String!, $w: ID) { enrol(course: $c, workshop: $w) { id status } }",
        json!({ "c": course, "w": workshop }),
    )
    .await
}

async fn cart(app: &TestApp, user: &TestUser) -> Result<Value> {
    let cart = app.graphql_as(&user.token, &cart_query(), json!({})).await?.ok()?;
    Ok(cart.data("cart")?.clone())
}

async fn order(app: &TestApp, token: &str, id: &str) -> Result<Value> {
    let order = app.graphql_as(token, &order_query(), json!({ "id": id })).await?.ok()?;
    Ok(order.data("order")?.clone())
}

async fn checkout(app: &TestApp, user: &TestUser, order: &str) -> Result<Gql> {
    app.graphql_as(
        &user.token,
        "mutation($o: ID!) { checkout(orderId: $o) { url order { status } } }",
        json!({ "o": order }),
    )
    .await
}

/// Waits until order `id` is in `status` (webhooks are applied after they are answered).
async fn wait_for_status(app: &TestApp, token: &str, id: &str, status: &str) -> Result<Value> {
    app.eventually(|| async {
        let order = order(app, token, id).await?;
        Ok((order["status"] == status).then_some(order))
    })
    .await
    .with_context(|| format!("order {id} never became {status}"))
}

async fn count(app: &TestApp, sql: &str) -> Result<i64> {
    app.count(sql).await
}

/// Runs `job` now, waiting while the server's own scheduler holds its lease (a run it
/// started may have begun before the test's change).
async fn run_job(app: &TestApp, job: api::jobs::JobName) -> Result<()> {
    app.run_job(job).await.map(drop)
}

async fn run_orders_job(app: &TestApp) -> Result<()> {
    run_job(app, api::jobs::JobName::Orders).await
}

async fn run_mail_job(app: &TestApp) -> Result<()> {
    run_job(app, api::jobs::JobName::Mail).await
}

/// A member with a workshop seat in their cart, and the cart's id.
async fn member_with_seat(app: &TestApp, course: &str, workshop: &str) -> Result<(TestUser, String)> {
    let member = app.new_member().await?;
    enrol(app, &member, course, Some(workshop)).await?.ok()?;
    let id = cart(app, &member).await?["id"].as_str().context("cart id")?.to_owned();
    Ok((member, id))
}

/// Stripe was told the amount, the currency and the order: not who buys.
fn stripe_was_told_amounts_not_the_buyer(fake: &FakeStripe, order_id: &str, member: &TestUser, legal_name: &str) {
    let created: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v1/checkout/sessions")
        .collect();
    assert_eq!(created.len(), 1, "one session for one order");
    let told = tests::fake_stripe::form_text(&created[0]);
    assert!(told.contains("line_items[0][price_data][unit_amount]=8000"), "{told}");
    assert!(told.contains("line_items[0][price_data][currency]=cad"), "{told}");
    assert!(told.contains(&format!("metadata[order_id]={order_id}")), "{told}");
    assert!(created[0].idempotency_key.is_some(), "created with an idempotency key");
    for secret in [member.email.as_str(), legal_name, "customer_email"] {
        assert!(!told.contains(secret), "Stripe must not receive {secret}: {told}");
    }
}

#[tokio::test]
async fn a_member_pays_a_seat_on_stripe_and_the_webhook_pays_the_order_once() -> Result<()> {
    let (app, fake) = TestApp::spawn_with_stripe(|_| {}).await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let (course, workshop, _) = catalogue(&app, &staff, "Harbour Strength", 5).await?;
    let (member, order_id) = member_with_seat(&app, &course, &workshop).await?;
    let legal_name = app
        .graphql_as(&member.token, "{ me { legalName } }", json!({}))
        .await?
        .ok()?;
    let legal_name = legal_name.str("me.legalName")?.to_owned();

    // The cart holds the seat at the member price.
    let pending = cart(&app, &member).await?;
    assert_eq!(pending["status"], "PENDING");
    assert_eq!(pending["total"]["cents"], 8000, "the member price");
    assert!(pending["expiresAt"].is_string(), "a pending order says when it lapses");

    let started = checkout(&app, &member, &order_id).await?.ok()?;
    let url = started.str("checkout.url")?.to_owned();
    assert!(url.starts_with(&format!("{}/pay/cs_", fake.base_url)), "{url}");
    let again = checkout(&app, &member, &order_id).await?.ok()?;
    assert_eq!(again.str("checkout.url")?, url, "the same session is offered again");

    stripe_was_told_amounts_not_the_buyer(&fake, &order_id, &member, &legal_name);

    // Not paid until the webhook says so; then paid once, however often it says so.
    assert_eq!(order(&app, &member.token, &order_id).await?["status"], "PENDING");
    let session = fake.session_of_order(&order_id)?;
    let event = fake.pay(&session.id)?;
    assert_eq!(fake.send(&event).await?, 200);
    let paid = wait_for_status(&app, &member.token, &order_id, "PAID").await?;
    assert!(
        paid["receipt"]
            .as_str()
            .is_some_and(|r| r.contains("Total paid") && r.contains("$80.00 CAD"))
    );
    assert_eq!(fake.send(&event).await?, 200, "a repeat is acknowledged");
    let again = fake.event(
        "checkout.session.async_payment_succeeded",
        &fake.session_object(&session.id)?,
    );
    assert_eq!(fake.send(&again).await?, 200);
    app.eventually(|| async {
        Ok((count(
            &app,
            "SELECT COUNT(*) AS n FROM stripe_event WHERE processed_at IS NULL",
        )
        .await?
            == 0)
            .then_some(()))
    })
    .await?;
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM audit_event WHERE kind = 'order_paid'").await?,
        1
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM stripe_event").await?,
        2,
        "each event stored once"
    );
    let enrolled = app
        .graphql_as(
            &member.token,
            "{ me { enrolments { edges { node { status } } } } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(enrolled.str("me.enrolments.edges.0.node.status")?, "ENROLLED");
    let receipts = app
        .mail_to(&member.email, entity::enums::MessageKind::OrderReceipt)
        .await?;
    assert_eq!(receipts.len(), 1, "one receipt");
    assert!(receipts[0].body.contains(&format!("order {order_id}")));

    // The order keeps the IP it was placed from (P13), for staff.
    let placed = app
        .graphql_as(
            &staff.token,
            "query($id: ID!) { order(id: $id) { placedIp } }",
            json!({ "id": order_id }),
        )
        .await?
        .ok()?;
    assert_eq!(placed.str("order.placedIp")?, "127.0.0.1");
    let hidden = app
        .graphql_as(
            &member.token,
            "query($id: ID!) { order(id: $id) { placedIp } }",
            json!({ "id": order_id }),
        )
        .await?;
    assert_eq!(hidden.code(), Some("FORBIDDEN"), "staff only");

    // What Stripe's payload said about the buyer is kept nowhere.
    let everything = app.database_text().await?;
    assert!(!everything.contains("buyer-at-stripe@example.com"));
    assert!(!everything.contains("Name Given To Stripe"));
    Ok(())
}

#[tokio::test]
async fn the_same_event_twice_at_the_same_moment_pays_the_order_once() -> Result<()> {
    let (app, fake) = TestApp::spawn_with_stripe(|_| {}).await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let (course, workshop, _) = catalogue(&app, &staff, "Twin Events", 5).await?;
    let (member, order_id) = member_with_seat(&app, &course, &workshop).await?;
    checkout(&app, &member, &order_id).await?.ok()?;
    let session = fake.session_of_order(&order_id)?;
    let event = fake.pay(&session.id)?;
    let other = fake.event(
        "checkout.session.async_payment_succeeded",
        &fake.session_object(&session.id)?,
    );
    let (a, b, c) = tokio::join!(fake.send(&event), fake.send(&event), fake.send(&other));
    assert_eq!((a?, b?, c?), (200, 200, 200));
    wait_for_status(&app, &member.token, &order_id, "PAID").await?;
    app.eventually(|| async {
        Ok((count(
            &app,
            "SELECT COUNT(*) AS n FROM stripe_event WHERE processed_at IS NULL",
        )
        .await?
            == 0)
            .then_some(()))
    })
    .await?;
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM stripe_event").await?, 2);
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM audit_event WHERE kind = 'order_paid'").await?,
        1
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM audit_event WHERE kind = 'enrolled'").await?,
        2,
        "enrolled, then paid: once"
    );
    Ok(())
}

#[tokio::test]
async fn webhooks_without_a_valid_signature_are_refused_and_not_stored() -> Result<()> {
    let (app, fake) = TestApp::spawn_with_stripe(|_| {}).await?;
    let object = json!({ "id": "cs_test_unknown", "object": "checkout.session", "metadata": {} });
    let event = fake.event("checkout.session.expired", &object);
    let body = event.to_string();
    let now = chrono::Utc::now().timestamp();
    // The hex signature alone (`sign` answers the whole header).
    let sign = |secret: &str, t: i64, body: &str| -> String {
        let header = api::services::payments::signature::sign(secret, t, body.as_bytes());
        header.rsplit("v1=").next().unwrap_or_default().to_owned()
    };
    let changed = body.replace("checkout.session.expired", "checkout.session.completed");
    let cases = [
        ("no signature", body.clone(), None),
        (
            "another secret",
            body.clone(),
            Some(format!("t={now},v1={}", sign("whsec_wrong", now, &body))),
        ),
        (
            "stale",
            body.clone(),
            Some(format!("t={},v1={}", now - 400, sign(WEBHOOK_SECRET, now - 400, &body))),
        ),
        (
            "from the future",
            body.clone(),
            Some(format!("t={},v1={}", now + 400, sign(WEBHOOK_SECRET, now + 400, &body))),
        ),
        ("changed body", changed, Some(FakeStripe::signature(&body))),
        (
            "no v1",
            body.clone(),
            Some(format!("t={now},v0={}", sign(WEBHOOK_SECRET, now, &body))),
        ),
    ];
    for (case, body, signature) in &cases {
        assert_eq!(fake.send_raw(body, signature.as_deref()).await?, 400, "{case}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM stripe_event").await?, 0);
    // Two v1 entries while a secret rolls: one matching is enough.
    let two = format!(
        "t={now},v1={},v1={}",
        sign("whsec_old", now, &body),
        sign(WEBHOOK_SECRET, now, &body)
    );
    assert_eq!(fake.send_raw(&body, Some(&two)).await?, 200);
    assert_eq!(
        fake.send_raw("not json", Some(&FakeStripe::signature("not json")))
            .await?,
        400
    );
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM stripe_event").await?, 1);

    // A server without Stripe settings has no webhook to speak of.
    let plain = TestApp::spawn().await?;
    let response = plain
        .client
        .post(plain.url("/webhooks/stripe"))
        .header("Stripe-Signature", FakeStripe::signature(&body))
        .body(body.clone())
        .send()
        .await?;
    assert_eq!(response.status().as_u16(), 503);
    Ok(())
}

#[tokio::test]
async fn a_declined_payment_leaves_the_order_payable_and_events_out_of_order_change_nothing_twice() -> Result<()> {
    let (app, fake) = TestApp::spawn_with_stripe(|_| {}).await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let (course, workshop, _) = catalogue(&app, &staff, "Order Of Events", 5).await?;
    let (member, order_id) = member_with_seat(&app, &course, &workshop).await?;
    checkout(&app, &member, &order_id).await?.ok()?;
    let session = fake.session_of_order(&order_id)?;

    // Declined: Stripe reports a failed payment for the order; it stays pending.
    let failed = fake.event(
        "payment_intent.payment_failed",
        &json!({ "id": "pi_test_declined", "object": "payment_intent", "metadata": { "order_id": order_id }, "amount": 8000, "currency": "cad" }),
    );
    assert_eq!(fake.send(&failed).await?, 200);
    let declined = app
        .eventually(|| async {
            let o = order(&app, &member.token, &order_id).await?;
            Ok((o["paymentDeclined"] == true).then_some(o))
        })
        .await?;
    assert_eq!(declined["status"], "PENDING");

    // Paid; then the session's expiry arrives late: the order stays paid.
    let paid = fake.pay(&session.id)?;
    let expired = fake.event(
        "checkout.session.expired",
        &json!({ "id": session.id, "object": "checkout.session", "metadata": { "order_id": order_id } }),
    );
    assert_eq!(fake.send(&paid).await?, 200);
    wait_for_status(&app, &member.token, &order_id, "PAID").await?;
    assert_eq!(fake.send(&expired).await?, 200);
    assert_eq!(fake.send(&failed).await?, 200, "an old repeat");
    app.eventually(|| async {
        Ok((count(
            &app,
            "SELECT COUNT(*) AS n FROM stripe_event WHERE processed_at IS NULL",
        )
        .await?
            == 0)
            .then_some(()))
    })
    .await?;
    let still = order(&app, &member.token, &order_id).await?;
    assert_eq!(still["status"], "PAID");
    assert_eq!(still["paymentDeclined"], false);

    // A payment completed for an order that lapsed meanwhile is given back in full.
    let (late, late_order) = member_with_seat(&app, &course, &workshop).await?;
    checkout(&app, &late, &late_order).await?.ok()?;
    let late_session = fake.session_of_order(&late_order)?;
    app.clock.advance(chrono::Duration::hours(2));
    run_orders_job(&app).await?;
    assert_eq!(order(&app, &late.token, &late_order).await?["status"], "EXPIRED");
    let late_payment = fake.pay(&late_session.id)?;
    assert_eq!(fake.send(&late_payment).await?, 200);
    let intent = fake
        .session(&late_session.id)
        .and_then(|s| s.payment_intent)
        .context("intent")?;
    app.eventually(|| async { Ok((fake.refunded(&intent) == 8000).then_some(())) })
        .await?;
    assert_eq!(order(&app, &late.token, &late_order).await?["status"], "EXPIRED");
    Ok(())
}

#[tokio::test]
async fn a_lapsed_pending_order_frees_its_seat_and_its_coupon() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let (course, workshop, _) = catalogue(&app, &staff, "Last Seat", 1).await?;
    let (ana, ana_order) = member_with_seat(&app, &course, &workshop).await?;
    app.graphql_as(
        &staff.token,
        "mutation { createCoupon(input: { code: \"ONCE-20\", kind: PERCENT, percent: 20, scope: WORKSHOPS, maxUses: 1 }) { code } }",
        json!({}),
    )
    .await?
    .ok()?;
    let applied = app
        .graphql_as(
            &ana.token,
            "mutation($o: ID!) { applyCoupon(orderId: $o, code: \"once-20\") { discount { cents } total { cents } } }",
            json!({ "o": ana_order }),
        )
        .await?
        .ok()?;
    assert_eq!(
        applied.data("applyCoupon.discount.cents")?,
        1600,
        "20% of the 80.00 seat"
    );
    let ben = app.new_member().await?;
    let full = enrol(&app, &ben, &course, Some(&workshop)).await?;
    assert_eq!(full.code(), Some("CONFLICT"), "the seat is held");

    app.clock.advance(chrono::Duration::minutes(31));
    run_orders_job(&app).await?;
    let lapsed = order(&app, &ana.token, &ana_order).await?;
    assert_eq!(lapsed["status"], "EXPIRED");
    let seats = app
        .graphql_as(
            &ben.token,
            "query($c: String!) { course(code: $c) { workshops { seatsLeft } } }",
            json!({ "c": course }),
        )
        .await?
        .ok()?;
    assert_eq!(seats.data("course.workshops.0.seatsLeft")?, 1, "the seat is free again");
    enrol(&app, &ben, &course, Some(&workshop)).await?.ok()?;
    let ben_cart = cart(&app, &ben).await?;
    let again = app
        .graphql_as(
            &ben.token,
            "mutation($o: ID!) { applyCoupon(orderId: $o, code: \"ONCE-20\") { discount { cents } } }",
            json!({ "o": ben_cart["id"] }),
        )
        .await?
        .ok()?;
    assert_eq!(again.data("applyCoupon.discount.cents")?, 1600, "the use came back");
    enrol(&app, &ana, &course, Some(&workshop))
        .await
        .map(|g| assert_eq!(g.code(), Some("CONFLICT")))?;
    Ok(())
}

#[tokio::test]
async fn members_cancel_within_the_window_item_by_item_and_staff_refund_the_rest() -> Result<()> {
    let (app, fake) = TestApp::spawn_with_stripe(|_| {}).await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let (course, workshop, online) = catalogue(&app, &staff, "Refund Works", 3).await?;
    let (member, order_id) = member_with_seat(&app, &course, &workshop).await?;
    enrol(&app, &member, &online, None).await?.ok()?;
    let before = cart(&app, &member).await?;
    assert_eq!(
        before["total"]["cents"],
        8000 + 5000,
        "member price of the seat, the online course's only price"
    );
    checkout(&app, &member, &order_id).await?.ok()?;
    let session = fake.session_of_order(&order_id)?;
    fake.send(&fake.pay(&session.id)?).await?;
    let paid = wait_for_status(&app, &member.token, &order_id, "PAID").await?;
    let intent = fake
        .session(&session.id)
        .and_then(|s| s.payment_intent)
        .context("intent")?;
    let seat_item = paid["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["workshopId"] == workshop.as_str()))
        .and_then(|i| i["id"].as_str())
        .context("the seat's line")?
        .to_owned();

    let cancel = "mutation($o: ID!, $i: [ID!]) { cancelOrder(orderId: $o, items: $i) { status refunded { cents } refunds { status } } }";
    let partial = app
        .graphql_as(&member.token, cancel, json!({ "o": order_id, "i": [seat_item] }))
        .await?
        .ok()?;
    assert_eq!(partial.str("cancelOrder.status")?, "PARTIALLY_REFUNDED");
    assert_eq!(partial.data("cancelOrder.refunded.cents")?, 8000);
    assert_eq!(
        partial.str("cancelOrder.refunds.0.status")?,
        "SUCCEEDED",
        "Stripe confirmed at once"
    );
    assert_eq!(fake.refunded(&intent), 8000, "the seat's price went back to the card");
    let refund_call = fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/v1/refunds")
        .context("a refund request")?;
    assert!(refund_call.idempotency_key.is_some());
    let seats = app
        .graphql_as(
            &member.token,
            "query($c: String!) { course(code: $c) { workshops { seatsLeft } } }",
            json!({ "c": course }),
        )
        .await?
        .ok()?;
    assert_eq!(seats.data("course.workshops.0.seatsLeft")?, 3, "the seat is free");
    assert_eq!(
        app.mail_to(&member.email, entity::enums::MessageKind::RefundReceipt)
            .await?
            .len(),
        1,
        "a refund receipt"
    );
    let twice = app
        .graphql_as(&member.token, cancel, json!({ "o": order_id, "i": [seat_item] }))
        .await?;
    assert_eq!(twice.code(), Some("CONFLICT"));

    // After the window the member cannot; staff can, any time.
    app.clock.advance(chrono::Duration::days(15));
    let late = app.graphql_as(&member.token, cancel, json!({ "o": order_id })).await?;
    assert_eq!(late.code(), Some("CONFLICT"));
    let other = app.new_member().await?;
    let stranger = app.graphql_as(&other.token, cancel, json!({ "o": order_id })).await?;
    assert_eq!(
        stranger.code(),
        Some("NOT_FOUND"),
        "nobody else learns the order exists"
    );
    let refunded = app
        .graphql_as(
            &staff.token,
            "mutation($o: ID!) { refundOrder(orderId: $o) { status refunded { cents } } }",
            json!({ "o": order_id }),
        )
        .await?
        .ok()?;
    assert_eq!(refunded.str("refundOrder.status")?, "REFUNDED");
    assert_eq!(refunded.data("refundOrder.refunded.cents")?, 13000);
    assert_eq!(fake.refunded(&intent), 13000);
    let enrolments = app
        .graphql_as(
            &member.token,
            "{ me { enrolments { edges { node { status } } } } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(
        enrolments.data("me.enrolments.edges")?,
        &json!([]),
        "both enrolments reversed"
    );
    Ok(())
}

#[tokio::test]
async fn a_member_cannot_cancel_once_the_workshop_began_and_a_refused_refund_is_retried() -> Result<()> {
    let (app, fake) = TestApp::spawn_with_stripe(|_| {}).await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let (course, workshop, _) = catalogue(&app, &staff, "Started Already", 3).await?;
    let (member, order_id) = member_with_seat(&app, &course, &workshop).await?;
    checkout(&app, &member, &order_id).await?.ok()?;
    let session = fake.session_of_order(&order_id)?;
    fake.send(&fake.pay(&session.id)?).await?;
    wait_for_status(&app, &member.token, &order_id, "PAID").await?;
    app.clock.advance(chrono::Duration::days(11));
    let begun = app
        .graphql_as(
            &member.token,
            "mutation($o: ID!) { cancelOrder(orderId: $o) { status } }",
            json!({ "o": order_id }),
        )
        .await?;
    assert_eq!(begun.code(), Some("CONFLICT"));
    assert!(
        begun.errors()[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("begun"))
    );

    // Stripe fails: the refund waits as pending and the orders job gets it through.
    fake.refuse_refunds(true);
    let pending = app
        .graphql_as(
            &staff.token,
            "mutation($o: ID!) { refundOrder(orderId: $o) { status refunds { status } } }",
            json!({ "o": order_id }),
        )
        .await?
        .ok()?;
    assert_eq!(pending.str("refundOrder.status")?, "REFUNDED");
    assert_eq!(pending.str("refundOrder.refunds.0.status")?, "PENDING");
    fake.refuse_refunds(false);
    run_orders_job(&app).await?;
    let done = order(&app, &member.token, &order_id).await?;
    assert_eq!(done["refunds"][0]["status"], "SUCCEEDED");
    Ok(())
}

#[tokio::test]
async fn coupons_say_why_they_do_not_apply_and_a_single_use_coupon_is_redeemed_once() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let (course, workshop, online) = catalogue(&app, &staff, "Coupon Court", 10).await?;
    let someone = app.new_member().await?;
    let create = "mutation($i: CouponInput!) { createCoupon(input: $i) { code uses maxUses } }";
    for input in [
        json!({ "code": "WORKSHOP-20", "kind": "PERCENT", "percent": 20, "scope": "WORKSHOPS", "maxUses": 1 }),
        json!({ "code": "SOON-GONE", "kind": "FIXED", "amount": "10.00", "scope": "EVERYTHING", "maxUses": 5,
                "expiresAt": (app.clock.now() + chrono::Duration::days(1)).to_rfc3339() }),
        json!({ "code": "OTHER-COURSE", "kind": "FIXED", "amount": "10.00", "scope": "COURSE", "course": course, "maxUses": 5 }),
        json!({ "code": "JUST-FOR-ONE", "kind": "PERCENT", "percent": 50, "scope": "EVERYTHING", "maxUses": 5, "memberNumber": someone.member_number }),
        json!({ "code": "RETIRED-ONE", "kind": "PERCENT", "percent": 5, "scope": "EVERYTHING", "maxUses": 5 }),
    ] {
        app.graphql_as(&staff.token, create, json!({ "i": input }))
            .await?
            .ok()?;
    }
    let duplicate = app
        .graphql_as(&staff.token, create, json!({ "i": { "code": "workshop-20", "kind": "PERCENT", "percent": 5, "scope": "EVERYTHING", "maxUses": 1 } }))
        .await?;
    assert_eq!(duplicate.code(), Some("CONFLICT"));
    let bad = app
        .graphql_as(
            &staff.token,
            create,
            json!({ "i": { "code": "BAD", "kind": "PERCENT", "percent": 150, "scope": "EVERYTHING", "maxUses": 1 } }),
        )
        .await?;
    assert_eq!((bad.code(), bad.field()), (Some("VALIDATION"), Some("percent")));
    app.graphql_as(
        &staff.token,
        "mutation { retireCoupon(code: \"RETIRED-ONE\") { retired } }",
        json!({}),
    )
    .await?
    .ok()?;

    // A member with only the online course in their cart.
    let member = app.new_member().await?;
    enrol(&app, &member, &online, None).await?.ok()?;
    let order_id = cart(&app, &member).await?["id"].as_str().context("cart")?.to_owned();
    let apply = "mutation($o: ID!, $c: String!) { applyCoupon(orderId: $o, code: $c) { discount { cents } total { cents } couponCode } }";
    app.clock.advance(chrono::Duration::days(2));
    for (code, why) in [
        ("NO-SUCH-CODE", "No coupon has this code."),
        ("WORKSHOP-20", "for workshop seats"),
        ("SOON-GONE", "expired on"),
        ("OTHER-COURSE", "another course"),
        ("JUST-FOR-ONE", "belongs to another member"),
        ("RETIRED-ONE", "no longer valid"),
    ] {
        let refused = app
            .graphql_as(&member.token, apply, json!({ "o": order_id, "c": code }))
            .await?;
        assert_eq!(
            (refused.code(), refused.field()),
            (Some("VALIDATION"), Some("code")),
            "{code}"
        );
        let message = refused.errors()[0]["message"].as_str().unwrap_or_default().to_owned();
        assert!(message.contains(why), "{code}: {message}");
    }

    // Two members race for the single use of WORKSHOP-20: one gets it.
    let (ana, ana_order) = member_with_seat(&app, &course, &workshop).await?;
    let (ben, ben_order) = member_with_seat(&app, &course, &workshop).await?;
    let (a, b) = tokio::join!(
        app.graphql_as(&ana.token, apply, json!({ "o": ana_order, "c": "WORKSHOP-20" })),
        app.graphql_as(&ben.token, apply, json!({ "o": ben_order, "c": "WORKSHOP-20" })),
    );
    let (a, b) = (a?, b?);
    let won = [a.code().is_none(), b.code().is_none()];
    assert_eq!(won.iter().filter(|w| **w).count(), 1, "{a:?} {b:?}");
    let loser = if won[0] { &b } else { &a };
    assert_eq!(loser.code(), Some("VALIDATION"));
    assert!(
        loser.errors()[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("used up"))
    );
    let winner = if won[0] { &a } else { &b };
    assert_eq!(winner.data("applyCoupon.discount.cents")?, 1600);
    assert_eq!(winner.data("applyCoupon.total.cents")?, 6400);
    let coupons = app
        .graphql_as(&staff.token, "{ coupons { edges { node { code uses } } } }", json!({}))
        .await?
        .ok()?;
    let uses = coupons
        .data("coupons.edges")?
        .as_array()
        .and_then(|e| e.iter().find(|c| c["node"]["code"] == "WORKSHOP-20"))
        .map(|c| c["node"]["uses"].clone());
    assert_eq!(uses, Some(json!(1)));
    Ok(())
}

#[tokio::test]
async fn checkout_without_stripe_settings_answers_payments_unavailable_and_the_rest_works() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let (_, _, online) = catalogue(&app, &staff, "No Stripe Here", 1).await?;
    let member = app.new_member().await?;
    enrol(&app, &member, &online, None).await?.ok()?;
    let order_id = cart(&app, &member).await?["id"].as_str().context("cart")?.to_owned();
    let refused = checkout(&app, &member, &order_id).await?;
    assert_eq!(refused.code(), Some("PAYMENTS_UNAVAILABLE"));
    // A cheque mailed in still pays it.
    app.graphql_as(
        &staff.token,
        "mutation($o: ID!) { recordChequePayment(orderId: $o, reference: \"Cheque 512\") { status } }",
        json!({ "o": order_id }),
    )
    .await?
    .ok()?;
    assert_eq!(order(&app, &member.token, &order_id).await?["status"], "PAID");
    Ok(())
}

/// A keyed order's input: a buyer without an account buying a seat.
fn keyed(channel: &str, course: &str, workshop: &str, name: &str) -> Value {
    json!({ "channel": channel, "name": name, "email": "mail.buyer@example.net", "phone": "+1 902 555 0147",
            "address": "77 Quinpool Road, Halifax NS", "notes": "Wants a vegetarian lunch",
            "courses": [{ "code": course, "workshop": workshop }] })
}

const KEY: &str =
    "mutation($i: KeyedOrderInput!) { keyOrder(input: $i) { id status channel total { cents } buyer { name email } } }";

#[tokio::test]
async fn staff_key_phone_orders_at_public_or_member_prices_and_send_a_payment_link() -> Result<()> {
    let (app, fake) = TestApp::spawn_with_stripe(|_| {}).await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let (course, workshop, _) = catalogue(&app, &staff, "Phone Desk", 5).await?;
    let member = app.new_member().await?;
    let forbidden = app
        .graphql_as(
            &member.token,
            KEY,
            json!({ "i": keyed("PHONE", &course, &workshop, "A Buyer") }),
        )
        .await?;
    assert_eq!(forbidden.code(), Some("FORBIDDEN"));

    // A buyer without an account pays the public price; a member the member price.
    let public = app
        .graphql_as(
            &staff.token,
            KEY,
            json!({ "i": keyed("PHONE", &course, &workshop, "Pat Public") }),
        )
        .await?
        .ok()?;
    assert_eq!(public.data("keyOrder.total.cents")?, 10000, "the public price");
    assert_eq!(public.str("keyOrder.buyer.name")?, "Pat Public");
    let for_member = app
        .graphql_as(&staff.token, KEY, json!({ "i": { "channel": "PHONE", "memberNumber": member.member_number, "courses": [{ "code": course, "workshop": workshop }] } }))
        .await?
        .ok()?;
    assert_eq!(for_member.data("keyOrder.total.cents")?, 8000, "the member price");
    let public_id = public.str("keyOrder.id")?.to_owned();

    // A payment link, e-mailed to the buyer.
    let link = app
        .graphql_as(
            &staff.token,
            "mutation($o: ID!) { sendPaymentLink(orderId: $o) { url } }",
            json!({ "o": public_id }),
        )
        .await?
        .ok()?;
    let url = link.str("sendPaymentLink.url")?.to_owned();
    assert!(url.starts_with(&fake.base_url));
    let mailed = count(&app, "SELECT COUNT(*) AS n FROM outbox_message WHERE kind = 'payment_link' AND recipient_address = 'mail.buyer@example.net'").await?;
    assert_eq!(mailed, 1);
    // The buyer pays through the link: the webhook pays the keyed order.
    let session = fake.session_of_order(&public_id)?;
    fake.send(&fake.pay(&session.id)?).await?;
    wait_for_status(&app, &staff.token, &public_id, "PAID").await?;
    Ok(())
}

#[tokio::test]
async fn a_card_taken_in_stripes_terminal_is_checked_with_stripe_and_pays_one_order() -> Result<()> {
    let (app, fake) = TestApp::spawn_with_stripe(|_| {}).await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let (course, workshop, _) = catalogue(&app, &staff, "Terminal Desk", 5).await?;
    let member = app.new_member().await?;
    let for_member = app
        .graphql_as(&staff.token, KEY, json!({ "i": { "channel": "PHONE", "memberNumber": member.member_number, "courses": [{ "code": course, "workshop": workshop }] } }))
        .await?
        .ok()?;
    let member_order = for_member.str("keyOrder.id")?.to_owned();

    // A card charged in Stripe's terminal: checked with Stripe before it counts.
    let record = "mutation($o: ID!, $p: String!) { recordTerminalPayment(orderId: $o, paymentIntentId: $p) { status paymentMethod: status } }";
    fake.add_payment("pi_test_short", 5000, "succeeded");
    fake.add_payment("pi_test_pending", 8000, "processing");
    fake.add_payment("pi_test_right", 8000, "succeeded");
    for (intent, why) in [
        ("pi_test_missing", "no such payment"),
        ("pi_test_short", "the order is $80.00 CAD"),
        ("pi_test_pending", "has not succeeded"),
        ("card 4111", "starts with pi_"),
    ] {
        let refused = app
            .graphql_as(&staff.token, record, json!({ "o": member_order, "p": intent }))
            .await?;
        assert_eq!(
            (refused.code(), refused.field()),
            (Some("VALIDATION"), Some("paymentIntentId")),
            "{intent}"
        );
        assert!(
            refused.errors()[0]["message"].as_str().is_some_and(|m| m.contains(why)),
            "{intent}: {:?}",
            refused.errors()
        );
    }
    let paid = app
        .graphql_as(&staff.token, record, json!({ "o": member_order, "p": "pi_test_right" }))
        .await?
        .ok()?;
    assert_eq!(paid.str("recordTerminalPayment.status")?, "PAID");
    let enrolled = app
        .graphql_as(
            &member.token,
            "{ me { enrolments { edges { node { status } } } } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(enrolled.str("me.enrolments.edges.0.node.status")?, "ENROLLED");

    // The same payment cannot pay a second order; a cheque can.
    let key = |name: &'static str| {
        let (app, staff, course, workshop) = (&app, &staff, course.clone(), workshop.clone());
        async move {
            let keyed = app
                .graphql_as(
                    &staff.token,
                    KEY,
                    json!({ "i": keyed("PHONE", &course, &workshop, name) }),
                )
                .await?
                .ok()?;
            anyhow::Ok(keyed.str("keyOrder.id")?.to_owned())
        }
    };
    let second = key("Second Buyer").await?;
    let reused = app
        .graphql_as(&staff.token, record, json!({ "o": second, "p": "pi_test_right" }))
        .await?;
    assert_eq!(reused.code(), Some("VALIDATION"), "another amount");
    let cheque =
        "mutation($o: ID!) { recordChequePayment(orderId: $o, reference: \"Cheque 88\") { status paymentMethod } }";
    let paid = app
        .graphql_as(&staff.token, cheque, json!({ "o": second }))
        .await?
        .ok()?;
    assert_eq!(paid.str("recordChequePayment.paymentMethod")?, "CHEQUE");
    let twice = app.graphql_as(&staff.token, cheque, json!({ "o": second })).await?;
    assert_eq!(twice.code(), Some("CONFLICT"));
    let (third, fourth) = (key("Third Buyer").await?, key("Fourth Buyer").await?);
    fake.add_payment("pi_test_third", 10000, "succeeded");
    app.graphql_as(&staff.token, record, json!({ "o": third, "p": "pi_test_third" }))
        .await?
        .ok()?;
    let reused = app
        .graphql_as(&staff.token, record, json!({ "o": fourth, "p": "pi_test_third" }))
        .await?;
    assert_eq!(reused.code(), Some("CONFLICT"), "one payment pays one order");
    Ok(())
}

#[tokio::test]
async fn card_numbers_are_refused_in_every_free_text_field_and_kept_nowhere() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let (course, workshop, _) = catalogue(&app, &staff, "Card Check", 5).await?;
    let card = "4111 1111 1111 1111";
    let dashed = "5555-5555-5555-4444";
    for (field, value) in [
        ("name", format!("Pat {card}")),
        ("address", format!("card {dashed}, 1 Main St")),
        ("notes", "pay with 4111111111111111 exp 12/30".to_owned()),
        ("phone", card.to_owned()),
        ("email", format!("{}@example.net", card.replace(' ', ""))),
    ] {
        let mut input = keyed("PHONE", &course, &workshop, "Pat Public");
        input[field] = json!(value);
        let refused = app.graphql_as(&staff.token, KEY, json!({ "i": input })).await?;
        assert_eq!(
            (refused.code(), refused.field()),
            (Some("VALIDATION"), Some(field)),
            "{field}: {:?}",
            refused.errors()
        );
        let message = refused.errors()[0]["message"].as_str().unwrap_or_default().to_owned();
        assert!(
            !message.contains("1111") && !message.contains("4444"),
            "the number is not echoed: {message}"
        );
    }
    // A phone number, an order number or a postal code is no card.
    let fine = keyed("PHONE", &course, &workshop, "Order 1234567 from Halifax B3H 4R2");
    let accepted = app.graphql_as(&staff.token, KEY, json!({ "i": fine })).await?.ok()?;
    let order_id = accepted.str("keyOrder.id")?.to_owned();
    let cheque = app
        .graphql_as(
            &staff.token,
            "mutation($o: ID!, $r: String!) { recordChequePayment(orderId: $o, reference: $r) { status } }",
            json!({ "o": order_id, "r": format!("paid by {card}") }),
        )
        .await?;
    assert_eq!((cheque.code(), cheque.field()), (Some("VALIDATION"), Some("reference")));
    let coupon = app
        .graphql_as(
            &staff.token,
            "mutation($i: CouponInput!) { createCoupon(input: $i) { code } }",
            json!({ "i": { "code": "CARD-NOTE", "kind": "PERCENT", "percent": 5, "scope": "EVERYTHING", "maxUses": 1, "description": format!("for {dashed}") } }),
        )
        .await?;
    assert_eq!(
        (coupon.code(), coupon.field()),
        (Some("VALIDATION"), Some("description"))
    );
    let everything = app.database_text().await?;
    for digits in ["4111 1111", "4111111111111111", "5555-5555", "5555555555554444"] {
        assert!(!everything.contains(digits), "{digits} was stored");
    }
    Ok(())
}

#[tokio::test]
async fn a_mail_in_order_is_erased_of_its_buyer_once_processed_and_keeps_its_amounts() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let (course, workshop, _) = catalogue(&app, &staff, "Shred Hall", 5).await?;
    let values = [
        "Zebulon Quixote-Marchetti",
        "zeb.quixote.unique@example.net",
        "+1 709 555 0199",
        "4 Gower Street Unit 9, St. John's NL",
        "Prefers the aisle seat near the window",
    ];
    let input = json!({ "channel": "MAIL_IN", "name": values[0], "email": values[1], "phone": values[2],
                        "address": values[3], "notes": values[4], "courses": [{ "code": course, "workshop": workshop }] });
    let keyed = app
        .graphql_as(&staff.token, KEY, json!({ "i": input.clone() }))
        .await?
        .ok()?;
    let order_id = keyed.str("keyOrder.id")?.to_owned();
    // A second one is cancelled: erased at once.
    let cancelled = app.graphql_as(&staff.token, KEY, json!({ "i": input })).await?.ok()?;
    app.graphql_as(
        &staff.token,
        "mutation($o: ID!) { cancelOrder(orderId: $o) { status } }",
        json!({ "o": cancelled.str("keyOrder.id")? }),
    )
    .await?
    .ok()?;

    app.graphql_as(
        &staff.token,
        "mutation($o: ID!) { recordChequePayment(orderId: $o, reference: \"Cheque 3301\") { status } }",
        json!({ "o": order_id }),
    )
    .await?
    .ok()?;
    // Paid, the receipt not sent yet: the details stay until it has gone.
    let everything = app.database_text().await?;
    assert!(everything.contains(values[0]), "kept until processed");
    run_mail_job(&app).await?;
    run_orders_job(&app).await?;

    let everything = app.database_text().await?;
    for value in values {
        assert!(!everything.contains(value), "{value} is still stored");
        assert!(
            !everything.to_lowercase().contains(&value.to_lowercase()),
            "{value} is still stored"
        );
    }
    let view = app
        .graphql_as(&staff.token, "query($id: ID!) { order(id: $id) { status total { cents } shredded buyer { name } items { description } channel } }", json!({ "id": order_id }))
        .await?
        .ok()?;
    assert_eq!(view.str("order.status")?, "PAID");
    assert_eq!(view.data("order.total.cents")?, 10000, "amounts stay for accounting");
    assert_eq!(view.data("order.shredded")?, true);
    assert_eq!(view.data("order.buyer")?, &Value::Null);
    assert_eq!(view.str("order.channel")?, "MAIL_IN");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM audit_event WHERE kind = 'order_shredded'"
        )
        .await?,
        1,
        "the paid one by the job (the cancelled one was erased as it closed)"
    );
    Ok(())
}

#[tokio::test]
async fn configured_taxes_are_charged_per_item_and_shown_by_name() -> Result<()> {
    let app = TestApp::spawn_with(|s| {
        s.payments.taxes = vec![
            api::config::Tax {
                name: "GST".to_owned(),
                basis_points: 500,
            },
            api::config::Tax {
                name: "PST".to_owned(),
                basis_points: 750,
            },
        ];
    })
    .await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let (course, workshop, online) = catalogue(&app, &staff, "Tax Hall", 5).await?;
    let (member, _) = member_with_seat(&app, &course, &workshop).await?;
    enrol(&app, &member, &online, None).await?.ok()?;
    let taxed = app
        .graphql_as(&member.token, "{ cart { subtotal { cents } tax { cents } total { cents } taxLines { name ratePercent amount { cents } } } }", json!({}))
        .await?
        .ok()?;
    // 80.00 and 50.00: GST 4.00 + 2.50, PST 6.00 + 3.75.
    assert_eq!(taxed.data("cart.subtotal.cents")?, 13000);
    assert_eq!(taxed.data("cart.tax.cents")?, 650 + 975);
    assert_eq!(taxed.data("cart.total.cents")?, 13000 + 650 + 975);
    assert_eq!(
        taxed.data("cart.taxLines")?,
        &json!([{ "name": "GST", "ratePercent": "5", "amount": { "cents": 650 } }, { "name": "PST", "ratePercent": "7.5", "amount": { "cents": 975 } }])
    );
    Ok(())
}

#[tokio::test]
async fn refunding_a_renewal_takes_its_new_cycle_back_so_the_member_can_renew_again() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let member = app.new_member().await?;
    let today = app.clock.now().date_naive();
    let months_ago = |n: u32| today.checked_sub_months(chrono::Months::new(n)).unwrap_or(today);
    app.graphql_as(
        &staff.token,
        "mutation($n: String!, $d: NaiveDate!) { recordCertification(memberNumber: $n, startsOn: $d) { status } }",
        json!({ "n": member.member_number, "d": months_ago(23) }),
    )
    .await?
    .ok()?;
    app.graphql_as(
        &staff.token,
        "mutation($n: String!, $d: NaiveDate!) { adjustCec(memberNumber: $n, cec: \"2.0\", earnedOn: $d, reason: \"Courses\") { id } }",
        json!({ "n": member.member_number, "d": months_ago(1) }),
    )
    .await?
    .ok()?;
    let renew = "mutation { renewCertification { status fee { id pendingOrderId } } }";
    let asked = app.graphql_as(&member.token, renew, json!({})).await?.ok()?;
    let order_id = asked.str("renewCertification.fee.pendingOrderId")?.to_owned();
    assert_eq!(
        cart(&app, &member).await?["total"]["cents"],
        9500,
        "the renewal fee is in the cart"
    );
    app.graphql_as(
        &staff.token,
        "mutation($o: ID!) { recordChequePayment(orderId: $o, reference: \"Cheque 600\") { status } }",
        json!({ "o": order_id }),
    )
    .await?
    .ok()?;
    let cycles = "{ me { certification { expiresOn renewal { status } } } }";
    let renewed = app.graphql_as(&member.token, cycles, json!({})).await?.ok()?;
    assert_eq!(renewed.str("me.certification.renewal.status")?, "PAID");
    let refunded = app
        .graphql_as(
            &staff.token,
            "mutation($o: ID!) { refundOrder(orderId: $o) { status refunds { status } } }",
            json!({ "o": order_id }),
        )
        .await?
        .ok()?;
    assert_eq!(refunded.str("refundOrder.status")?, "REFUNDED");
    assert_eq!(
        refunded.str("refundOrder.refunds.0.status")?,
        "SUCCEEDED",
        "a cheque refund is staff's to send"
    );
    let back = app.graphql_as(&member.token, cycles, json!({})).await?.ok()?;
    assert_eq!(
        back.data("me.certification.renewal")?,
        &Value::Null,
        "the renewal is undone"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM certification_cycle").await?,
        1,
        "the new cycle is gone"
    );
    app.graphql_as(&member.token, renew, json!({})).await?.ok()?;
    Ok(())
}

#[tokio::test]
async fn a_member_cannot_cancel_a_decided_petition_and_a_withdrawn_one_leaves_the_queue() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let member = app.new_member().await?;
    let today = app.clock.now().date_naive();
    let mut orders = Vec::new();
    for _ in 0..2 {
        let filed = crate::petitions::file(
            &app,
            &member,
            crate::petitions::input(today, "0.5"),
            crate::petitions::pdf(512),
        )
        .await?
        .ok()?;
        let fee = filed.str("filePetition.fee.id")?.to_owned();
        orders.push(app.order_of_fee(&fee).await?);
        app.pay_fee(&staff.token, &fee).await?.ok()?;
    }
    app.graphql_as(
        &staff.token,
        "mutation { rejectPetition(petitionId: \"1\", reason: \"Not about training.\") { status } }",
        json!({}),
    )
    .await?
    .ok()?;
    let cancel = "mutation($o: ID!) { cancelOrder(orderId: $o) { status } }";
    let decided = app.graphql_as(&member.token, cancel, json!({ "o": orders[0] })).await?;
    assert_eq!(decided.code(), Some("CONFLICT"));
    assert!(
        decided.errors()[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("decided"))
    );
    let withdrawn = app
        .graphql_as(&member.token, cancel, json!({ "o": orders[1] }))
        .await?
        .ok()?;
    assert_eq!(withdrawn.str("cancelOrder.status")?, "REFUNDED");
    let queue = app
        .graphql_as(
            &staff.token,
            "{ petitionQueue { edges { node { id } } } petition(id: \"2\") { status } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(queue.data("petitionQueue.edges")?, &json!([]), "it left the queue");
    assert_eq!(queue.str("petition.status")?, "WITHDRAWN");
    Ok(())
}
