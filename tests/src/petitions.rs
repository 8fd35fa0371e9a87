//! Petitions (P22): filed with evidence and a fee, reviewed by staff (approve, possibly
//! for less; reject with a reason; ask for more information and get an answer), the member
//! e-mailed at each decision, approved credit in the ledger and counted for renewal, and
//! the rules at their boundaries.

use anyhow::{Result, anyhow};
use api::clock::Clock;
use chrono::{Days, Months, NaiveDate};
use entity::enums::MessageKind;
use serde_json::json;
use shared::Role;
use tests::{Gql, TestApp, TestUser};

const FILE: &str = "mutation($i: PetitionInput!, $f: Upload!) { filePetition(input: $i, evidence: $f) { id status requestedCec fee { id amount { cents } } } }";
const FIELDS: &str = "id status grantedCec staffNote memberAnswer";

pub(crate) fn pdf(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n% certificate of completion\n".to_vec();
    bytes.resize(size, b' ');
    bytes
}

pub(crate) fn input(completed_on: NaiveDate, requested: &str) -> serde_json::Value {
    json!({ "title": "Pilates for runners", "providerName": "Studio Nord", "completedOn": completed_on.to_string(),
            "hours": "7.0", "requestedCec": requested })
}

/// Files a petition through the GraphQL multipart request spec.
pub(crate) async fn file(app: &TestApp, user: &TestUser, input: serde_json::Value, evidence: Vec<u8>) -> Result<Gql> {
    let form = reqwest::multipart::Form::new()
        .text(
            "operations",
            json!({ "query": FILE, "variables": { "i": input, "f": null } }).to_string(),
        )
        .text("map", json!({ "0": ["variables.f"] }).to_string())
        .part(
            "0",
            reqwest::multipart::Part::bytes(evidence).file_name("certificate.pdf"),
        );
    let response = app
        .send(
            app.client
                .post(app.url("/graphql"))
                .bearer_auth(&user.token)
                .multipart(form),
        )
        .await?;
    Gql::read(response).await
}

fn today(app: &TestApp) -> NaiveDate {
    app.clock.now().date_naive()
}

fn months_ago(app: &TestApp, n: u32) -> Result<NaiveDate> {
    today(app)
        .checked_sub_months(Months::new(n))
        .ok_or_else(|| anyhow!("date"))
}

async fn pay(app: &TestApp, staff: &TestUser, fee: &str) -> Result<()> {
    app.pay_fee(&staff.token, fee).await?.ok()?;
    Ok(())
}

async fn staff_do(app: &TestApp, staff: &TestUser, mutation: &str, args: &str, id: &str) -> Result<Gql> {
    app.graphql_as(
        &staff.token,
        &format!("mutation($p: ID!) {{ {mutation}(petitionId: $p{args}) {{ {FIELDS} }} }}"),
        json!({ "p": id }),
    )
    .await
}

async fn queue(app: &TestApp, staff: &TestUser) -> Result<Vec<String>> {
    let listed = app
        .graphql_as(
            &staff.token,
            "{ petitionQueue { edges { node { id memberNumber } } } }",
            json!({}),
        )
        .await?
        .ok()?;
    Ok(listed
        .data("petitionQueue.edges")?
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["id"].as_str().map(str::to_owned))
        .collect())
}

