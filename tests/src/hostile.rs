//! The hostile-input battery: each attack gets a clean refusal with the right code and
//! status, the server keeps answering, nothing leaks (no SQL, no stack, no internals) and
//! no row is lost. Tokens (forged, expired, wrong issuer, wrong `kid`, `alg: none`) are in
//! `tokens.rs`, uploads that lie about their type in `photos.rs` and `security_reports.rs`,
//! the property-based fuzzing of the parser and the tripwire in `api/src/fuzz.rs`.

use anyhow::{Context, Result};
use serde_json::{Value, json};
use shared::Role;
use tests::{Gql, TestApp};

const READ: &str = "{ specialties { name } }";

/// Words that must never reach a client: the database, the driver, Rust internals.
const LEAKS: [&str; 9] = [
    "sqlx",
    "SQLITE",
    "syntax error",
    "postgres",
    "panicked",
    "RUST_BACKTRACE",
    "src/",
    "DbErr",
    "relation \"",
];

fn assert_clean(body: &str, what: &str) {
    for word in LEAKS {
        assert!(!body.contains(word), "{what}: the answer leaks {word:?}: {body}");
    }
}

/// POSTs `body` as `content_type`; the status, the first error code and the raw body.
async fn post_raw(app: &TestApp, content_type: &str, body: Vec<u8>) -> Result<(u16, Option<String>, String)> {
    let response = app
        .send(
            app.client
                .post(app.url("/graphql"))
                .header("content-type", content_type)
                .body(body),
        )
        .await?;
    let status = response.status().as_u16();
    let text = response.text().await?;
    let code = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v["errors"][0]["extensions"]["code"].as_str().map(str::to_owned));
    Ok((status, code, text))
}

#[tokio::test]
async fn malformed_bodies_get_clean_refusals() -> Result<()> {
    let app = TestApp::spawn().await?;
    let members_before = app.count("SELECT COUNT(*) AS n FROM member").await?;
    let deep = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_variables = format!(
        "{{\"query\": \"{{ specialties {{ name }} }}\", \"variables\": {{\"v\": {}1{}}}}}",
        "{\"a\":".repeat(10_000),
        "}".repeat(10_000)
    );
    let cases: Vec<(&str, &str, Vec<u8>, u16, &str)> = vec![
        (
            "malformed JSON",
            "application/json",
            b"{\"query\": ".to_vec(),
            400,
            "VALIDATION",
        ),
        (
            "invalid UTF-8",
            "application/json",
            b"{\"query\": \"\xff\xfe\"}".to_vec(),
            400,
            "VALIDATION",
        ),
        (
            "10,000-deep array",
            "application/json",
            deep.into_bytes(),
            400,
            "VALIDATION",
        ),
        (
            "10,000-deep variables",
            "application/json",
            deep_variables.into_bytes(),
            400,
            "VALIDATION",
        ),
        (
            "text/plain",
            "text/plain",
            br#"{"query": "{ me { email } }"}"#.to_vec(),
            415,
            "VALIDATION",
        ),
        ("XML", "application/xml", b"<query/>".to_vec(), 415, "VALIDATION"),
        (
            "form",
            "application/x-www-form-urlencoded",
            b"query=x".to_vec(),
            415,
            "VALIDATION",
        ),
        (
            "no query",
            "application/json",
            b"{\"variables\": {}}".to_vec(),
            400,
            "VALIDATION",
        ),
        ("a number", "application/json", b"42".to_vec(), 400, "VALIDATION"),
        ("an empty batch", "application/json", b"[]".to_vec(), 400, "VALIDATION"),
    ];
    for (what, content_type, body, status, code) in cases {
        let (got_status, got_code, text) = post_raw(&app, content_type, body).await?;
        assert_eq!(
            (got_status, got_code.as_deref()),
            (status, Some(code)),
            "{what}: {text}"
        );
        assert_clean(&text, what);
    }
    // 10 MiB of JSON: refused before it is read.
    let huge = json!({ "query": READ, "variables": { "pad": "x".repeat(10 * 1024 * 1024) } }).to_string();
    let (status, code, _) = post_raw(&app, "application/json", huge.into_bytes()).await?;
    assert_eq!((status, code.as_deref()), (413, Some("PAYLOAD_TOO_LARGE")));
    // A mutation over GET: 405, nothing runs.
    let get = app
        .send(
            app.client
                .get(app.url("/graphql"))
                .query(&[("query", "mutation { logout }")]),
        )
        .await?;
    assert_eq!(get.status(), 405);
    assert_eq!(get.headers().get("allow").and_then(|v| v.to_str().ok()), Some("POST"));
    // Still serving, nothing lost.
    app.graphql(READ, json!({})).await?.ok()?;
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM member").await?, members_before);
    Ok(())
}

