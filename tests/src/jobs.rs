//! Background jobs: one run at a time across servers sharing a database (a lease row), on
//! the schedule the lease keeps, and a graceful shutdown that finishes what is running.

use anyhow::Result;
use api::clock::Clock;
use api::jobs::{self, JobContext, JobName, RunOutcome};
use sea_orm::EntityTrait;
use serde_json::json;
use tests::TestApp;

fn context(app: &TestApp) -> JobContext {
    JobContext::new(app.state.clone(), app.state.db.clone())
}

fn no_scheduler(settings: &mut api::Settings) {
    settings.run_jobs = false;
}

async fn runs_of(app: &TestApp, job: JobName) -> Result<i64> {
    Ok(api::db::jobs::find(&app.state.db, job.as_str())
        .await?
        .map_or(0, |lease| lease.runs))
}

#[tokio::test]
async fn servers_sharing_a_database_run_each_scheduled_run_once() -> Result<()> {
    let first = TestApp::spawn_with(no_scheduler).await?;
    let second = first.spawn_sharing(no_scheduler).await?;
    let (a, b) = (context(&first), context(&second));

    let (one, two) = tokio::join!(
        jobs::run_once(&a, JobName::Retention, false),
        jobs::run_once(&b, JobName::Retention, false)
    );
    let ran = [one?, two?]
        .iter()
        .filter(|outcome| matches!(outcome, RunOutcome::Ran(_)))
        .count();
    assert_eq!(ran, 1, "one server ran it, the other skipped");
    assert_eq!(runs_of(&first, JobName::Retention).await?, 1);

    // Not due again until its period (an hour) has passed, on either server.
    for ctx in [&a, &b] {
        assert!(matches!(
            jobs::run_once(ctx, JobName::Retention, false).await?,
            RunOutcome::Skipped
        ));
    }
    second.clock.advance(chrono::Duration::minutes(61));
    assert!(matches!(
        jobs::run_once(&b, JobName::Retention, false).await?,
        RunOutcome::Ran(_)
    ));
    assert_eq!(runs_of(&first, JobName::Retention).await?, 2);
    Ok(())
}

#[tokio::test]
async fn the_lease_of_a_server_that_died_mid_run_lapses() -> Result<()> {
    let first = TestApp::spawn_with(no_scheduler).await?;
    let second = first.spawn_sharing(no_scheduler).await?;
    // The first server takes the lease and never hands it back (it died).
    let now = first.clock.now();
    let taken = api::db::jobs::try_acquire(
        &first.state.db,
        JobName::Retention.as_str(),
        &first.state.instance_id,
        now,
        now + chrono::Duration::minutes(30),
        true,
    )
    .await?;
    assert!(taken);
    assert!(matches!(
        jobs::run_once(&context(&second), JobName::Retention, true).await?,
        RunOutcome::Skipped
    ));
    second.clock.advance(chrono::Duration::minutes(31));
    assert!(matches!(
        jobs::run_once(&context(&second), JobName::Retention, true).await?,
        RunOutcome::Ran(_)
    ));
    Ok(())
}

#[tokio::test]
async fn shutting_down_finishes_requests_writes_the_access_log_and_hands_leases_back() -> Result<()> {
    let mut app = TestApp::spawn().await?;
    let member = app.new_member().await?;
    // The scheduler runs the mail job as soon as the confirmation was queued.
    app.eventually(|| async { Ok((runs_of(&app, JobName::Mail).await? > 0).then_some(())) })
        .await?;

    // A login (an argon2 hash: tens of milliseconds) is in flight when the stop comes.
    let login = {
        let client = app.client.clone();
        let url = app.url("/graphql");
        let body = json!({ "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
                           "variables": { "e": member.email, "p": member.password } });
        tokio::spawn(async move { client.post(url).json(&body).send().await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    app.graphql("query LastWords { __typename }", json!({})).await?.ok()?;
    let db = app.state.db.clone();
    app.shutdown().await?;

    let answered = login.await??;
    assert_eq!(answered.status(), 200, "the request in flight was answered");
    let body: serde_json::Value = answered.json().await?;
    assert!(body["data"]["login"]["token"].is_string(), "{body}");
    let refused = app.client.get(app.url("/healthz")).send().await;
    assert!(refused.is_err(), "no new connections after the stop");

    // The access log's queue was written before the process would exit.
    let rows = entity::access_log::Entity::find().all(&db).await?;
    assert!(rows.iter().any(|r| r.target == "graphql:LastWords"), "{rows:?}");
    // Every lease was handed back.
    let now = chrono::Utc::now();
    for lease in api::db::jobs::all(&db).await? {
        assert!(lease.lease_until <= now, "{} still leased", lease.name);
    }
    Ok(())
}
