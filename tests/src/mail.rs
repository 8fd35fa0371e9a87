//! Outgoing mail (P4, P13): the outbox, the `mail` job that sends it over SMTP or into the
//! mail folder, retries with backoff, and how long sent mail is kept.

use anyhow::{Context, Result};
use api::clock::Clock;
use api::jobs::{self, JobContext, JobName, RunOutcome};
use entity::enums::{MessageKind, MessageStatus};
use secrecy::SecretString;
use serde_json::json;
use tests::harness::{SmtpServer, token_in};
use tests::{TestApp, TestUser};

fn smtp(url: String) -> impl FnOnce(&mut api::Settings) {
    move |s| s.mail.smtp_url = Some(SecretString::from(url))
}

async fn trainer(app: &TestApp) -> Result<(TestUser, String)> {
    let trainer = app.new_member().await?;
    let saved = app
        .graphql_as(
            &trainer.token,
            "mutation { saveMyProfile(input: { displayName: \"Rory Relay\", city: \"Regina\", country: \"Canada\" }) { slug } }",
            json!({}),
        )
        .await?
        .ok()?;
    Ok((trainer, saved.str("saveMyProfile.slug")?.to_owned()))
}

#[tokio::test]
async fn the_relay_reaches_the_trainer_by_smtp_with_the_visitor_as_reply_to() -> Result<()> {
    let smtp_server = SmtpServer::start()?;
    let app = TestApp::spawn_with(smtp(smtp_server.url())).await?;
    let (trainer, slug) = trainer(&app).await?;

    let answer = app
        .graphql(
            "mutation($s: String!) { contactTrainer(profileSlug: $s, senderName: \"Vi Sitor\", senderEmail: \"vi.sitor@example.org\", message: \"Do you coach on Saturday mornings?\") }",
            json!({ "s": slug }),
        )
        .await?
        .ok()?;
    assert!(
        !answer.body.to_string().contains(&trainer.email),
        "the visitor's answer carries no address: {}",
        answer.body
    );

    let mail = smtp_server
        .wait_for_subject(&trainer.email, "a message from Vi Sitor")
        .await?;
    assert_eq!(
        mail.to,
        std::slice::from_ref(&trainer.email),
        "the trainer is the one recipient"
    );
    let reply_to = mail
        .header("Reply-To")
        .with_context(|| format!("a Reply-To header in {:?}", mail.data))?;
    assert!(
        reply_to.contains("vi.sitor@example.org") && reply_to.contains("Vi Sitor"),
        "{reply_to}"
    );
    let from = mail.header("From").context("a From header")?;
    assert!(
        !from.contains("vi.sitor"),
        "sent as the platform, not as the visitor: {from}"
    );
    let body = mail.body();
    assert!(body.contains("Do you coach on Saturday mornings?"), "{body}");
    assert!(body.contains("Sent from IP address 127.0.0.1"), "{body}");

    let sent = app
        .eventually(|| async {
            let rows = app.mail_to(&trainer.email, MessageKind::ContactRelay).await?;
            Ok(rows.into_iter().find(|r| r.status == MessageStatus::Sent))
        })
        .await?;
    assert!(sent.sent_at.is_some());
    Ok(())
}

#[tokio::test]
async fn without_an_smtp_server_mail_lands_in_the_mail_folder() -> Result<()> {
    let app = TestApp::spawn().await?;
    app.register("folder@example.org", "a folder passphrase", "Fol Der")
        .await?
        .ok()?;
    let folder = app.data_dir().join("mail");
    let written = app
        .eventually(|| async {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                return Ok(None);
            };
            let files: Vec<String> = entries
                .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .collect();
            Ok(files.into_iter().find(|f| f.contains("folder@example.org")))
        })
        .await?;
    assert!(written.contains("Subject: Confirm your e-mail address"), "{written}");
    let unfolded = written.replace("=\r\n", "").replace("=3D", "=");
    let token = token_in(&unfolded).context("the link is in the file")?;
    assert_eq!(token, app.confirmation_token("folder@example.org").await?);

    // The files go with the rows, once the retention period has passed.
    let ctx = job_context(&app);
    app.clock.advance(chrono::Duration::days(29));
    jobs::run_once(&ctx, JobName::Retention, true).await?;
    assert_eq!(std::fs::read_dir(&folder)?.count(), 1, "kept thirty days");
    app.clock.advance(chrono::Duration::days(2));
    let report = jobs::dry_run(&ctx, JobName::Retention).await?;
    assert!(
        report
            .lines
            .iter()
            .any(|l| l.starts_with("sent e-mail after 30 days") && l.contains("1 mail folder files deleted")),
        "{report:?}"
    );
    jobs::run_once(&ctx, JobName::Retention, true).await?;
    assert_eq!(std::fs::read_dir(&folder)?.count(), 0, "deleted after thirty days");
    Ok(())
}

/// A port nothing listens on.
fn closed_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn job_context(app: &TestApp) -> JobContext {
    JobContext::new(app.state.clone(), app.state.db.clone())
}