#[tokio::test]
async fn documents_built_to_exhaust_the_server_are_refused_before_they_run() -> Result<()> {
    let app = TestApp::spawn().await?;
    let depth_bomb = format!("{{ {}name{} }}", "me { ".repeat(50), " }".repeat(50));
    let aliases = (0..1000)
        .map(|i| format!("a{i}: specialties {{ name }}"))
        .collect::<Vec<_>>()
        .join(" ");
    let aliases = format!("{{ {aliases} }}");
    let cycle = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }";
    // Each fragment spreads the next twice: 2^30 copies of the last one's fields.
    let levels: Vec<String> = (0..30)
        .map(|level| {
            format!(
                "fragment F{level} on Query {{ ...F{next} ...F{next} }}",
                next = level + 1
            )
        })
        .collect();
    let fan_out = format!(
        "{{ ...F0 }} {} fragment F30 on Query {{ directory(first: 100) {{ nodes {{ displayName }} }} }}",
        levels.join(" ")
    );
    let cases: [(&str, &str, &str); 4] = [
        ("a depth bomb", depth_bomb.as_str(), "VALIDATION"),
        ("1,000 aliases", aliases.as_str(), "VALIDATION"),
        ("a fragment cycle", cycle, "VALIDATION"),
        ("fragment fan-out", fan_out.as_str(), "QUERY_TOO_COSTLY"),
    ];
    for (what, query, code) in cases {
        let started = std::time::Instant::now();
        let refused = app.graphql(query, json!({})).await?;
        assert_eq!(refused.code(), Some(code), "{what}: {}", refused.body);
        assert!(
            refused.body.get("data").is_none_or(Value::is_null),
            "{what}: nothing ran"
        );
        assert!(started.elapsed().as_secs() < 5, "{what} took {:?}", started.elapsed());
        assert_clean(&refused.body.to_string(), what);
    }
    // A 1,000-operation batch.
    let batch: Vec<Value> = (0..1000).map(|_| json!({ "query": READ })).collect();
    let response = app.send(app.client.post(app.url("/graphql")).json(&batch)).await?;
    assert_eq!(response.status(), 400);
    assert_eq!(Gql::read(response).await?.code(), Some("VALIDATION"));
    // `first` out of range, in both directions, on every paginated root field tried.
    for first in [100_000, -1, 0] {
        let refused = app
            .graphql(
                "query($n: Int) { directory(first: $n) { totalCount } }",
                json!({ "n": first }),
            )
            .await?;
        assert_eq!(
            (refused.code(), refused.field()),
            (Some("VALIDATION"), Some("first")),
            "first: {first}: {}",
            refused.body
        );
    }
    app.graphql(READ, json!({})).await?.ok()?;
    Ok(())
}

#[tokio::test]
async fn a_flood_from_one_address_is_throttled_and_others_are_served() -> Result<()> {
    let app = TestApp::spawn_with(|s| s.trusted_proxy = Some([127, 0, 0, 1].into())).await?;
    let mut answered = 0;
    let mut throttled = 0;
    for _ in 0..600 {
        let response = app.graphql_from("203.0.113.200", None, READ, json!({})).await?;
        match response.code() {
            None => answered += 1,
            Some("RATE_LIMITED") => {
                assert_eq!(response.status, 429);
                assert!(response.headers.get("retry-after").is_some());
                throttled += 1;
            }
            other => panic!("unexpected answer {other:?}: {}", response.body),
        }
    }
    // 300 a minute, all available at once, one more every 200 ms while the flood lasts.
    assert!((300..=330).contains(&answered), "{answered} answered");
    assert_eq!(answered + throttled, 600);
    app.graphql_from("203.0.113.201", None, READ, json!({})).await?.ok()?;
    Ok(())
}

/// A GraphQL type reference from introspection, flattened: (name, kind, non-null).
fn named(ty: &Value) -> (String, String, bool) {
    let mut ty = ty;
    let non_null = ty["kind"] == "NON_NULL";
    while ty["ofType"].is_object() {
        ty = &ty["ofType"];
    }
    (
        ty["name"].as_str().unwrap_or_default().to_owned(),
        ty["kind"].as_str().unwrap_or_default().to_owned(),
        non_null,
    )
}

const INJECTION: &str = "x' OR '1'='1'; DROP TABLE member; --";

