//! GraphQL over HTTP, the probes, robots.txt, the web app's fallback, and no cookies.

use anyhow::Result;
use serde_json::json;
use tests::{Gql, TestApp};

#[tokio::test]
async fn get_runs_queries_and_refuses_mutations() -> Result<()> {
    let app = TestApp::spawn().await?;
    let query = app
        .send(
            app.client
                .get(app.url("/graphql"))
                .query(&[("query", "{ me { email } }")]),
        )
        .await?;
    assert_eq!(query.status(), 200);
    let body = Gql::read(query).await?.ok()?;
    assert!(body.data("me")?.is_null());

    let mutation = app
        .send(
            app.client
                .get(app.url("/graphql"))
                .query(&[("query", "mutation { logout }")]),
        )
        .await?;
    assert_eq!(mutation.status(), 405);
    assert_eq!(
        mutation
            .headers()
            .get("allow")
            .map(reqwest::header::HeaderValue::as_bytes),
        Some(&b"POST"[..])
    );
    assert_eq!(Gql::read(mutation).await?.code(), Some("VALIDATION"));
    Ok(())
}

#[tokio::test]
async fn the_response_media_type_follows_the_accept_header() -> Result<()> {
    let app = TestApp::spawn().await?;
    let send = |accept: Option<&'static str>, query: &'static str| {
        let mut request = app.client.post(app.url("/graphql")).json(&json!({ "query": query }));
        if let Some(accept) = accept {
            request = request.header("Accept", accept);
        }
        app.send(request)
    };
    let content_type = |r: &reqwest::Response| {
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };

    let plain = send(None, "{ me { email } }").await?;
    assert!(content_type(&plain).starts_with("application/json"));

    let modern = send(
        Some("application/graphql-response+json, application/json;q=0.9"),
        "{ me { email } }",
    )
    .await?;
    assert_eq!(modern.status(), 200);
    assert!(content_type(&modern).starts_with("application/graphql-response+json"));

    let invalid_modern = send(Some("application/graphql-response+json"), "{ me { nope } }").await?;
    assert_eq!(invalid_modern.status(), 400, "a document that fails validation");
    let invalid_modern = Gql::read(invalid_modern).await?;
    assert_eq!(invalid_modern.code(), Some("VALIDATION"));
    assert!(
        invalid_modern.body.get("data").is_none(),
        "no `data` entry for a request that never ran: {}",
        invalid_modern.body
    );
    let unparsable_modern = Gql::read(send(Some("application/graphql-response+json"), "{ me { ").await?).await?;
    assert!(
        unparsable_modern.body.get("data").is_none(),
        "{}",
        unparsable_modern.body
    );
    assert_eq!(unparsable_modern.code(), Some("VALIDATION"));
    let ran_modern = Gql::read(send(Some("application/graphql-response+json"), "{ me { email } }").await?).await?;
    assert!(
        ran_modern.body.get("data").is_some(),
        "an operation that ran keeps its data"
    );

    let invalid_legacy = send(Some("application/json"), "{ me { nope } }").await?;
    assert_eq!(
        invalid_legacy.status(),
        200,
        "application/json keeps 200 for GraphQL errors"
    );
    let invalid_legacy = Gql::read(invalid_legacy).await?;
    assert_eq!(
        invalid_legacy.body.get("data"),
        Some(&serde_json::Value::Null),
        "application/json keeps `data: null` for older clients"
    );
    let unparsable = send(None, "{ me { ").await?;
    assert_eq!(Gql::read(unparsable).await?.code(), Some("VALIDATION"));
    Ok(())
}

