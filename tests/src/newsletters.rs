//! Newsletters and consent (P17): double opt-in with consent evidence, campaigns queued
//! through the outbox with RFC 8058 one-click unsubscribe, partner lists sent by us, and
//! (on PostgreSQL) a campaign of 10,000 recipients delivered without loss.

use anyhow::{Context, Result};
use entity::enums::MessageKind;
use secrecy::SecretString;
use serde_json::json;
use shared::Role;
use tests::harness::{SmtpServer, token_in};
use tests::{TestApp, TestUser};

const CREATE_LIST: &str = "mutation($i: MailingListInput!) { createMailingList(input: $i) { slug consentWording } }";
const SAVE: &str = "mutation($i: CampaignInput!) { saveCampaign(input: $i) { id status } }";
const SEND: &str = "mutation($id: ID!) { sendCampaign(id: $id) { status recipients } }";

async fn create_list(app: &TestApp, staff: &TestUser, slug: &str, partner: Option<&str>) -> Result<String> {
    let created = app
        .graphql_as(
            &staff.token,
            CREATE_LIST,
            json!({ "i": { "slug": slug, "name": format!("News {slug}"), "description": "Monthly.", "partnerName": partner } }),
        )
        .await?
        .ok()?;
    Ok(created.str("createMailingList.consentWording")?.to_owned())
}

/// Subscribes `email` to `slug` and confirms it through the link mailed to it.
async fn subscribed(app: &TestApp, slug: &str, email: &str) -> Result<()> {
    app.graphql(
        "mutation($l: String!, $e: String!) { subscribe(listSlug: $l, email: $e) }",
        json!({ "l": slug, "e": email }),
    )
    .await?
    .ok()?;
    let token = app.link_token(email, MessageKind::SubscriptionConfirmation).await?;
    app.graphql(
        "mutation($t: String!) { confirmSubscription(token: $t) { slug } }",
        json!({ "t": token }),
    )
    .await?
    .ok()?;
    Ok(())
}

async fn campaign(app: &TestApp, staff: &TestUser, slug: &str, body: &str) -> Result<serde_json::Value> {
    let saved = app
        .graphql_as(
            &staff.token,
            SAVE,
            json!({ "i": { "listSlug": slug, "subject": "Spring workshops", "body": body } }),
        )
        .await?
        .ok()?;
    let id = saved.str("saveCampaign.id")?.to_owned();
    let sent = app.graphql_as(&staff.token, SEND, json!({ "id": id })).await?.ok()?;
    Ok(sent.data("sendCampaign")?.clone())
}

#[tokio::test]
async fn subscribing_takes_a_confirmed_address_and_keeps_the_evidence() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let wording = create_list(&app, &staff, "monthly-news", None).await?;
    let member = app.new_member().await?;

    // Before confirming, the address is pending and receives no campaign.
    app.graphql_as(
        &member.token,
        "mutation($e: String!) { subscribe(listSlug: \"monthly-news\", email: $e) }",
        json!({ "e": member.email }),
    )
    .await?
    .ok()?;
    let draft = campaign(&app, &staff, "monthly-news", "Nothing yet.").await?;
    assert_eq!(draft["recipients"], 0, "a pending address gets nothing");

    // The link confirms it; the member sees the subscription and its consent history.
    let mail = app
        .mail_to(&member.email, MessageKind::SubscriptionConfirmation)
        .await?
        .pop()
        .context("a confirmation mail")?;
    assert!(mail.body.contains(&wording), "the mail says what is agreed to");
    let token = token_in(&mail.body).context("a token")?;
    let confirm = "mutation($t: String!) { confirmSubscription(token: $t) { slug } }";
    app.graphql(confirm, json!({ "t": token })).await?.ok()?;
    let again = app.graphql(confirm, json!({ "t": token })).await?;
    assert_eq!(again.code(), Some("NOT_FOUND"), "a link confirms once");
    let mine = app
        .graphql_as(
            &member.token,
            "{ mySubscriptions { status list { slug } consentHistory { action at ip wordingVersion } } }",
            json!({}),
        )
        .await?
        .ok()?;
    let subscription = &mine.data("mySubscriptions")?[0];
    assert_eq!(subscription["status"], "CONFIRMED");
    let history = subscription["consentHistory"].as_array().context("history")?;
    let actions: Vec<&str> = history.iter().filter_map(|c| c["action"].as_str()).collect();
    assert_eq!(actions, ["REQUESTED", "CONFIRMED"]);
    assert!(
        history
            .iter()
            .all(|c| c["ip"] == "127.0.0.1" && c["wordingVersion"].is_string())
    );

    // Asking again for a confirmed address answers the same and sends nothing.
    let before = app
        .mail_to(&member.email, MessageKind::SubscriptionConfirmation)
        .await?
        .len();
    app.graphql(
        "mutation($e: String!) { subscribe(listSlug: \"monthly-news\", email: $e) }",
        json!({ "e": member.email }),
    )
    .await?
    .ok()?;
    assert_eq!(
        app.mail_to(&member.email, MessageKind::SubscriptionConfirmation)
            .await?
            .len(),
        before
    );
    Ok(())
}

