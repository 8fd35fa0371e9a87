//! The SQL-injection tripwire (P2): its corpora both ways, and what a client that trips it
//! sees (a refusal, its connection closed, its address blocked, an audit row).

use anyhow::Result;
use api::services::security::tripwire::signature_of;
use serde_json::json;
use tests::TestApp;
use tests::harness::workspace_root;

fn corpus(name: &str) -> Result<Vec<String>> {
    let path = workspace_root().join("tests/corpus/sql-injection").join(name);
    let text = std::fs::read_to_string(&path)?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect())
}

#[test]
fn every_attack_of_the_corpus_is_caught_and_no_legitimate_text_is() -> Result<()> {
    let attacks = corpus("attacks.txt")?;
    let legitimate = corpus("legitimate.txt")?;
    assert!(attacks.len() >= 150, "{} attack strings", attacks.len());
    assert!(legitimate.len() >= 300, "{} legitimate strings", legitimate.len());
    let missed: Vec<&String> = attacks.iter().filter(|a| signature_of(a).is_none()).collect();
    let refused: Vec<(&String, &str)> = legitimate
        .iter()
        .filter_map(|l| signature_of(l).map(|s| (l, s.as_str())))
        .collect();
    assert!(missed.is_empty(), "attacks not caught: {missed:#?}");
    assert!(refused.is_empty(), "legitimate text refused: {refused:#?}");
    Ok(())
}

const SEARCH: &str = "query($q: String) { directory(query: $q) { totalCount } }";

fn trusting_the_proxy(settings: &mut api::config::Settings) {
    settings.trusted_proxy = Some([127, 0, 0, 1].into());
}

#[tokio::test]
async fn an_injection_in_a_search_is_refused_and_its_address_blocked_and_audited() -> Result<()> {
    let app = TestApp::spawn_with(trusting_the_proxy).await?;
    let attacker = "203.0.113.5";
    // Ordinary names with apostrophes and SQL words pass.
    for text in ["O'Brien", "Rock 'n' Roll Fitness", "select your union dues"] {
        app.graphql_from(attacker, None, SEARCH, json!({ "q": text }))
            .await?
            .ok()?;
    }
    let refused = app
        .graphql_from(
            attacker,
            None,
            SEARCH,
            json!({ "q": "x' UNION SELECT email FROM member--" }),
        )
        .await?;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.code(), Some("BLOCKED"), "{}", refused.body);
    assert_eq!(refused.body["errors"][0]["extensions"]["retryAfter"], 15 * 60);
    assert!(refused.body.get("data").is_none());
    // Every later request from that address is refused, any operation; others pass.
    let after = app
        .graphql_from(attacker, None, "{ specialties { name } }", json!({}))
        .await?;
    assert_eq!(
        (after.status.as_u16(), after.code()),
        (403, Some("BLOCKED")),
        "{}",
        after.body
    );
    app.graphql_from("198.51.100.20", None, "{ specialties { name } }", json!({}))
        .await?
        .ok()?;
    // The audit row names what was found and where, not the value.
    let rows = app
        .count("SELECT COUNT(*) AS n FROM audit_event WHERE kind = 'injection_blocked' AND ip = '203.0.113.5'")
        .await?;
    assert_eq!(rows, 1);
    let text = app.database_text().await?;
    assert!(
        text.contains("union select in directory(query:)"),
        "the detail names the argument"
    );
    assert!(
        !text.contains("FROM member--"),
        "the attack string itself is not stored"
    );
    Ok(())
}

#[tokio::test]
async fn stored_free_text_about_sql_injection_is_accepted() -> Result<()> {
    let app = TestApp::spawn().await?;
    let member = app.new_member().await?;
    let written = "I found that ' OR '1'='1 in the search box returns every trainer; also try '; DROP TABLE member; --";
    let request = app
        .graphql_as(
            &member.token,
            "mutation($m: String) { requestErasure(message: $m) { id } }",
            json!({ "m": written }),
        )
        .await?
        .ok()?;
    assert!(request.data("requestErasure.id").is_ok());
    // And the member is not blocked.
    app.graphql_as(&member.token, "{ me { email } }", json!({}))
        .await?
        .ok()?;
    Ok(())
}

#[tokio::test]
async fn the_connection_of_a_tripped_request_is_closed() -> Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn().await?;
    let body = json!({ "query": "{ profile(slug: \"x'; drop table member; --\") { slug } }" }).to_string();
    let address = app
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await?;
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nConnection: keep-alive\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    // The server answers and then closes: reading reaches the end instead of waiting.
    let mut answer = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(5), stream.read_to_end(&mut answer)).await??;
    let answer = String::from_utf8_lossy(&answer).to_lowercase();
    assert!(answer.starts_with("http/1.1 403"), "{answer}");
    assert!(answer.contains("connection: close"), "{answer}");
    assert!(answer.contains("\"blocked\""), "{answer}");
    Ok(())
}

#[tokio::test]
async fn listed_networks_are_refused_for_good_but_the_probes_answer() -> Result<()> {
    let app = TestApp::spawn_with(|s| {
        trusting_the_proxy(s);
        s.limits.blocked_networks = vec!["198.51.100.0/24".parse().unwrap_or_else(|_| ipnet::IpNet::default())];
    })
    .await?;
    let blocked = app
        .graphql_from("198.51.100.77", None, "{ specialties { name } }", json!({}))
        .await?;
    assert_eq!(
        (blocked.status.as_u16(), blocked.code()),
        (403, Some("BLOCKED")),
        "{}",
        blocked.body
    );
    assert!(
        blocked.body["errors"][0]["extensions"].get("retryAfter").is_none(),
        "for good"
    );
    let page = app
        .send(
            app.client
                .get(app.url("/trainers/someone"))
                .header("X-Forwarded-For", "198.51.100.77"),
        )
        .await?;
    assert_eq!(page.status(), 403, "the web app too");
    let probe = app
        .send(
            app.client
                .get(app.url("/healthz"))
                .header("X-Forwarded-For", "198.51.100.77"),
        )
        .await?;
    assert_eq!(probe.status(), 200);
    app.graphql_from("198.51.101.1", None, "{ specialties { name } }", json!({}))
        .await?
        .ok()?;
    Ok(())
}
