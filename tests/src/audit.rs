//! The audit trail (P14) and the access log (P9).

use anyhow::{Result, anyhow};
use entity::enums::AuditKind;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use shared::Role;
use tests::{Gql, TestApp};

async fn audit_rows(app: &TestApp) -> Result<Vec<entity::audit_event::Model>> {
    Ok(entity::audit_event::Entity::find()
        .order_by_asc(entity::audit_event::Column::Id)
        .all(&app.state.db)
        .await?)
}

#[tokio::test]
async fn every_login_outcome_leaves_an_audit_row_with_ip_and_user_agent() -> Result<()> {
    let app = TestApp::spawn_with(|s| s.limits.login_account_burst = 3).await?;
    let member = app.new_member().await?; // login_succeeded
    app.login(&member.email, "wrong passphrase").await?; // login_wrong_password
    app.login("ghost@example.org", "whatever passphrase").await?; // login_unknown_email
    let staff = app.new_with_role(Role::Staff).await?;
    app.graphql_as(
        &staff.token,
        "mutation($n: String!) { setMemberStatus(memberNumber: $n, status: DISABLED) { status } }",
        json!({ "n": member.member_number }),
    )
    .await?
    .ok()?;
    app.login(&member.email, &member.password).await?; // login_disabled_account
    let limited = app.login(&member.email, &member.password).await?; // fourth on this account
    assert_eq!(limited.code(), Some("RATE_LIMITED"));

    let rows = audit_rows(&app).await?;
    for kind in [
        AuditKind::LoginSucceeded,
        AuditKind::LoginWrongPassword,
        AuditKind::LoginUnknownEmail,
        AuditKind::LoginDisabledAccount,
        AuditKind::LoginRateLimited,
    ] {
        let row = rows
            .iter()
            .find(|r| r.kind == kind)
            .ok_or_else(|| anyhow!("no {kind:?} row in {rows:?}"))?;
        assert_eq!(row.ip.as_deref(), Some("127.0.0.1"), "{kind:?}");
        assert_eq!(row.user_agent.as_deref(), Some("cptn-tests/1.0"), "{kind:?}");
        let age = chrono::Utc::now() - row.occurred_at;
        assert!(
            age.num_seconds().abs() < 60,
            "{kind:?} is stamped with the current UTC time"
        );
    }
    let unknown = rows
        .iter()
        .find(|r| r.kind == AuditKind::LoginUnknownEmail)
        .ok_or_else(|| anyhow!("row"))?;
    assert_eq!(unknown.detail.as_deref(), Some("ghost@example.org"));
    assert_eq!(unknown.member_id, None);
    Ok(())
}

#[tokio::test]
async fn a_password_typed_into_the_email_box_is_not_kept() -> Result<()> {
    let app = TestApp::spawn().await?;
    app.login("hunter2 my secret", "x").await?;
    let rows = audit_rows(&app).await?;
    assert!(
        rows.iter()
            .all(|r| !r.detail.clone().unwrap_or_default().contains("hunter2"))
    );
    assert!(rows.iter().any(|r| r.kind == AuditKind::LoginUnknownEmail));
    Ok(())
}