#[tokio::test]
async fn a_campaign_carries_one_click_unsubscribe_and_no_tracking() -> Result<()> {
    let smtp = SmtpServer::start()?;
    let url = smtp.url();
    let app = TestApp::spawn_with(move |s| s.mail.smtp_url = Some(SecretString::from(url))).await?;
    let staff = app.new_with_role(Role::Staff).await?;
    create_list(&app, &staff, "partner-news", Some("Acme Kettlebells")).await?;
    for address in ["ann@example.org", "bob@example.org"] {
        subscribed(&app, "partner-news", address).await?;
    }
    let preview = app
        .graphql_as(
            &staff.token,
            "{ campaignPreview(listSlug: \"partner-news\", subject: \"S\", body: \"Read https://example.org/spring?x=1\") }",
            json!({}),
        )
        .await?
        .ok()?;
    let preview = preview.str("campaignPreview")?;
    assert!(preview.contains("on behalf of Acme Kettlebells") && preview.contains("Unsubscribe with one click"));

    let body = "Our spring workshops: https://example.org/spring?x=1\nSee you there.";
    let sent = campaign(&app, &staff, "partner-news", body).await?;
    assert_eq!(
        (sent["status"].as_str(), sent["recipients"].as_i64()),
        (Some("QUEUED"), Some(2))
    );
    let mail = smtp.wait_for_subject("ann@example.org", "Spring workshops").await?;
    let unsubscribe = mail.header("List-Unsubscribe").context("List-Unsubscribe")?;
    assert_eq!(
        mail.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let text = mail.body();
    assert!(
        text.contains("https://example.org/spring?x=1"),
        "links stay as written: {text}"
    );
    assert!(
        !text.contains("<img") && !mail.data.contains("text/html"),
        "no pixel, no HTML"
    );
    let link = unsubscribe.trim_start_matches('<').trim_end_matches('>').to_owned();
    let path = link
        .split_once("/unsubscribe/")
        .map(|(_, t)| format!("/unsubscribe/{t}"))
        .context("a path")?;

    // A GET (a scanner, a person) unsubscribes nothing; one POST with no login does.
    app.send(app.client.get(app.url(&path))).await?;
    let still = app
        .count("SELECT COUNT(*) AS n FROM subscription WHERE status = 'confirmed'")
        .await?;
    assert_eq!(still, 2);
    let posted = app
        .send(
            app.client
                .post(app.url(&path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body("List-Unsubscribe=One-Click"),
        )
        .await?;
    assert_eq!(posted.status(), 200);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM subscription WHERE email = 'ann@example.org' AND status = 'unsubscribed'")
            .await?,
        1
    );
    let consent = app
        .count("SELECT COUNT(*) AS n FROM consent_event WHERE action = 'unsubscribed' AND ip IS NOT NULL")
        .await?;
    assert_eq!(consent, 1, "the withdrawal is recorded with its IP");
    let forged = app
        .send(
            app.client
                .post(app.url(&format!("{path}0")))
                .body("List-Unsubscribe=One-Click"),
        )
        .await?;
    assert_eq!(forged.status(), 404);
    // The next campaign goes to the one address left.
    let next = campaign(&app, &staff, "partner-news", "Summer.").await?;
    assert_eq!(next["recipients"], 1);
    Ok(())
}

/// PostgreSQL only (CI time): 10,000 confirmed addresses, one campaign, every message
/// delivered through the harness's SMTP server, none lost or sent twice.
#[cfg(feature = "postgres")]
#[tokio::test]
async fn a_campaign_of_ten_thousand_recipients_is_delivered_without_loss() -> Result<()> {
    use sea_orm::{ConnectionTrait, Statement};
    let smtp = SmtpServer::start()?;
    let url = smtp.url();
    let app = TestApp::spawn_with(move |s| s.mail.smtp_url = Some(SecretString::from(url))).await?;
    let staff = app.new_with_role(Role::Staff).await?;
    create_list(&app, &staff, "everyone", None).await?;
    let db = &app.state.db;
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "INSERT INTO subscription (list_id, email, status, created_at, confirmed_at) \
         SELECT l.id, 'reader' || g || '@example.org', 'confirmed', now(), now() \
         FROM mailing_list l, generate_series(1, 10000) g WHERE l.slug = 'everyone'",
    ))
    .await?;
    let sent = campaign(&app, &staff, "everyone", "Hello, all of you.").await?;
    assert_eq!(sent["recipients"], 10_000);
    let deadline = std::time::Instant::now() + std::time::Duration::from_mins(10);
    loop {
        let received = smtp.received().len();
        if received >= 10_000 || std::time::Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let mut addresses: Vec<String> = smtp.received().into_iter().flat_map(|m| m.to).collect();
    addresses.sort();
    let total = addresses.len();
    addresses.dedup();
    assert_eq!((total, addresses.len()), (10_000, 10_000), "each address once");
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM outbox_message WHERE kind = 'newsletter' AND status = 'sent'")
            .await?,
        10_000
    );
    Ok(())
}
