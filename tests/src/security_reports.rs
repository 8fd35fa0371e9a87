//! Vulnerability reports (P20): the public intake with its acknowledgement, staff's
//! triage, the reward coupon, attachments, limits and the retention period.

use anyhow::{Context, Result};
use entity::enums::MessageKind;
use serde_json::json;
use shared::Role;
use tests::{Gql, TestApp};

const REPORT: &str = "mutation($e: String!, $d: String!) { reportVulnerability(input: { email: $e, description: $d, steps: \"1. search\" }) { id receivedAt } }";
const TRIAGE: &str = "mutation($i: ID!, $s: VulnerabilityReportStatus!) { triageVulnerabilityReport(id: $i, status: $s, note: \"Thanks!\") { status triageNote } }";
const REWARD: &str = "mutation($i: ID!, $c: Boolean!) { rewardVulnerabilityReport(id: $i, noMaliciousActivityConfirmed: $c) { rewardCoupon } }";

async fn report(app: &TestApp, email: &str, description: &str) -> Result<String> {
    let filed = app
        .graphql(REPORT, json!({ "e": email, "d": description }))
        .await?
        .ok()?;
    Ok(filed.str("reportVulnerability.id")?.to_owned())
}

#[tokio::test]
async fn a_report_is_acknowledged_triaged_and_rewarded_once_with_a_workshop_coupon() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let finder = "finder@example.org";
    // Describing an injection is allowed: stored text is never inspected.
    let id = report(&app, finder, "The search answers ' OR '1'='1 -- with every trainer").await?;
    let ack = app.mail_to(finder, MessageKind::VulnerabilityReport).await?;
    assert_eq!(ack.len(), 1);
    assert!(ack[0].subject.contains(&format!("#{id}")), "{}", ack[0].subject);

    // Only staff read reports.
    let member = app.new_member().await?;
    let list = "{ vulnerabilityReports { edges { node { id description status blockedAttempts reporterIp } } } }";
    assert_eq!(
        app.graphql_as(&member.token, list, json!({})).await?.code(),
        Some("FORBIDDEN")
    );
    assert_eq!(app.graphql(list, json!({})).await?.code(), Some("UNAUTHENTICATED"));
    let listed = app.graphql_as(&staff.token, list, json!({})).await?.ok()?;
    let node = &listed.data("vulnerabilityReports.edges")?[0]["node"];
    assert_eq!(node["status"], "RECEIVED");
    assert!(node["description"].as_str().is_some_and(|d| d.contains("' OR '1'='1")));
    assert_eq!(node["blockedAttempts"], 0);

    // No reward before acceptance, nor without the confirmation of good faith.
    let early = app
        .graphql_as(&staff.token, REWARD, json!({ "i": id, "c": true }))
        .await?;
    assert_eq!(early.code(), Some("CONFLICT"), "{}", early.body);
    let triaged = app
        .graphql_as(&staff.token, TRIAGE, json!({ "i": id, "s": "ACCEPTED" }))
        .await?
        .ok()?;
    assert_eq!(triaged.str("triageVulnerabilityReport.status")?, "ACCEPTED");
    let unconfirmed = app
        .graphql_as(&staff.token, REWARD, json!({ "i": id, "c": false }))
        .await?;
    assert_eq!(
        (unconfirmed.code(), unconfirmed.field()),
        (Some("VALIDATION"), Some("noMaliciousActivityConfirmed"))
    );
    let rewarded = app
        .graphql_as(&staff.token, REWARD, json!({ "i": id, "c": true }))
        .await?
        .ok()?;
    let code = rewarded.str("rewardVulnerabilityReport.rewardCoupon")?.to_owned();
    let coupons = app
        .count(&format!(
            "SELECT COUNT(*) AS n FROM coupon WHERE code = '{code}' AND percent = 20 AND max_uses = 1 AND scope = 'workshops'"
        ))
        .await?;
    assert_eq!(coupons, 1, "a single-use 20% workshop coupon");
    let mails = app.mail_to(finder, MessageKind::VulnerabilityReport).await?;
    assert_eq!(mails.len(), 3, "acknowledgement, triage, reward");
    assert!(mails[2].body.contains(&code), "the code is e-mailed");

    // Once only, and the triage of a rewarded report stands.
    let again = app
        .graphql_as(&staff.token, REWARD, json!({ "i": id, "c": true }))
        .await?;
    assert_eq!(again.code(), Some("CONFLICT"));
    let retriage = app
        .graphql_as(&staff.token, TRIAGE, json!({ "i": id, "s": "REJECTED" }))
        .await?;
    assert_eq!(retriage.code(), Some("CONFLICT"));
    Ok(())
}