#[tokio::test]
async fn a_petition_goes_from_fee_to_queue_to_a_question_to_approval_and_its_credit_counts_for_renewal() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let member = app.new_member().await?;
    // In the renewal window, 0.7 CEC short until the petition is approved.
    let starts_on = months_ago(&app, 23)?;
    app.graphql_as(
        &staff.token,
        "mutation($n: String!, $d: NaiveDate!) { recordCertification(memberNumber: $n, startsOn: $d) { status } }",
        json!({ "n": member.member_number, "d": starts_on.to_string() }),
    )
    .await?
    .ok()?;
    app.graphql_as(
        &staff.token,
        "mutation($n: String!, $d: NaiveDate!) { adjustCec(memberNumber: $n, cec: \"1.3\", earnedOn: $d, reason: \"Courses\") { id } }",
        json!({ "n": member.member_number, "d": months_ago(&app, 2)?.to_string() }),
    )
    .await?
    .ok()?;

    let filed = file(&app, &member, input(months_ago(&app, 1)?, "0.7"), pdf(4096))
        .await?
        .ok()?;
    let id = filed.str("filePetition.id")?.to_owned();
    assert_eq!(filed.str("filePetition.status")?, "AWAITING_PAYMENT");
    assert_eq!(filed.data("filePetition.fee.amount.cents")?, 2500, "CPTN_PETITION_FEE");
    assert!(
        queue(&app, &staff).await?.is_empty(),
        "not in the queue before its fee is paid"
    );
    let early = staff_do(&app, &staff, "approvePetition", "", &id).await?;
    assert_eq!(early.code(), Some("CONFLICT"));

    pay(&app, &staff, filed.str("filePetition.fee.id")?).await?;
    assert_eq!(queue(&app, &staff).await?, vec![id.clone()], "paid: in the queue");
    let renew = "mutation { renewCertification { status } }";
    let short = app.graphql_as(&member.token, renew, json!({})).await?;
    assert_eq!(
        short.code(),
        Some("VALIDATION"),
        "a petition under review does not count"
    );
    assert!(short.body.to_string().contains("0.7 CEC short"), "{}", short.body);

    // A question, the member's answer, and back in the queue.
    let asked = app
        .graphql_as(
            &staff.token,
            &format!("mutation($p: ID!) {{ askPetitionInformation(petitionId: $p, question: \"Which modules did it cover?\") {{ {FIELDS} }} }}"),
            json!({ "p": id }),
        )
        .await?
        .ok()?;
    assert_eq!(asked.str("askPetitionInformation.status")?, "NEEDS_INFORMATION");
    assert!(queue(&app, &staff).await?.is_empty());
    let mail = app.mail_to(&member.email, MessageKind::PetitionUpdate).await?;
    assert_eq!(mail.len(), 1, "the member is e-mailed the question");
    let answer = "mutation($p: ID!) { answerPetition(petitionId: $p, answer: \"Core, breathing, running drills.\") { status memberAnswer } }";
    let stranger = app.new_member().await?;
    let not_theirs = app.graphql_as(&stranger.token, answer, json!({ "p": id })).await?;
    assert_eq!(not_theirs.code(), Some("NOT_FOUND"), "nobody else learns of it");
    let answered = app.graphql_as(&member.token, answer, json!({ "p": id })).await?.ok()?;
    assert_eq!(answered.str("answerPetition.status")?, "IN_REVIEW");
    let again = app.graphql_as(&member.token, answer, json!({ "p": id })).await?;
    assert_eq!(again.code(), Some("CONFLICT"), "no question is waiting");

    let too_much = staff_do(&app, &staff, "approvePetition", ", grantedCec: \"0.8\"", &id).await?;
    assert_eq!(too_much.code(), Some("VALIDATION"), "never more than asked");
    let approved = staff_do(&app, &staff, "approvePetition", ", grantedCec: \"0.7\"", &id)
        .await?
        .ok()?;
    assert_eq!(approved.str("approvePetition.status")?, "APPROVED");
    assert_eq!(approved.str("approvePetition.grantedCec")?, "0.7");
    let twice = staff_do(&app, &staff, "rejectPetition", ", reason: \"Changed my mind\"", &id).await?;
    assert_eq!(twice.code(), Some("CONFLICT"), "a decision is final");
    assert_eq!(app.mail_to(&member.email, MessageKind::PetitionUpdate).await?.len(), 2);

    let ledger = app
        .graphql_as(
            &member.token,
            "{ me { ledger { edges { node { cec source title } } } petitions { edges { node { status grantedCec } } } } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(ledger.str("me.ledger.edges.0.node.source")?, "PETITION");
    assert_eq!(ledger.str("me.ledger.edges.0.node.cec")?, "0.7");
    assert_eq!(ledger.str("me.ledger.edges.0.node.title")?, "Pilates for runners");
    assert_eq!(ledger.str("me.petitions.edges.0.node.status")?, "APPROVED");
    let renewed = app.graphql_as(&member.token, renew, json!({})).await?.ok()?;
    assert_eq!(
        renewed.str("renewCertification.status")?,
        "AWAITING_PAYMENT",
        "exactly 2.0 CEC now"
    );
    Ok(())
}