/// A literal for an argument of type `ty`: the injection for every string, the simplest
/// valid value otherwise; `None` when the argument cannot be written (an upload).
fn literal(ty: &Value, types: &[Value], depth: usize) -> Option<String> {
    let (name, kind, _) = named(ty);
    let list = ty.to_string().contains("\"LIST\"");
    let one = match (kind.as_str(), name.as_str()) {
        (_, "Upload") => return None,
        (_, "String" | "ID") => serde_json::to_string(INJECTION).ok()?,
        (_, "Int") => "1".to_owned(),
        (_, "Float") => "1.0".to_owned(),
        (_, "Boolean") => "true".to_owned(),
        (_, "NaiveDate") => "\"2026-01-01\"".to_owned(),
        (_, "DateTime") => "\"2026-01-01T00:00:00Z\"".to_owned(),
        ("ENUM", _) => types
            .iter()
            .find(|t| t["name"] == name)
            .and_then(|t| t["enumValues"][0]["name"].as_str())?
            .to_owned(),
        ("INPUT_OBJECT", _) if depth < 3 => {
            let fields = types.iter().find(|t| t["name"] == name)?["inputFields"]
                .as_array()?
                .clone();
            let written: Vec<String> = fields
                .iter()
                .filter_map(|f| {
                    Some(format!(
                        "{}: {}",
                        f["name"].as_str()?,
                        literal(&f["type"], types, depth + 1)?
                    ))
                })
                .collect();
            format!("{{ {} }}", written.join(", "))
        }
        (_, other) => serde_json::to_string(&format!("{INJECTION} {other}")).ok()?,
    };
    Some(if list { format!("[{one}]") } else { one })
}

#[tokio::test]
async fn injection_strings_in_every_string_argument_of_the_schema_are_refused_cleanly() -> Result<()> {
    let app = TestApp::spawn_with(|s| s.trusted_proxy = Some([127, 0, 0, 1].into())).await?;
    let admin = app.new_with_role(Role::Admin).await?;
    let schema = app
        .graphql(
            "{ __schema { types { name kind enumValues { name } inputFields { name type { ...T } } fields { name args { name type { ...T } } type { ...T } } } } } \
             fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }",
            json!({}),
        )
        .await?
        .ok()?;
    let types = schema.data("__schema.types")?.as_array().context("types")?.clone();
    let members_before = app.count("SELECT COUNT(*) AS n FROM member").await?;
    let mut tried = 0;
    for (root, keyword) in [("Query", "query"), ("Mutation", "mutation")] {
        let fields = types
            .iter()
            .find(|t| t["name"] == root)
            .and_then(|t| t["fields"].as_array())
            .context("root fields")?;
        for field in fields {
            let name = field["name"].as_str().unwrap_or_default();
            let args = field["args"].as_array().cloned().unwrap_or_default();
            let has_text = args.iter().any(|a| {
                let (ty, _, _) = named(&a["type"]);
                ty == "String" || ty == "ID" || a["type"].to_string().contains("INPUT_OBJECT")
            });
            // Logging out would end the admin's session for the fields after it.
            if !has_text || name == "logout" {
                continue;
            }
            let Some(written): Option<Vec<String>> = args
                .iter()
                .map(|a| Some(format!("{}: {}", a["name"].as_str()?, literal(&a["type"], &types, 0)?)))
                .collect()
            else {
                continue;
            };
            let (_, kind, _) = named(&field["type"]);
            let selection = if matches!(kind.as_str(), "OBJECT" | "INTERFACE" | "UNION") {
                " { __typename }"
            } else {
                ""
            };
            let query = format!("{keyword} {{ {name}({}){selection} }}", written.join(", "));
            tried += 1;
            // A fresh address each time: a tripped wire blocks only the one that sent it.
            let ip = format!("198.18.{}.{}", tried / 250, tried % 250 + 1);
            for token in [None, Some(admin.token.as_str())] {
                let answer = app.graphql_from(&ip, token, &query, json!({})).await;
                let answer = answer.with_context(|| format!("{name}: no answer"))?;
                assert!(
                    answer.status.as_u16() < 500,
                    "{name}: {} {}",
                    answer.status,
                    answer.body
                );
                assert_ne!(answer.code(), Some("INTERNAL"), "{name}: {}", answer.body);
                assert_clean(&answer.body.to_string(), name);
                if answer.code() == Some("BLOCKED") {
                    break;
                }
            }
        }
    }
    assert!(tried > 60, "{tried} fields tried");
    assert!(
        app.count("SELECT COUNT(*) AS n FROM member").await? >= members_before,
        "no row lost"
    );
    app.graphql_from("198.19.0.1", None, READ, json!({})).await?.ok()?;
    Ok(())
}