async fn report_with_attachment(app: &TestApp, bytes: Vec<u8>) -> Result<Gql> {
    let query = "mutation($f: Upload) { reportVulnerability(input: { email: \"shot@example.org\", description: \"See the screenshot\" }, attachment: $f) { id } }";
    let form = reqwest::multipart::Form::new()
        .text(
            "operations",
            json!({ "query": query, "variables": { "f": null } }).to_string(),
        )
        .text("map", json!({ "0": ["variables.f"] }).to_string())
        .part("0", reqwest::multipart::Part::bytes(bytes).file_name("shot.png"));
    Gql::read(app.send(app.client.post(app.url("/graphql")).multipart(form)).await?).await
}

#[tokio::test]
async fn an_attachment_is_checked_by_content_and_shown_to_staff_behind_a_signed_link() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    // A text file that says it is a PNG is refused; nothing is stored.
    let lying = report_with_attachment(&app, b"<script>alert(1)</script>".to_vec()).await?;
    assert_eq!((lying.code(), lying.field()), (Some("VALIDATION"), Some("attachment")));
    let too_big = report_with_attachment(&app, crate::photos::png(5 * 1024 * 1024 + 1)).await?;
    assert_eq!(too_big.code(), Some("VALIDATION"), "{}", too_big.body);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM vulnerability_report").await?, 0);

    let png = crate::photos::png(2048);
    let filed = report_with_attachment(&app, png.clone()).await?.ok()?;
    let id = filed.str("reportVulnerability.id")?.to_owned();
    let seen = app
        .graphql_as(
            &staff.token,
            "query($i: ID!) { vulnerabilityReport(id: $i) { attachmentUrl } }",
            json!({ "i": id }),
        )
        .await?
        .ok()?;
    let link = seen.str("vulnerabilityReport.attachmentUrl")?.to_owned();
    let file = app.send(app.client.get(app.url(&link))).await?;
    assert_eq!(file.status(), 200);
    assert_eq!(
        file.headers().get("content-type").and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    assert!(
        file.headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.starts_with("sandbox"))
    );
    assert_eq!(file.bytes().await?.to_vec(), png);
    let forged = link.replace("signature=", "signature=00");
    assert_eq!(app.send(app.client.get(app.url(&forged))).await?.status(), 404);
    Ok(())
}

#[tokio::test]
async fn reports_are_limited_per_address_and_deleted_three_years_after_receipt() -> Result<()> {
    let app = TestApp::spawn().await?;
    for i in 0..5 {
        report(&app, "busy@example.org", &format!("finding {i}")).await?;
    }
    let sixth = app
        .graphql(REPORT, json!({ "e": "busy@example.org", "d": "finding 6" }))
        .await?;
    assert_eq!(sixth.code(), Some("RATE_LIMITED"), "{}", sixth.body);

    // Three years on (less a day) they are kept; the day after, deleted.
    app.clock.advance(chrono::Duration::days(3 * 365));
    app.run_job(api::jobs::JobName::Retention).await?;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM vulnerability_report").await?, 5);
    app.clock.advance(chrono::Duration::days(2));
    let report = app.run_job(api::jobs::JobName::Retention).await?;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM vulnerability_report").await?, 0);
    let line = report
        .lines
        .iter()
        .find(|l| l.contains("vulnerability reports"))
        .context("the report names the rule")?;
    assert!(line.contains('5'), "{line}");
    let expired = app
        .count("SELECT COUNT(*) AS n FROM audit_event WHERE kind = 'vulnerability_report_expired'")
        .await?;
    assert_eq!(expired, 5);
    Ok(())
}
