//! Tests that mean something only on PostgreSQL, compiled in only for the PostgreSQL run
//! (`--features tests/postgres`, which `scripts/test.sh` adds with `TEST_DATABASE_URL`), so
//! that the SQLite run neither runs nor counts them.

use crate::search::{DIRECTORY, trainer};
use anyhow::{Context, Result};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Statement};
use serde_json::json;
use std::time::Duration;
use tests::TestApp;

/// The PostgreSQL id of the backend that serves the directory's reads next.
async fn reads_backend(app: &TestApp) -> Result<i32> {
    let row = app
        .state
        .reads
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT pg_backend_pid() AS pid",
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no row"))?;
    Ok(row.try_get::<i32>("", "pid")?)
}

/// PostgreSQL only: a server whose directory reads may open `connections`, with one
/// trainer, after one page found them (so one read connection waits, idle).
async fn app_with_one_page_read(connections: u32) -> Result<TestApp> {
    let app = TestApp::spawn_with(|s| s.db_pool_size = connections).await?;
    trainer(&app, "Ada Lovelace", "Ottawa", &["yoga"], "Classes.", None).await?;
    app.graphql(DIRECTORY, json!({ "q": "ada" })).await?.ok()?;
    Ok(app)
}

/// On PostgreSQL the directory's reads have connections of their own (`db::reads`), given
/// back without sqlx's round trip; one whose statement was abandoned must not be reused,
/// nor keep its place. (On SQLite these reads go through the general pool.)
#[tokio::test]
async fn pages_abandoned_mid_statement_leave_the_next_ones_working() -> Result<()> {
    let app = app_with_one_page_read(2).await?;
    assert_eq!(
        app.state.reads.idle_connections(),
        1,
        "the page's connection waits for the next"
    );

    // More abandoned statements than there are connections: each must give its place back.
    for _ in 0..3 {
        let slow = Statement::from_string(DbBackend::Postgres, "SELECT pg_sleep(2)");
        let abandoned = tokio::time::timeout(Duration::from_millis(100), app.state.reads.query_all_raw(slow)).await;
        assert!(abandoned.is_err(), "the statement was still running when dropped");
    }
    assert_eq!(
        app.state.reads.idle_connections(),
        0,
        "a connection left mid-statement is closed, not reused"
    );
    let pages = tokio::time::timeout(Duration::from_secs(5), async {
        tokio::join!(
            app.graphql(DIRECTORY, json!({ "q": "ada" })),
            app.graphql(DIRECTORY, json!({ "q": "ada" })),
            app.graphql(DIRECTORY, json!({ "q": "lovelace" })),
        )
    })
    .await?;
    for page in [pages.0?, pages.1?, pages.2?] {
        assert_eq!(page.ok()?.data("directory.totalCount")?, &json!(1));
    }
    Ok(())
}

#[tokio::test]
async fn a_read_connection_the_database_ended_is_replaced_unseen() -> Result<()> {
    let app = app_with_one_page_read(1).await?;
    let ended = reads_backend(&app).await?;

    // As when the database restarts, or an operator ends the session.
    app.state
        .db
        .execute_unprepared(&format!("SELECT pg_terminate_backend({ended})"))
        .await?;
    app.eventually(|| async {
        let still = app
            .state
            .db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                format!("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE pid = {ended}"),
            ))
            .await?
            .map(|row| row.try_get::<i64>("", "n"))
            .transpose()?;
        Ok((still == Some(0)).then_some(()))
    })
    .await?;

    let page = app.graphql(DIRECTORY, json!({ "q": "ada" })).await?.ok()?;
    assert_eq!(
        page.data("directory.totalCount")?,
        &json!(1),
        "the visitor sees no error"
    );
    assert_ne!(
        reads_backend(&app).await?,
        ended,
        "the ended connection is gone from the pool"
    );
    Ok(())
}

/// PostgreSQL only: searched by the name of their city (equally relevant to every trainer
/// there: `ts_rank` ignores document length), the sample trainers come in the order of
/// their search ranks, which the index entries must carry. (SQLite's `bm25()` weighs each
/// trainer's document length, so bios reorder them there.)
#[tokio::test]
async fn sample_trainers_searched_by_their_city_come_in_rank_order() -> Result<()> {
    let app = TestApp::spawn().await?;
    api::services::seed::seed_demo(&app.state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    api::services::sample_directory::seed(&app.state.db, 40)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let members = entity::member::Entity::find().all(&app.state.db).await?;
    let profiles = entity::directory_profile::Entity::find().all(&app.state.db).await?;
    let mut by_city: std::collections::BTreeMap<&str, Vec<&entity::directory_profile::Model>> =
        std::collections::BTreeMap::new();
    let sample_members: Vec<i64> = members
        .iter()
        .filter(|m| m.email.ends_with("@sample.cptn.example"))
        .map(|m| m.id)
        .collect();
    // Cities of sample trainers only (a demo trainer's bio may name their city).
    let demo_cities: Vec<&str> = profiles
        .iter()
        .filter(|p| !sample_members.contains(&p.member_id))
        .map(|p| p.city.as_str())
        .collect();
    for p in profiles.iter().filter(|p| !demo_cities.contains(&p.city.as_str())) {
        by_city.entry(p.city.as_str()).or_default().push(p);
    }
    let (city, trainers) = by_city
        .iter()
        .filter(|(city, _)| city.chars().all(char::is_alphabetic))
        .max_by_key(|(_, ps)| ps.len())
        .context("a city")?;
    assert!(trainers.len() >= 3, "the sample puts several trainers in {city}");
    let found = app
        .graphql(
            "query($q: String) { directory(query: $q, first: 100) { edges { node { slug } } } }",
            json!({ "q": city }),
        )
        .await?
        .ok()?;
    let ranks: Vec<i64> = found
        .data("directory.edges")?
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| trainers.iter().find(|p| e["node"]["slug"] == p.slug.as_str()))
        .map(|p| p.search_rank)
        .collect();
    assert_eq!(ranks.len(), trainers.len(), "everyone in {city} is found");
    assert!(
        ranks.windows(2).all(|w| w[0] >= w[1]),
        "{city}: ranks in result order {ranks:?}"
    );
    Ok(())
}