async fn login_with_forwarded_for(app: &TestApp) -> Result<()> {
    app.send(
        app.client
            .post(app.url("/graphql"))
            .header("X-Forwarded-For", "198.51.100.23")
            .json(&json!({ "query": "mutation { login(email: \"ghost@example.org\", password: \"irrelevant pw\") { token } }" })),
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn the_trusted_proxy_forwarded_address_is_audited_and_others_are_ignored() -> Result<()> {
    let behind_proxy = TestApp::spawn_with(|s| s.trusted_proxy = Some([127, 0, 0, 1].into())).await?;
    login_with_forwarded_for(&behind_proxy).await?;
    let rows = audit_rows(&behind_proxy).await?;
    assert_eq!(rows.last().and_then(|r| r.ip.as_deref()), Some("198.51.100.23"));

    let direct = TestApp::spawn().await?;
    login_with_forwarded_for(&direct).await?;
    let rows = audit_rows(&direct).await?;
    assert_eq!(
        rows.last().and_then(|r| r.ip.as_deref()),
        Some("127.0.0.1"),
        "spoofed header ignored"
    );
    Ok(())
}

const LOGIN_HISTORY: &str =
    "{ me { loginHistory(first: 10) { edges { node { kind ip userAgent } } pageInfo { hasNextPage } } } }";

#[tokio::test]
async fn a_member_sees_their_own_login_history_and_nobody_elses() -> Result<()> {
    let app = TestApp::spawn().await?;
    let member = app.new_member().await?;
    let other = app.new_member().await?;
    app.login(&member.email, "wrong passphrase").await?;
    app.login(&other.email, "wrong passphrase for other").await?;

    let history = app.graphql_as(&member.token, LOGIN_HISTORY, json!({})).await?.ok()?;
    let edges = history
        .data("me.loginHistory.edges")?
        .as_array()
        .cloned()
        .unwrap_or_default();
    let kinds: Vec<&str> = edges.iter().filter_map(|e| e["node"]["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        ["LOGIN_WRONG_PASSWORD", "LOGIN_SUCCEEDED"],
        "newest first, own only"
    );
    assert_eq!(edges[0]["node"]["ip"], "127.0.0.1");

    let forbidden = app
        .graphql_as(
            &member.token,
            "{ auditEvents(first: 5) { edges { node { kind } } } }",
            json!({}),
        )
        .await?;
    assert_eq!(forbidden.code(), Some("FORBIDDEN"));
    let anonymous = app
        .graphql("{ auditEvents(first: 5) { edges { node { kind } } } }", json!({}))
        .await?;
    assert_eq!(anonymous.code(), Some("UNAUTHENTICATED"));
    Ok(())
}

#[tokio::test]
async fn staff_filter_and_page_through_audit_events() -> Result<()> {
    let app = TestApp::spawn_with(|s| s.limits.login_account_burst = 20).await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let member = app.new_member().await?;
    for _ in 0..5 {
        app.login(&member.email, "wrong passphrase").await?;
    }
    let query = "query($f: AuditEventFilter, $after: String) {
        auditEvents(filter: $f, first: 2, after: $after) {
            edges { cursor node { kind memberNumber ip detail } }
            pageInfo { hasNextPage endCursor }
        } }";
    let filter = json!({ "kinds": ["LOGIN_WRONG_PASSWORD"], "memberNumber": member.member_number, "ip": "127.0.0.1" });
    let mut seen = 0;
    let mut after: Option<String> = None;
    loop {
        let page = app
            .graphql_as(&staff.token, query, json!({ "f": filter, "after": after }))
            .await?
            .ok()?;
        let edges = page.data("auditEvents.edges")?.as_array().cloned().unwrap_or_default();
        for edge in &edges {
            assert_eq!(edge["node"]["kind"], "LOGIN_WRONG_PASSWORD");
            assert_eq!(edge["node"]["memberNumber"], member.member_number.as_str());
        }
        seen += edges.len();
        if !page
            .data("auditEvents.pageInfo.hasNextPage")?
            .as_bool()
            .unwrap_or(false)
        {
            break;
        }
        after = page.data("auditEvents.pageInfo.endCursor")?.as_str().map(str::to_owned);
    }
    assert_eq!(seen, 5);

    let bad_cursor = app
        .graphql_as(&staff.token, query, json!({ "f": filter, "after": "bm9wZQ" }))
        .await?;
    assert_eq!(bad_cursor.code(), Some("VALIDATION"));
    assert_eq!(bad_cursor.field(), Some("after"));
    let too_many = app
        .graphql_as(
            &staff.token,
            "{ auditEvents(first: 101) { edges { cursor } } }",
            json!({}),
        )
        .await?;
    assert_eq!(too_many.field(), Some("first"));
    Ok(())
}

/// An operation name or a method is whatever the client sends; it must neither forge a
/// line in the log nor cost other requests their rows (PostgreSQL refuses NUL in text and
/// over-long values, and rows are written in batches).
#[tokio::test]
async fn a_hostile_operation_name_costs_no_one_their_access_log_row() -> Result<()> {
    let app = TestApp::spawn().await?;
    let hostile = app.client.post(app.url("/graphql")).json(&json!({
        "query": "query Innocent { __typename }",
        "operationName": "Evil\u{0}\nGET /admin 200",
    }));
    let method = reqwest::Method::from_bytes(b"SOMEVERYLONGMADEUPMETHOD")?;
    let (hostile, long_method, health) = tokio::join!(
        app.send(hostile),
        app.send(app.client.request(method, app.url("/robots.txt"))),
        app.send(app.client.get(app.url("/healthz")))
    );
    hostile?;
    long_method?;
    health?;
    let rows = app
        .eventually(|| async {
            let rows = entity::access_log::Entity::find().all(&app.state.db).await?;
            let done = rows.iter().any(|r| r.target.starts_with("graphql:Evil"))
                && rows.iter().any(|r| r.target == "/robots.txt")
                && rows.iter().any(|r| r.target == "/healthz");
            Ok(done.then_some(rows))
        })
        .await?;
    let hostile = rows
        .iter()
        .find(|r| r.target.starts_with("graphql:Evil"))
        .ok_or_else(|| anyhow!("row"))?;
    assert_eq!(
        hostile.target, "graphql:EvilGET /admin 200",
        "control characters are dropped"
    );
    let long_method = rows
        .iter()
        .find(|r| r.target == "/robots.txt")
        .ok_or_else(|| anyhow!("row"))?;
    assert_eq!(
        long_method.method, "SOMEVERYLONGMADE",
        "cut to the column's 16 characters"
    );
    Ok(())
}

#[tokio::test]
async fn every_request_leaves_an_access_log_row() -> Result<()> {
    let app = TestApp::spawn().await?;
    let member = app.new_member().await?;
    app.graphql_as(&member.token, "query WhoAmI { me { email } }", json!({}))
        .await?
        .ok()?;
    app.send(app.client.get(app.url("/healthz"))).await?;
    let member_id = entity::member::Entity::find()
        .filter(entity::member::Column::Email.eq(member.email.as_str()))
        .one(&app.state.db)
        .await?
        .map(|m| m.id);

    let rows = app
        .eventually(|| async {
            let rows = entity::access_log::Entity::find().all(&app.state.db).await?;
            let done = rows.iter().any(|r| r.target == "graphql:WhoAmI") && rows.iter().any(|r| r.target == "/healthz");
            Ok(done.then_some(rows))
        })
        .await?;
    let who = rows
        .iter()
        .find(|r| r.target == "graphql:WhoAmI")
        .ok_or_else(|| anyhow!("row"))?;
    assert_eq!(who.member_id, member_id);
    assert_eq!(who.ip.as_deref(), Some("127.0.0.1"));
    assert_eq!((who.method.as_str(), who.status), ("POST", 200));
    let health = rows
        .iter()
        .find(|r| r.target == "/healthz")
        .ok_or_else(|| anyhow!("row"))?;
    assert_eq!(
        (health.method.as_str(), health.status, health.member_id),
        ("GET", 200, None)
    );
    Ok(())
}

/// The number of audit rows of `kind`.
async fn rows_of(app: &TestApp, kind: AuditKind) -> Result<usize> {
    Ok(audit_rows(app).await?.iter().filter(|r| r.kind == kind).count())
}

/// How each mutation is called successfully.
enum Call {
    Anonymous(String),
    As(Who, String),
    Photo,
    Petition,
}

/// Whose token a call uses.
#[derive(Clone, Copy)]
enum Who {
    Admin,
    Member,
    /// A second session of the member (logged out by `logout`).
    Spare,
    /// A third session of the member (renewed by `renewToken`).
    Renewable,
    /// A certified member with the credit to renew.
    Renewer,
    /// A member who asks for erasure.
    Leaver,
    /// A member who registered anew and asks for the leaver's number.
    Returner,
}

struct Callers {
    admin: tests::TestUser,
    member: tests::TestUser,
    spare: tests::TestUser,
    renewable: tests::TestUser,
    renewer: tests::TestUser,
    leaver: tests::TestUser,
    returner: tests::TestUser,
}

/// Each mutation of the schema, how to call it successfully, and the kind it must record.
// A table of every mutation reads best as one list.
#[allow(clippy::too_many_lines, reason = "one table of every mutation and its audit kind")]
async fn mutation_calls(app: &TestApp) -> Result<(Callers, Vec<(&'static str, Call, AuditKind)>)> {
    let admin = app.new_with_role(Role::Admin).await?;
    let member = app.new_member().await?;
    let other = app.new_member().await?;
    let spare = app.logged_in(member.email.clone(), member.password.clone()).await?;
    let renewable = app.logged_in(member.email.clone(), member.password.clone()).await?;
    app.register("coverage@example.org", "a coverage passphrase", "Cove Rage")
        .await?
        .ok()?;
    let token = app.confirmation_token("coverage@example.org").await?;
    app.register("unconfirmed@example.org", "an unconfirmed passphrase", "Un Confirmed")
        .await?
        .ok()?;
    // A certification in its renewal window with the credit it needs (ledger entry 1).
    let renewer = app.new_member().await?;
    let today = api::clock::Clock::now(app.clock.as_ref()).date_naive();
    let months_ago = |n: u32| today.checked_sub_months(chrono::Months::new(n)).unwrap_or(today);
    app.graphql_as(
        &admin.token,
        &format!(
            "mutation {{ recordCertification(memberNumber: \"{}\", startsOn: \"{}\") {{ status }} }}",
            renewer.member_number,
            months_ago(23)
        ),
        json!({}),
    )
    .await?
    .ok()?;
    app.graphql_as(
        &admin.token,
        &format!(
            "mutation {{ adjustCec(memberNumber: \"{}\", cec: \"2.0\", earnedOn: \"{}\", reason: \"Courses\") {{ id }} }}",
            renewer.member_number,
            months_ago(1)
        ),
        json!({}),
    )
    .await?
    .ok()?;
    // An expired certification to reinstate.
    app.graphql_as(
        &admin.token,
        &format!(
            "mutation {{ recordCertification(memberNumber: \"{}\", startsOn: \"2015-01-01\") {{ status }} }}",
            other.member_number
        ),
        json!({}),
    )
    .await?
    .ok()?;
    // Two petitions in the review queue (fees 1 and 2): one to question, answer and
    // approve, one to reject.
    for _ in 0..2 {
        let filed = crate::petitions::file(
            app,
            &member,
            crate::petitions::input(today, "0.5"),
            crate::petitions::pdf(512),
        )
        .await?
        .ok()?;
        app.pay_fee(&admin.token, filed.str("filePetition.fee.id")?)
            .await?
            .ok()?;
    }
    // A course to sell and a phone order for it (order 3) from a buyer without an account.
    app.graphql_as(
        &admin.token,
        "mutation { createCourseProvider(name: \"Orders Academy\") { slug } }",
        json!({}),
    )
    .await?
    .ok()?;
    app.graphql_as(
        &admin.token,
        "mutation { createCourse(code: \"ORD-101\", input: { providerSlug: \"orders-academy\", title: \"Orders\", delivery: ONLINE, hours: \"2\", approved: true, publicPrice: \"50.00\" }) { code } }",
        json!({}),
    )
    .await?
    .ok()?;
    app.graphql_as(
        &admin.token,
        "mutation { keyOrder(input: { channel: MAIL_IN, name: \"Cheque Buyer\", courses: [{ code: \"ORD-101\" }] }) { id } }",
        json!({}),
    )
    .await?
    .ok()?;
    let linked = app.new_member().await?;
    // Data requests: one to refuse (request 1), one by address (2, below); the leaver's
    // erasure (3) and the returner's relink onto the leaver's number (4) are filed by the
    // calls.
    app.graphql_as(&other.token, "mutation { requestErasure { id } }", json!({}))
        .await?
        .ok()?;
    let leaver = app.new_member().await?;
    let returner = app.new_member().await?;
    // A newsletter list with one address waiting to confirm (its link's token) and
    // subscription 1 to unsubscribe.
    app.graphql_as(
        &admin.token,
        "mutation { createMailingList(input: { slug: \"coverage-news\", name: \"Coverage\", description: \"\" }) { slug } }",
        json!({}),
    )
    .await?
    .ok()?;
    app.graphql(
        "mutation { subscribe(listSlug: \"coverage-news\", email: \"reader@example.org\") }",
        json!({}),
    )
    .await?
    .ok()?;
    let subscription_token = app
        .link_token(
            "reader@example.org",
            entity::enums::MessageKind::SubscriptionConfirmation,
        )
        .await?;
    let unsubscribe_token = api::services::newsletters::unsubscribe_token(&app.state, 1);
    // A data request by address, waiting for its link (request 2).
    app.graphql(
        "mutation { requestDataByEmail(email: \"walk-in@example.org\", kind: EXPORT) }",
        json!({}),
    )
    .await?
    .ok()?;
    let data_token = app
        .link_token(
            "walk-in@example.org",
            entity::enums::MessageKind::DataRequestConfirmation,
        )
        .await?;
    let anonymous = |q: &str| Call::Anonymous(q.to_owned());
    let by = |who: Who, q: &str| Call::As(who, q.to_owned());
    let calls = vec![
        (
            "register",
            anonymous(
                "mutation { register(input: { email: \"cov2@example.org\", password: \"another passphrase\", legalName: \"Cov Two\" }) { accepted } }",
            ),
            AuditKind::MemberRegistered,
        ),
        (
            "confirmEmail",
            anonymous(&format!(
                "mutation {{ confirmEmail(token: \"{token}\", password: \"a coverage passphrase\") {{ token }} }}"
            )),
            AuditKind::EmailConfirmed,
        ),
        (
            "resendConfirmation",
            anonymous("mutation { resendConfirmation(email: \"unconfirmed@example.org\") { accepted } }"),
            AuditKind::ConfirmationRequested,
        ),
        (
            "login",
            anonymous(&format!(
                "mutation {{ login(email: \"{}\", password: \"{}\") {{ token }} }}",
                member.email, member.password
            )),
            AuditKind::LoginSucceeded,
        ),
        (
            "renewToken",
            by(Who::Renewable, "mutation { renewToken { token } }"),
            AuditKind::TokenRenewed,
        ),
        ("logout", by(Who::Spare, "mutation { logout }"), AuditKind::Logout),
        (
            "updateMyRecord",
            by(
                Who::Member,
                "mutation { updateMyRecord(input: { phone: \"+1 306 555 0100\" }) { phone } }",
            ),
            AuditKind::MemberRecordUpdated,
        ),
        (
            "saveMyProfile",
            by(
                Who::Member,
                "mutation { saveMyProfile(input: { displayName: \"Cover Age\", city: \"Regina\", country: \"Canada\" }) { slug } }",
            ),
            AuditKind::ProfileSaved,
        ),
        (
            "setPhoneShowcase",
            by(Who::Member, "mutation { setPhoneShowcase(show: true) { showPhone } }"),
            AuditKind::PhoneShowcaseChanged,
        ),
        ("uploadProfilePhoto", Call::Photo, AuditKind::ProfilePhotoReplaced),
        (
            "contactTrainer",
            anonymous(
                "mutation { contactTrainer(profileSlug: \"cover-age\", senderName: \"Vis\", senderEmail: \"vis@example.org\", message: \"Hello\") }",
            ),
            AuditKind::TrainerContacted,
        ),
        (
            "disableProfile",
            by(Who::Member, "mutation { disableProfile { status } }"),
            AuditKind::ProfileDisabled,
        ),
        (
            "enableProfile",
            by(Who::Member, "mutation { enableProfile { status } }"),
            AuditKind::ProfileEnabled,
        ),
        (
            "deleteProfile",
            by(
                Who::Member,
                &format!("mutation {{ deleteProfile(password: \"{}\") }}", member.password),
            ),
            AuditKind::ProfileDeleted,
        ),
        (
            "recordCertification",
            by(
                Who::Admin,
                &format!(
                    "mutation {{ recordCertification(memberNumber: \"{}\", startsOn: \"2024-06-01\") {{ status }} }}",
                    member.member_number
                ),
            ),
            AuditKind::CertificationRecorded,
        ),
        (
            "reinstateCertification",
            by(
                Who::Admin,
                &format!(
                    "mutation {{ reinstateCertification(memberNumber: \"{}\", startsOn: \"2024-06-01\") {{ status }} }}",
                    other.member_number
                ),
            ),
            AuditKind::CertificationReinstated,
        ),
        (
            "adjustCec",
            by(
                Who::Admin,
                &format!(
                    "mutation {{ adjustCec(memberNumber: \"{}\", cec: \"0.5\", earnedOn: \"2024-07-01\", reason: \"Workshop credited by hand\") {{ id }} }}",
                    member.member_number
                ),
            ),
            AuditKind::CecAdjusted,
        ),
        (
            "reverseCecEntry",
            by(
                Who::Admin,
                "mutation { reverseCecEntry(entryId: \"2\", reason: \"Recorded twice\") { id } }",
            ),
            AuditKind::CecReversed,
        ),
        (
            "renewCertification",
            by(Who::Renewer, "mutation { renewCertification { status fee { id } } }"),
            AuditKind::RenewalRequested,
        ),
        // Fee 3 is the renewal's (1 and 2 the petitions'), in the renewer's cart: order 4
        // (1 and 2 paid the petitions, 3 is the phone order), item 4.
        (
            "createCoupon",
            by(
                Who::Admin,
                "mutation { createCoupon(input: { code: \"COVER-ALL\", kind: PERCENT, percent: 100, scope: EVERYTHING, maxUses: 10 }) { code } }",
            ),
            AuditKind::CouponCreated,
        ),
        (
            "applyCoupon",
            by(
                Who::Renewer,
                "mutation { applyCoupon(orderId: \"4\", code: \"COVER-ALL\") { id } }",
            ),
            AuditKind::CouponApplied,
        ),
        (
            "removeCoupon",
            by(Who::Renewer, "mutation { removeCoupon(orderId: \"4\") { id } }"),
            AuditKind::CartChanged,
        ),
        (
            "removeFromCart",
            by(Who::Renewer, "mutation { removeFromCart(itemId: \"4\") { id } }"),
            AuditKind::CartChanged,
        ),
        (
            "addToCart",
            by(Who::Renewer, "mutation { addToCart(feeId: \"3\") { id } }"),
            AuditKind::CartChanged,
        ),
        (
            "checkout",
            by(Who::Renewer, "mutation { checkout(orderId: \"4\") { url } }"),
            AuditKind::CheckoutStarted,
        ),
        (
            "cancelOrder",
            by(Who::Renewer, "mutation { cancelOrder(orderId: \"4\") { status } }"),
            AuditKind::OrderCancelled,
        ),
        (
            "keyOrder",
            by(
                Who::Admin,
                &format!(
                    "mutation {{ keyOrder(input: {{ channel: PHONE, memberNumber: \"{}\", feeIds: [\"3\"] }}) {{ id }} }}",
                    renewer.member_number
                ),
            ),
            AuditKind::OrderKeyed,
        ),
        (
            "sendPaymentLink",
            by(Who::Admin, "mutation { sendPaymentLink(orderId: \"5\") { url } }"),
            AuditKind::PaymentLinkSent,
        ),
        (
            "recordTerminalPayment",
            by(
                Who::Admin,
                "mutation { recordTerminalPayment(orderId: \"5\", paymentIntentId: \"pi_test_coverage\") { status } }",
            ),
            AuditKind::PaymentRecorded,
        ),
        (
            "refundOrder",
            by(Who::Admin, "mutation { refundOrder(orderId: \"5\") { status } }"),
            AuditKind::OrderRefunded,
        ),
        (
            "recordChequePayment",
            by(
                Who::Admin,
                "mutation { recordChequePayment(orderId: \"3\", reference: \"Cheque 7\") { status } }",
            ),
            AuditKind::PaymentRecorded,
        ),
        (
            "recordPageView",
            anonymous("mutation { recordPageView(path: \"/trainers\") }"),
            AuditKind::PageViewed,
        ),
        (
            "retireCoupon",
            by(Who::Admin, "mutation { retireCoupon(code: \"COVER-ALL\") { retired } }"),
            AuditKind::CouponRetired,
        ),
        (
            "createCourseProvider",
            by(
                Who::Admin,
                "mutation { createCourseProvider(name: \"Coverage Academy\") { slug } }",
            ),
            AuditKind::CourseProviderCreated,
        ),
        (
            "createCourse",
            by(
                Who::Admin,
                "mutation { createCourse(code: \"COV-101\", input: { providerSlug: \"coverage-academy\", title: \"Coverage\", delivery: ONLINE, hours: \"2\", approved: true, publicPrice: \"10.00\" }) { code } }",
            ),
            AuditKind::CourseCreated,
        ),
        (
            "updateCourse",
            by(
                Who::Admin,
                "mutation { updateCourse(code: \"COV-101\", input: { providerSlug: \"coverage-academy\", title: \"Coverage two\", delivery: ONLINE, hours: \"3\", approved: true, publicPrice: \"0.00\" }) { code } }",
            ),
            AuditKind::CourseUpdated,
        ),
        (
            "createWorkshop",
            by(
                Who::Admin,
                "mutation { createWorkshop(code: \"COV-101\", input: { startsAt: \"2099-01-01T09:00:00Z\", endsAt: \"2099-01-01T17:00:00Z\", location: \"Online\", capacity: 10 }) { id } }",
            ),
            AuditKind::WorkshopCreated,
        ),
        (
            "updateWorkshop",
            by(
                Who::Admin,
                "mutation { updateWorkshop(id: \"1\", input: { startsAt: \"2099-01-02T09:00:00Z\", endsAt: \"2099-01-02T17:00:00Z\", location: \"Online\", capacity: 12 }) { id } }",
            ),
            AuditKind::WorkshopUpdated,
        ),
        (
            "retireWorkshop",
            by(Who::Admin, "mutation { retireWorkshop(id: \"1\") { cancelled } }"),
            AuditKind::WorkshopRetired,
        ),
        (
            "enrol",
            by(Who::Member, "mutation { enrol(course: \"COV-101\") { status } }"),
            AuditKind::Enrolled,
        ),
        (
            "completeEnrolment",
            by(
                Who::Admin,
                &format!("mutation {{ completeEnrolment(enrolmentId: \"1\", completedOn: \"{today}\") {{ status }} }}"),
            ),
            AuditKind::EnrolmentCompleted,
        ),
        (
            "linkCourseProvider",
            by(
                Who::Admin,
                &format!(
                    "mutation {{ linkCourseProvider(memberNumber: \"{}\", provider: \"coverage-academy\") {{ role }} }}",
                    linked.member_number
                ),
            ),
            AuditKind::CourseProviderLinked,
        ),
        (
            "updateCourseProvider",
            by(
                Who::Admin,
                "mutation { updateCourseProvider(slug: \"coverage-academy\", name: \"Coverage Academy East\") { name } }",
            ),
            AuditKind::CourseProviderUpdated,
        ),
        ("filePetition", Call::Petition, AuditKind::PetitionFiled),
        (
            "askPetitionInformation",
            by(
                Who::Admin,
                "mutation { askPetitionInformation(petitionId: \"1\", question: \"Which modules?\") { status } }",
            ),
            AuditKind::PetitionInformationRequested,
        ),
        (
            "answerPetition",
            by(
                Who::Member,
                "mutation { answerPetition(petitionId: \"1\", answer: \"All of them.\") { status } }",
            ),
            AuditKind::PetitionAnswered,
        ),
        (
            "approvePetition",
            by(Who::Admin, "mutation { approvePetition(petitionId: \"1\") { status } }"),
            AuditKind::PetitionApproved,
        ),
        (
            "rejectPetition",
            by(
                Who::Admin,
                "mutation { rejectPetition(petitionId: \"2\", reason: \"Not about training.\") { status } }",
            ),
            AuditKind::PetitionRejected,
        ),
        (
            "retireCourse",
            by(Who::Admin, "mutation { retireCourse(code: \"COV-101\") { retired } }"),
            AuditKind::CourseRetired,
        ),
        (
            "setMemberRole",
            by(
                Who::Admin,
                &format!(
                    "mutation {{ setMemberRole(memberNumber: \"{}\", role: STAFF) {{ role }} }}",
                    other.member_number
                ),
            ),
            AuditKind::MemberRoleChanged,
        ),
        (
            "setMemberStatus",
            by(
                Who::Admin,
                &format!(
                    "mutation {{ setMemberStatus(memberNumber: \"{}\", status: DISABLED) {{ status }} }}",
                    other.member_number
                ),
            ),
            AuditKind::MemberDisabled,
        ),
        (
            "retireCourseProvider",
            by(
                Who::Admin,
                "mutation { retireCourseProvider(slug: \"coverage-academy\") { retired } }",
            ),
            AuditKind::CourseProviderRetired,
        ),
        (
            "createMailingList",
            by(
                Who::Admin,
                "mutation { createMailingList(input: { slug: \"more-news\", name: \"More\", description: \"\", partnerName: \"Acme\" }) { slug } }",
            ),
            AuditKind::MailingListCreated,
        ),
        (
            "subscribe",
            anonymous("mutation { subscribe(listSlug: \"coverage-news\", email: \"second@example.org\") }"),
            AuditKind::SubscriptionRequested,
        ),
        (
            "confirmSubscription",
            anonymous(&format!(
                "mutation {{ confirmSubscription(token: \"{subscription_token}\") {{ slug }} }}"
            )),
            AuditKind::SubscriptionConfirmed,
        ),
        (
            "saveCampaign",
            by(
                Who::Admin,
                "mutation { saveCampaign(input: { listSlug: \"coverage-news\", subject: \"Hello\", body: \"News.\" }) { id } }",
            ),
            AuditKind::CampaignSaved,
        ),
        (
            "sendCampaign",
            by(Who::Admin, "mutation { sendCampaign(id: \"1\") { recipients } }"),
            AuditKind::CampaignQueued,
        ),
        (
            "unsubscribe",
            anonymous(&format!(
                "mutation {{ unsubscribe(token: \"{unsubscribe_token}\") {{ slug }} }}"
            )),
            AuditKind::Unsubscribed,
        ),
        (
            "exportMyData",
            by(Who::Leaver, "mutation { exportMyData { id } }"),
            AuditKind::DataExported,
        ),
        (
            "requestErasure",
            by(
                Who::Leaver,
                "mutation { requestErasure(message: \"Please erase me\") { id } }",
            ),
            AuditKind::ErasureRequested,
        ),
        (
            "requestRelink",
            by(
                Who::Returner,
                &format!(
                    "mutation {{ requestRelink(oldMemberNumber: \"{}\") {{ id }} }}",
                    leaver.member_number
                ),
            ),
            AuditKind::RelinkRequested,
        ),
        (
            "completeErasureRequest",
            by(Who::Admin, "mutation { completeErasureRequest(id: \"3\") { status } }"),
            AuditKind::MemberWiped,
        ),
        (
            "linkReturningMember",
            by(Who::Admin, "mutation { linkReturningMember(id: \"4\") { status } }"),
            AuditKind::MemberRelinked,
        ),
        (
            "refusePrivacyRequest",
            by(
                Who::Admin,
                "mutation { refusePrivacyRequest(id: \"1\", reason: \"We could not check it was you.\") { status } }",
            ),
            AuditKind::PrivacyRequestRefused,
        ),
        (
            "requestDataByEmail",
            anonymous("mutation { requestDataByEmail(email: \"other-walk-in@example.org\", kind: ERASURE) }"),
            AuditKind::AddressRequestFiled,
        ),
        (
            "confirmDataRequest",
            anonymous(&format!(
                "mutation {{ confirmDataRequest(token: \"{data_token}\") {{ status }} }}"
            )),
            AuditKind::AddressRequestConfirmed,
        ),
        (
            "reportVulnerability",
            anonymous(
                "mutation { reportVulnerability(input: { email: \"finder@example.org\", description: \"The search takes ' OR 1=1 --\" }) { id } }",
            ),
            AuditKind::VulnerabilityReported,
        ),
        (
            "triageVulnerabilityReport",
            by(
                Who::Admin,
                "mutation { triageVulnerabilityReport(id: \"1\", status: ACCEPTED, note: \"Fixed, thank you.\") { status } }",
            ),
            AuditKind::VulnerabilityTriaged,
        ),
        (
            "rewardVulnerabilityReport",
            by(
                Who::Admin,
                "mutation { rewardVulnerabilityReport(id: \"1\", noMaliciousActivityConfirmed: true) { rewardCoupon } }",
            ),
            AuditKind::VulnerabilityRewarded,
        ),
    ];
    Ok((
        Callers {
            admin,
            member,
            spare,
            renewable,
            renewer,
            leaver,
            returner,
        },
        calls,
    ))
}

async fn call(app: &TestApp, callers: &Callers, call: &Call) -> Result<Gql> {
    match call {
        Call::Anonymous(query) => app.graphql(query, json!({})).await,
        Call::As(who, query) => {
            let token = match who {
                Who::Admin => &callers.admin.token,
                Who::Member => &callers.member.token,
                Who::Spare => &callers.spare.token,
                Who::Renewable => &callers.renewable.token,
                Who::Renewer => &callers.renewer.token,
                Who::Leaver => &callers.leaver.token,
                Who::Returner => &callers.returner.token,
            };
            app.graphql_as(token, query, json!({})).await
        }
        Call::Photo => crate::photos::upload(app, &callers.member, "me.png", crate::photos::png(128)).await,
        Call::Petition => {
            let today = api::clock::Clock::now(app.clock.as_ref()).date_naive();
            crate::petitions::file(
                app,
                &callers.member,
                crate::petitions::input(today, "0.5"),
                crate::petitions::pdf(512),
            )
            .await
        }
    }
}

#[tokio::test]
async fn every_mutation_in_the_schema_leaves_an_audit_row_of_its_own_kind() -> Result<()> {
    // Stripe's part of the payment mutations answers from the fake.
    let (app, fake) = TestApp::spawn_with_stripe(|_| {}).await?;
    fake.add_payment("pi_test_coverage", 9500, "succeeded");
    let (callers, calls) = mutation_calls(&app).await?;

    // The list is every mutation the schema has: a new mutation must join it.
    let introspection = app
        .graphql("{ __schema { mutationType { fields { name } } } }", json!({}))
        .await?
        .ok()?;
    let mut in_schema: Vec<String> = introspection
        .data("__schema.mutationType.fields")?
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["name"].as_str().map(str::to_owned))
        .collect();
    in_schema.sort();
    let mut tested: Vec<String> = calls.iter().map(|(name, ..)| (*name).to_owned()).collect();
    tested.sort();
    assert_eq!(tested, in_schema, "every mutation is called");

    // Each kind says which mutation records it (the SDL description integrators read).
    let sdl = api::schema::sdl();
    for (name, how, kind) in &calls {
        let kind_name = format!("{kind:?}");
        let described =
            sdl.split("\"\"\"").collect::<Vec<_>>().windows(2).any(|w| {
                w[0].contains(&format!("`{name}`")) && w[1].trim_start().starts_with(&to_screaming(&kind_name))
            });
        assert!(described, "{kind_name} is documented as recorded by `{name}`");

        let before = rows_of(&app, *kind).await?;
        let response = call(&app, &callers, how).await?;
        assert!(response.errors().is_empty(), "{name}: {}", response.body);
        assert!(rows_of(&app, *kind).await? > before, "{name} left no {kind_name} row");
    }
    // Every row says who or where, but the server's own acts about nobody (the mail key
    // it made at its first start).
    let all = audit_rows(&app).await?;
    assert!(
        all.iter()
            .filter(|r| r.kind != AuditKind::SigningKeyCreated)
            .all(|r| r.ip.is_some() || r.member_id.is_some()),
        "every row says who or where"
    );
    Ok(())
}

/// `MemberRoleChanged` -> `MEMBER_ROLE_CHANGED`.
fn to_screaming(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

#[tokio::test]
async fn staff_reads_of_a_members_personal_data_are_audited_and_own_reads_are_not() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let member = app.new_member().await?;
    app.graphql_as(
        &member.token,
        "{ me { email loginHistory(first: 5) { edges { cursor } } } }",
        json!({}),
    )
    .await?
    .ok()?;
    assert_eq!(rows_of(&app, AuditKind::MemberRecordViewed).await?, 0);
    assert_eq!(
        rows_of(&app, AuditKind::LoginHistoryViewed).await?,
        0,
        "own reads are not"
    );

    app.graphql_as(
        &staff.token,
        "query($n: String!) { member(memberNumber: $n) { email loginHistory(first: 5) { edges { cursor } } } }",
        json!({ "n": member.member_number }),
    )
    .await?
    .ok()?;
    let rows = audit_rows(&app).await?;
    for kind in [AuditKind::MemberRecordViewed, AuditKind::LoginHistoryViewed] {
        let row = rows
            .iter()
            .find(|r| r.kind == kind)
            .ok_or_else(|| anyhow!("no {kind:?} row"))?;
        let member_id = entity::member::Entity::find()
            .filter(entity::member::Column::Email.eq(member.email.as_str()))
            .one(&app.state.db)
            .await?
            .map(|m| m.id);
        assert_eq!(row.member_id, member_id, "{kind:?} names whose data was read");
        assert!(row.actor_id.is_some(), "{kind:?} names who read it");
        assert_eq!(row.ip.as_deref(), Some("127.0.0.1"));
    }
    // The staff audit view lists the reads.
    let view = app
        .graphql_as(
            &staff.token,
            "{ auditEvents(filter: { kinds: [MEMBER_RECORD_VIEWED] }) { edges { node { memberNumber actorMemberNumber } } } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(
        view.data("auditEvents.edges.0.node")?,
        &json!({ "memberNumber": member.member_number, "actorMemberNumber": staff.member_number })
    );
    Ok(())
}
