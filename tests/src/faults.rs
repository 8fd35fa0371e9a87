//! Load with faults, PostgreSQL only: mixed reads and writes at 32 connections for 60 s,
//! the database connection cut twice through a proxy the test controls. No acknowledged
//! write is lost, every error a client sees is a clean `INTERNAL` or `RATE_LIMITED`, and
//! the server serves again once the database is back.

use anyhow::{Context, Result};
use sea_orm::ConnectionTrait as _;
use secrecy::ExposeSecret;
use serde_json::json;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tests::TestApp;
use tests::harness::TcpProxy;

const CONNECTIONS: usize = 32;
const RUN: Duration = Duration::from_mins(1);
/// When the two cuts start, and how long each lasts.
const CUTS: [Duration; 2] = [Duration::from_secs(15), Duration::from_secs(35)];
const CUT_FOR: Duration = Duration::from_secs(4);

const READ: &str = "{ specialties { name } directory(first: 5) { totalCount } }";
const WRITE: &str = "mutation($p: String!) { recordPageView(path: $p) }";

/// What the clients saw.
#[derive(Default)]
struct Seen {
    acknowledged: HashSet<String>,
    reads: u64,
    /// Clean refusals (`INTERNAL`, `RATE_LIMITED`): the cuts were felt.
    refused: u64,
    errors: Vec<String>,
    /// Successes after the last restore: the server recovered.
    after_last_restore: u64,
}

/// One client: two reads then a write (a page view with a path of its own), until the
/// run ends; what it saw goes into `seen`.
async fn load(
    client: usize,
    http: reqwest::Client,
    url: String,
    seen: Arc<Mutex<Seen>>,
    started: Instant,
    last_restore: Instant,
) {
    let mut n = 0_u64;
    while started.elapsed() < RUN {
        n += 1;
        let path = format!("/load/{client}/{n}");
        let (body, write) = if n.is_multiple_of(3) {
            (json!({ "query": WRITE, "variables": { "p": path } }), true)
        } else {
            (json!({ "query": READ }), false)
        };
        let outcome = match http.post(&url).json(&body).send().await {
            Ok(response) => response.json::<serde_json::Value>().await.map_err(|e| e.to_string()),
            Err(e) => Err(format!("no answer: {e}")),
        };
        let Ok(mut seen) = seen.lock() else { return };
        match outcome {
            Ok(answer) => match answer["errors"][0]["extensions"]["code"].as_str() {
                None => {
                    if write {
                        seen.acknowledged.insert(path);
                    } else {
                        seen.reads += 1;
                    }
                    if Instant::now() > last_restore {
                        seen.after_last_restore += 1;
                    }
                }
                Some("INTERNAL" | "RATE_LIMITED") => seen.refused += 1,
                Some(other) => seen.errors.push(format!("{other}: {answer}")),
            },
            Err(e) => seen.errors.push(e),
        }
    }
}

#[tokio::test]
async fn under_load_cutting_the_database_twice_loses_no_acknowledged_write() -> Result<()> {
    let proxy_cell: Arc<Mutex<Option<TcpProxy>>> = Arc::default();
    // The server reaches its database through the proxy.
    let target = {
        let url = std::env::var("TEST_DATABASE_URL").context("the PostgreSQL run sets TEST_DATABASE_URL")?;
        let host = url
            .split('@')
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .context("host:port")?;
        host.to_owned()
    };
    let proxy = TcpProxy::start(target.clone()).await?;
    let proxy_port = proxy.port;
    let app = TestApp::spawn_with(|s| {
        let through_proxy = s
            .database_url
            .expose_secret()
            .replace(&target, &format!("127.0.0.1:{proxy_port}"));
        s.database_url = through_proxy.into();
        s.limits.anonymous_per_minute = 1_000_000;
        s.limits.mutations_per_minute = 1_000_000;
        s.limits.request_timeout = Duration::from_secs(30);
    })
    .await?;
    if let Ok(mut cell) = proxy_cell.lock() {
        *cell = Some(proxy);
    }
    let seen = Arc::new(Mutex::new(Seen::default()));
    let started = Instant::now();
    let last_restore = started + CUTS[1] + CUT_FOR;
    let clients: Vec<_> = (0..CONNECTIONS)
        .map(|client| {
            let (http, url, seen) = (app.client.clone(), app.url("/graphql"), seen.clone());
            tokio::spawn(load(client, http, url, seen, started, last_restore))
        })
        .collect();
    for cut in CUTS {
        tokio::time::sleep_until((started + cut).into()).await;
        proxy_cell.lock().ok().and_then(|p| p.as_ref().map(TcpProxy::cut));
        tokio::time::sleep(CUT_FOR).await;
        proxy_cell.lock().ok().and_then(|p| p.as_ref().map(TcpProxy::restore));
    }
    for client in clients {
        client.await?;
    }
    let seen = Arc::try_unwrap(seen)
        .ok()
        .and_then(|m| m.into_inner().ok())
        .context("the clients are done")?;
    assert!(
        seen.errors.is_empty(),
        "unclean answers: {:?}",
        &seen.errors[..seen.errors.len().min(5)]
    );
    assert!(seen.refused > 0, "the cuts reached the clients as clean errors");
    assert!(
        seen.after_last_restore > 100,
        "served again after the database came back"
    );
    assert!(seen.acknowledged.len() > 100 && seen.reads > 100, "load ran");

    // Every acknowledged write is in the database.
    let rows = app
        .state
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT detail FROM audit_event WHERE kind = 'page_viewed' AND detail LIKE '/load/%'",
        ))
        .await?;
    let stored: HashSet<String> = rows
        .iter()
        .filter_map(|row| row.try_get::<String>("", "detail").ok())
        .collect();
    let lost: Vec<&String> = seen.acknowledged.iter().filter(|p| !stored.contains(*p)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged writes lost, e.g. {:?}",
        lost.len(),
        lost.first()
    );
    eprintln!(
        "load with faults: {} writes acknowledged, {} reads, {} clean refusals, {} stored",
        seen.acknowledged.len(),
        seen.reads,
        seen.refused,
        stored.len()
    );
    Ok(())
}