async fn run_mail_job(app: &TestApp) -> Result<()> {
    match jobs::run_once(&job_context(app), JobName::Mail, true).await? {
        RunOutcome::Ran(_) => Ok(()),
        RunOutcome::Skipped => anyhow::bail!("the mail job did not run"),
    }
}

#[tokio::test]
async fn a_failed_attempt_is_retried_with_backoff_and_sent_mail_is_kept_thirty_days() -> Result<()> {
    let down = format!("smtp://127.0.0.1:{}", closed_port()?);
    let app = TestApp::spawn_with(|s| {
        s.run_jobs = false;
        s.mail.smtp_url = Some(SecretString::from(down));
    })
    .await?;
    app.register("retry@example.org", "a retry passphrase", "Re Try")
        .await?
        .ok()?;
    let message = || async {
        let rows = app.mail_to("retry@example.org", MessageKind::EmailConfirmation).await?;
        rows.into_iter().next().context("the confirmation is queued")
    };

    run_mail_job(&app).await?;
    let first = message().await?;
    assert_eq!((first.status, first.attempts), (MessageStatus::Queued, 1));
    assert!(first.last_error.is_some(), "the failure is recorded");
    let wait = first.next_attempt_at - app.clock.now();
    assert!(
        wait > chrono::Duration::seconds(50) && wait <= chrono::Duration::minutes(1),
        "{wait}"
    );
    run_mail_job(&app).await?;
    assert_eq!(message().await?.attempts, 1, "not tried again before its time");
    app.clock.advance(chrono::Duration::seconds(61));
    run_mail_job(&app).await?;
    let second = message().await?;
    assert_eq!(second.attempts, 2);
    let wait = second.next_attempt_at - app.clock.now();
    assert!(wait > chrono::Duration::seconds(110), "twice as long: {wait}");

    // A server whose mail server answers sends it once its time has come.
    let smtp_server = SmtpServer::start()?;
    let working = app
        .spawn_sharing(|s| {
            s.run_jobs = false;
            s.mail.smtp_url = Some(SecretString::from(smtp_server.url()));
        })
        .await?;
    working.clock.advance(chrono::Duration::minutes(5));
    run_mail_job(&working).await?;
    let mail = smtp_server.wait_for("retry@example.org").await?;
    assert!(mail.body().contains("/confirm?token="));
    let sent = message().await?;
    assert_eq!((sent.status, sent.attempts), (MessageStatus::Sent, 3));

    // Kept thirty days after sending, then deleted by the retention job (dry run first).
    let ctx = job_context(&working);
    working.clock.advance(chrono::Duration::days(29));
    let report = jobs::dry_run(&ctx, JobName::Retention).await?;
    assert!(
        report
            .lines
            .iter()
            .any(|l| l.starts_with("sent e-mail") && l.contains(": 0 messages")),
        "{report:?}"
    );
    working.clock.advance(chrono::Duration::days(2));
    let report = jobs::dry_run(&ctx, JobName::Retention).await?;
    assert!(
        report
            .lines
            .iter()
            .any(|l| l.starts_with("sent e-mail") && l.contains(": 1 messages")),
        "{report:?}"
    );
    assert!(
        !report.lines.iter().any(|l| l.contains('@')),
        "no personal data: {report:?}"
    );
    message().await?;
    jobs::run_once(&ctx, JobName::Retention, true).await?;
    assert!(
        app.mail_to("retry@example.org", MessageKind::EmailConfirmation)
            .await?
            .is_empty(),
        "deleted after thirty days"
    );
    Ok(())
}

#[tokio::test]
async fn a_message_the_mail_server_refuses_for_good_is_given_up_at_once() -> Result<()> {
    let app = TestApp::spawn_with(|s| {
        s.run_jobs = false;
        s.mail.from = "not an address".to_owned();
    })
    .await;
    assert!(app.is_err(), "a malformed From is refused at start");

    let smtp_server = SmtpServer::start()?;
    let app = TestApp::spawn_with(|s| {
        s.run_jobs = false;
        s.mail.smtp_url = Some(SecretString::from(smtp_server.url()));
    })
    .await?;
    app.register("gone@example.org", "a gone passphrase", "Gone Away")
        .await?
        .ok()?;
    // The member's address becomes unusable before the message goes out.
    sea_orm::ConnectionTrait::execute_unprepared(
        &app.state.db,
        "UPDATE member SET email = 'not-an-address' WHERE email = 'gone@example.org'",
    )
    .await?;
    run_mail_job(&app).await?;
    let rows = app.mail_to("not-an-address", MessageKind::EmailConfirmation).await?;
    let message = rows.first().context("the message")?;
    assert_eq!(message.status, MessageStatus::Failed);
    assert!(message.last_error.as_deref().is_some_and(|e| e.contains("recipient")));
    assert!(smtp_server.received().is_empty());
    Ok(())
}
