//! Rate limits and blocks shared between servers through Redis (P18), and what a server
//! does when Redis goes away (per-server limits, said in `/readyz`). Each test starts a
//! `redis-server` of its own; the two servers have separate memory and one database, as
//! two processes behind a proxy do.

use anyhow::Result;
use serde_json::{Value, json};
use tests::TestApp;
use tests::harness::RedisServer;

const READ: &str = "{ specialties { name } }";

fn shared_through(redis: &RedisServer, anonymous_per_minute: u32) -> impl Fn(&mut api::config::Settings) {
    let url = redis.url();
    move |s| {
        s.trusted_proxy = Some([127, 0, 0, 1].into());
        s.redis_url = Some(url.clone().into());
        s.limits.anonymous_per_minute = anonymous_per_minute;
    }
}

async fn limits_of(app: &TestApp) -> Result<String> {
    let ready: Value = app.send(app.client.get(app.url("/readyz"))).await?.json().await?;
    Ok(ready["limits"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn two_servers_behind_a_proxy_share_each_budget_and_each_block() -> Result<()> {
    let redis = RedisServer::start()?;
    let first = TestApp::spawn_with(shared_through(&redis, 6)).await?;
    let second = first.spawn_sharing(shared_through(&redis, 6)).await?;
    assert_eq!(limits_of(&first).await?, "shared (redis)");

    // Six a minute from one address, whichever server answers: alone, each would allow six.
    let visitor = "203.0.113.9";
    for i in 0..6 {
        let server = if i % 2 == 0 { &first } else { &second };
        server.graphql_from(visitor, None, READ, json!({})).await?.ok()?;
    }
    for server in [&first, &second] {
        let refused = server.graphql_from(visitor, None, READ, json!({})).await?;
        assert_eq!(refused.code(), Some("RATE_LIMITED"), "{}", refused.body);
    }
    second.graphql_from("203.0.113.10", None, READ, json!({})).await?.ok()?;

    // An address blocked by one server's tripwire is blocked by the other too.
    let attacker = "198.51.100.66";
    let tripped = first
        .graphql_from(
            attacker,
            None,
            "query($q: String) { directory(query: $q) { totalCount } }",
            json!({ "q": "' or 1=1--" }),
        )
        .await?;
    assert_eq!(tripped.code(), Some("BLOCKED"), "{}", tripped.body);
    let elsewhere = second.graphql_from(attacker, None, READ, json!({})).await?;
    assert_eq!(elsewhere.code(), Some("BLOCKED"), "{}", elsewhere.body);
    let seconds = elsewhere.body["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .unwrap_or_default();
    assert!((14 * 60..=15 * 60).contains(&seconds), "{seconds} s left");
    Ok(())
}

#[tokio::test]
async fn without_redis_a_server_keeps_serving_with_limits_of_its_own_and_says_so() -> Result<()> {
    let mut redis = RedisServer::start()?;
    let app = TestApp::spawn_with(shared_through(&redis, 3)).await?;
    assert_eq!(limits_of(&app).await?, "shared (redis)");

    redis.stop();
    // Still serving, still limited: three a minute from one address, counted here.
    let visitor = "203.0.113.30";
    for _ in 0..3 {
        app.graphql_from(visitor, None, READ, json!({})).await?.ok()?;
    }
    let refused = app.graphql_from(visitor, None, READ, json!({})).await?;
    assert_eq!(refused.code(), Some("RATE_LIMITED"), "{}", refused.body);
    let ready = app.send(app.client.get(app.url("/readyz"))).await?;
    assert_eq!(ready.status(), 200, "ready: serving, with per-server limits");
    assert_eq!(limits_of(&app).await?, "per server: redis unreachable");

    // Back: shared again.
    redis.restart()?;
    assert_eq!(limits_of(&app).await?, "shared (redis)");
    app.graphql_from("203.0.113.31", None, READ, json!({})).await?.ok()?;
    Ok(())
}