#[tokio::test]
async fn malformed_requests_get_json_errors() -> Result<()> {
    let app = TestApp::spawn().await?;
    let raw = |body: &'static str, content_type: &'static str| {
        app.send(
            app.client
                .post(app.url("/graphql"))
                .header("Content-Type", content_type)
                .body(body),
        )
    };
    let not_json = raw("{ not json", "application/json").await?;
    assert_eq!(not_json.status(), 400);
    assert_eq!(Gql::read(not_json).await?.code(), Some("VALIDATION"));

    let not_graphql = raw(r#"{"hello": "world"}"#, "application/json").await?;
    assert_eq!(not_graphql.status(), 400);
    assert_eq!(Gql::read(not_graphql).await?.code(), Some("VALIDATION"));

    let form = raw("query=%7Bme%7D", "application/x-www-form-urlencoded").await?;
    assert_eq!(form.status(), 415);
    assert_eq!(Gql::read(form).await?.code(), Some("VALIDATION"));

    let put = app.send(app.client.put(app.url("/graphql")).body("{}")).await?;
    assert_eq!(put.status(), 405);
    Ok(())
}

#[tokio::test]
async fn batches_run_up_to_the_limit() -> Result<()> {
    let app = TestApp::spawn().await?;
    let two = json!([{ "query": "{ me { email } }" }, { "query": "query Second { me { email } }" }]);
    let response = app.send(app.client.post(app.url("/graphql")).json(&two)).await?;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await?;
    assert_eq!(body.as_array().map(Vec::len), Some(2));

    let eleven: Vec<_> = (0..11).map(|_| json!({ "query": "{ me { email } }" })).collect();
    let response = app.send(app.client.post(app.url("/graphql")).json(&eleven)).await?;
    assert_eq!(response.status(), 400);
    assert_eq!(Gql::read(response).await?.code(), Some("VALIDATION"));
    Ok(())
}

#[tokio::test]
async fn probes_and_robots_answer() -> Result<()> {
    let app = TestApp::spawn().await?;
    let health = app.send(app.client.get(app.url("/healthz"))).await?;
    assert_eq!(health.status(), 200);
    let ready = app.send(app.client.get(app.url("/readyz"))).await?;
    assert_eq!(ready.status(), 200);
    let robots = app.send(app.client.get(app.url("/robots.txt"))).await?.text().await?;
    assert!(robots.contains("User-agent: *"));
    assert!(robots.contains("Disallow: /graphql"));
    let graphiql = app.send(app.client.get(app.url("/graphiql"))).await?;
    assert_eq!(graphiql.status(), 200);
    assert!(graphiql.text().await?.contains("/graphiql/start.js"));
    let start = app.send(app.client.get(app.url("/graphiql/start.js"))).await?;
    assert_eq!(start.status(), 200);
    assert!(start.text().await?.contains("url: \"/graphql\""));
    Ok(())
}

#[tokio::test]
async fn client_routes_fall_back_to_the_web_app() -> Result<()> {
    let web = tempfile::tempdir()?;
    std::fs::write(
        web.path().join("index.html"),
        "<!doctype html><title>CPTN test shell</title>",
    )?;
    std::fs::write(web.path().join("app.js"), "console.log('app')")?;
    let dir = web.path().to_path_buf();
    let app = TestApp::spawn_with(move |s| s.web_dir = dir).await?;
    for path in ["/", "/account", "/login"] {
        let page = app.send(app.client.get(app.url(path))).await?;
        assert_eq!(page.status(), 200, "{path}");
        assert!(page.text().await?.contains("CPTN test shell"), "{path}");
    }
    let asset = app.send(app.client.get(app.url("/app.js"))).await?.text().await?;
    assert_eq!(asset, "console.log('app')");
    Ok(())
}

#[tokio::test]
async fn no_endpoint_ever_sets_a_cookie() -> Result<()> {
    // `TestApp::send` fails on any Set-Cookie; this walks every kind of endpoint once,
    // logged out and logged in, including login and logout themselves.
    let app = TestApp::spawn().await?;
    let member = app.new_member().await?;
    for path in [
        "/",
        "/account",
        "/graphiql",
        "/healthz",
        "/readyz",
        "/robots.txt",
        "/graphql?query=%7Bme%7Bemail%7D%7D",
    ] {
        app.send(app.client.get(app.url(path))).await?;
        app.send(app.client.get(app.url(path)).bearer_auth(&member.token))
            .await?;
    }
    app.graphql_as(&member.token, "mutation { renewToken { token } }", json!({}))
        .await?;
    app.login(&member.email, "wrong passphrase").await?;
    let fresh = app.login(&member.email, &member.password).await?.ok()?;
    app.graphql_as(fresh.str("login.token")?, "mutation { logout }", json!({}))
        .await?
        .ok()?;
    Ok(())
}

#[tokio::test]
async fn every_response_carries_the_hardening_headers_and_no_server_version() -> Result<()> {
    let app = TestApp::spawn().await?;
    for path in [
        "/",
        "/graphql?query=%7B__typename%7D",
        "/healthz",
        "/robots.txt",
        "/trainers/nobody",
    ] {
        let response = app.send(app.client.get(app.url(path))).await?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .unwrap_or_default()
        };
        let csp = header("content-security-policy");
        for directive in [
            "default-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "'wasm-unsafe-eval'",
        ] {
            assert!(csp.contains(directive), "{path}: {directive} missing from {csp:?}");
        }
        assert!(!csp.contains("http"), "{path}: no external origin in {csp:?}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        assert!(header("permissions-policy").contains("camera=()"), "{path}");
        assert!(response.headers().get("server").is_none(), "{path}: no server header");
    }
    Ok(())
}

#[tokio::test]
async fn only_listed_origins_may_call_the_api_from_a_browser() -> Result<()> {
    let app = TestApp::spawn_with(|s| s.cors_origins = vec!["https://partner.example.org".to_owned()]).await?;
    let preflight = |origin: &str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization, content-type")
    };
    let allowed = app.send(preflight("https://partner.example.org")).await?;
    assert_eq!(allowed.status(), 204);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://partner.example.org"
    );
    assert!(
        allowed.headers()["access-control-allow-headers"]
            .to_str()?
            .contains("authorization")
    );
    let refused = app.send(preflight("https://evil.example.net")).await?;
    assert!(refused.headers().get("access-control-allow-origin").is_none());
    // A simple request from a listed origin is answered with its origin, never `*`.
    let query = app
        .send(
            app.client
                .post(app.url("/graphql"))
                .header("Origin", "https://partner.example.org")
                .json(&json!({ "query": "{ __typename }" })),
        )
        .await?;
    assert_eq!(
        query.headers()["access-control-allow-origin"],
        "https://partner.example.org"
    );
    let other = app
        .send(
            app.client
                .post(app.url("/graphql"))
                .header("Origin", "https://evil.example.net")
                .json(&json!({ "query": "{ __typename }" })),
        )
        .await?;
    assert!(other.headers().get("access-control-allow-origin").is_none());
    // With no list (the default), nobody.
    let closed = TestApp::spawn().await?;
    let answer = closed
        .send(
            closed
                .client
                .request(reqwest::Method::OPTIONS, closed.url("/graphql"))
                .header("Origin", "https://partner.example.org")
                .header("Access-Control-Request-Method", "POST"),
        )
        .await?;
    assert!(answer.headers().get("access-control-allow-origin").is_none());
    Ok(())
}

#[tokio::test]
async fn an_operation_past_the_time_limit_is_refused_and_writes_nothing() -> Result<()> {
    // A millisecond: less than the password hashing of a registration takes.
    let app = TestApp::spawn_with(|s| s.limits.request_timeout = std::time::Duration::from_millis(1)).await?;
    let register = app
        .register("slow@example.org", "a perfectly fine passphrase", "Slow Poke")
        .await?;
    assert_eq!(register.code(), Some("TIMEOUT"), "{}", register.body);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM member WHERE email = 'slow@example.org'")
            .await?,
        0,
        "the interrupted registration left no row"
    );
    Ok(())
}