#[tokio::test]
async fn petition_rules_hold_at_their_boundaries() -> Result<()> {
    let app = TestApp::spawn().await?;
    let member = app.new_member().await?;
    let six_months = months_ago(&app, 6)?;
    let day_more = six_months
        .checked_sub_days(Days::new(1))
        .ok_or_else(|| anyhow!("date"))?;

    let oldest = file(&app, &member, input(six_months, "0.7"), pdf(1024)).await?;
    assert!(oldest.code().is_none(), "six months after completion: {}", oldest.body);
    let too_old = file(&app, &member, input(day_more, "0.7"), pdf(1024)).await?;
    assert_eq!(too_old.code(), Some("VALIDATION"), "one day more");
    assert_eq!(too_old.field(), Some("completedOn"));
    let future = file(&app, &member, input(today(&app) + Days::new(1), "0.5"), pdf(1024)).await?;
    assert_eq!(future.field(), Some("completedOn"));

    let eight = file(&app, &member, input(today(&app), "0.8"), pdf(1024)).await?;
    assert_eq!(eight.code(), Some("VALIDATION"), "0.8 is more than a petition covers");
    assert_eq!(eight.field(), Some("requestedCec"));

    let text = file(
        &app,
        &member,
        input(today(&app), "0.5"),
        b"just some text, not a certificate".to_vec(),
    )
    .await?;
    assert_eq!(
        text.field(),
        Some("evidence"),
        "PDF, PNG or JPEG by content: {}",
        text.body
    );
    let png = file(&app, &member, input(today(&app), "0.5"), crate::photos::png(2048)).await?;
    assert!(png.code().is_none(), "a photo of the certificate: {}", png.body);
    // The member opens their own evidence; an image comes inside a CSP sandbox, a PDF not
    // (browsers render no PDF in a sandbox) but never sniffed.
    let mine = app
        .graphql_as(
            &member.token,
            "{ me { petitions { edges { node { evidenceUrl evidenceType } } } } }",
            json!({}),
        )
        .await?
        .ok()?;
    for edge in mine.data("me.petitions.edges")?.as_array().into_iter().flatten() {
        let url = edge["node"]["evidenceUrl"].as_str().unwrap_or_default();
        let opened = app.send(app.client.get(app.url(url))).await?;
        assert_eq!(opened.status(), 200);
        let header = |name: &str| {
            opened
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"));
        let sandboxed = header("content-security-policy").is_some_and(|csp| csp.starts_with("sandbox"));
        assert_eq!(sandboxed, edge["node"]["evidenceType"] == "image/png", "{url}");
    }
    let huge = file(&app, &member, input(today(&app), "0.5"), pdf(10 * 1024 * 1024 + 1)).await?;
    assert!(huge.code().is_some(), "above 10 MiB is refused: {}", huge.body);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM petition").await?,
        2,
        "refused petitions leave no row"
    );
    let anonymous = app
        .graphql("{ petitionQueue { edges { node { id } } } }", json!({}))
        .await?;
    assert_eq!(anonymous.code(), Some("UNAUTHENTICATED"));
    let by_member = app
        .graphql_as(&member.token, "{ petitionQueue { edges { node { id } } } }", json!({}))
        .await?;
    assert_eq!(by_member.code(), Some("FORBIDDEN"));
    Ok(())
}

#[tokio::test]
async fn a_rejected_petition_writes_no_credit_and_its_evidence_opens_only_by_a_fresh_signed_link() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let member = app.new_member().await?;
    let evidence = pdf(3000);
    let filed = file(&app, &member, input(today(&app), "0.5"), evidence.clone())
        .await?
        .ok()?;
    let id = filed.str("filePetition.id")?.to_owned();
    pay(&app, &staff, filed.str("filePetition.fee.id")?).await?;

    let link = app
        .graphql_as(
            &staff.token,
            "query($p: ID!) { petition(id: $p) { evidenceUrl evidenceType memberName } }",
            json!({ "p": id }),
        )
        .await?
        .ok()?;
    assert_eq!(link.str("petition.evidenceType")?, "application/pdf");
    let url = link.str("petition.evidenceUrl")?.to_owned();
    let opened = app.send(app.client.get(app.url(&url))).await?;
    assert_eq!(opened.status(), 200);
    assert_eq!(
        opened.headers().get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    assert_eq!(
        opened.headers().get("cache-control").and_then(|v| v.to_str().ok()),
        Some("private, no-store")
    );
    assert_eq!(opened.bytes().await?.to_vec(), evidence);
    assert!(
        app.count("SELECT COUNT(*) AS n FROM audit_event WHERE kind = 'evidence_viewed'")
            .await?
            >= 1,
        "a staff read of the evidence is audited"
    );
    let mut forged = url.clone();
    let last = forged.pop().unwrap_or('0');
    forged.push(if last == '0' { '1' } else { '0' });
    let refused = app.send(app.client.get(app.url(&forged))).await?;
    assert_eq!(refused.status(), 404, "an altered link opens nothing");
    let other_petition = url.replacen(&format!("/evidence/{id}"), "/evidence/999", 1);
    assert_eq!(app.send(app.client.get(app.url(&other_petition))).await?.status(), 404);

    let stranger = app.new_member().await?;
    let peek = app
        .graphql_as(
            &stranger.token,
            "query($p: ID!) { petition(id: $p) { title } }",
            json!({ "p": id }),
        )
        .await?;
    assert_eq!(peek.code(), Some("NOT_FOUND"));

    let rejected = staff_do(
        &app,
        &staff,
        "rejectPetition",
        ", reason: \"The course is not about fitness training.\"",
        &id,
    )
    .await?
    .ok()?;
    assert_eq!(rejected.str("rejectPetition.status")?, "REJECTED");
    assert_eq!(
        rejected.str("rejectPetition.staffNote")?,
        "The course is not about fitness training."
    );
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM cec_entry").await?, 0);
    let mail = app.mail_to(&member.email, MessageKind::PetitionUpdate).await?;
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].body.contains("not about fitness training"),
        "the reason is in the mail"
    );
    Ok(())
}
