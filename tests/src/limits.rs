//! Request limits: body size, depth, aliases, and login throttling counted per attempt.

use anyhow::Result;
use serde_json::json;
use tests::{Gql, TestApp};

#[tokio::test]
async fn bodies_over_one_mebibyte_get_413() -> Result<()> {
    let app = TestApp::spawn().await?;
    let padding = "x".repeat(1024 * 1024);
    let body = json!({ "query": "{ me { email } }", "variables": { "padding": padding } });
    let response = app.send(app.client.post(app.url("/graphql")).json(&body)).await?;
    assert_eq!(response.status(), 413);
    assert_eq!(Gql::read(response).await?.code(), Some("PAYLOAD_TOO_LARGE"));

    let just_under = json!({ "query": "{ me { email } }", "variables": { "padding": "x".repeat(1000 * 1000) } });
    let response = app.send(app.client.post(app.url("/graphql")).json(&just_under)).await?;
    assert_eq!(response.status(), 200);
    Ok(())
}

/// A selection of made-up fields nested `depth` levels deep (the depth limit is checked
/// before the fields are looked up, so it shows on any document).
fn nested(depth: usize) -> String {
    let mut inner = "leaf".to_owned();
    for level in 1..depth {
        inner = format!("level{level} {{ {inner} }}");
    }
    format!("{{ {inner} }}")
}

fn message(response: &Gql) -> &str {
    response.body["errors"][0]["message"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn queries_deeper_than_ten_are_refused() -> Result<()> {
    let app = TestApp::spawn().await?;
    let ten = app.graphql(&nested(10), json!({})).await?;
    assert!(
        !message(&ten).contains("levels deep"),
        "depth 10 is allowed: {}",
        ten.body
    );
    // Twice: parsed documents are kept, and a kept one is still checked on every request.
    for _ in 0..2 {
        let eleven = app.graphql(&nested(11), json!({})).await?;
        assert_eq!(eleven.code(), Some("VALIDATION"), "{}", eleven.body);
        assert!(message(&eleven).contains("11 levels deep"), "{}", eleven.body);
        assert!(eleven.body.get("data").is_none_or(serde_json::Value::is_null));
    }
    Ok(())
}

/// The shape of graphql-js's `getIntrospectionQuery()`, which GraphiQL, Apollo, Postman,
/// `graphql_client` and cynic send: type references nine `ofType`s deep.
fn standard_introspection_query() -> String {
    let mut type_ref = "kind name".to_owned();
    for _ in 0..9 {
        type_ref = format!("kind name ofType {{ {type_ref} }}");
    }
    format!(
        "query IntrospectionQuery {{ __schema {{ queryType {{ name }} mutationType {{ name }} subscriptionType {{ name }} \
         types {{ ...FullType }} directives {{ name description locations args {{ ...InputValue }} }} }} }} \
         fragment FullType on __Type {{ kind name description \
           fields(includeDeprecated: true) {{ name description args {{ ...InputValue }} type {{ ...TypeRef }} isDeprecated deprecationReason }} \
           inputFields {{ ...InputValue }} interfaces {{ ...TypeRef }} \
           enumValues(includeDeprecated: true) {{ name description isDeprecated deprecationReason }} \
           possibleTypes {{ ...TypeRef }} }} \
         fragment InputValue on __InputValue {{ name description type {{ ...TypeRef }} defaultValue }} \
         fragment TypeRef on __Type {{ {type_ref} }}"
    )
}

#[tokio::test]
async fn integrators_tools_can_read_the_schema() -> Result<()> {
    let app = TestApp::spawn().await?;
    let query = standard_introspection_query();
    let schema = app.graphql(&query, json!({})).await?.ok()?;
    let types = schema.data("__schema.types")?.as_array().cloned().unwrap_or_default();
    assert!(
        types.iter().any(|t| t["name"] == "PublicProfile"),
        "the schema's types come back"
    );
    // GET too, as GraphiQL and curl users send it.
    let response = app
        .send(app.client.get(app.url("/graphql")).query(&[("query", query.as_str())]))
        .await?;
    assert_eq!(response.status(), 200);
    assert!(Gql::read(response).await?.errors().is_empty());

    // Introspection has limits of its own: lists inside lists multiply the answer.
    let fan_out = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
    let refused = app.graphql(fan_out, json!({})).await?;
    assert_eq!(refused.code(), Some("VALIDATION"), "{}", refused.body);
    assert!(message(&refused).contains("introspection"), "{}", refused.body);
    Ok(())
}

#[tokio::test]
async fn suggest_refuses_a_first_out_of_range_like_every_list() -> Result<()> {
    let app = TestApp::spawn().await?;
    for first in [0, 11, -1] {
        let response = app
            .graphql(
                "query($n: Int!) { suggest(prefix: \"to\", kind: CITY, first: $n) }",
                json!({ "n": first }),
            )
            .await?;
        assert_eq!(
            (response.code(), response.field()),
            (Some("VALIDATION"), Some("first")),
            "first = {first}: {}",
            response.body
        );
    }
    app.graphql("{ suggest(prefix: \"to\", kind: CITY, first: 10) }", json!({}))
        .await?
        .ok()?;
    Ok(())
}

#[tokio::test]
async fn more_than_thirty_aliases_are_refused() -> Result<()> {
    let app = TestApp::spawn().await?;
    let aliases = |n: usize| {
        let fields: Vec<String> = (0..n).map(|i| format!("a{i}: me {{ email }}")).collect();
        format!("{{ {} }}", fields.join(" "))
    };
    let thirty = app.graphql(&aliases(30), json!({})).await?;
    assert!(thirty.errors().is_empty(), "{}", thirty.body);
    for _ in 0..2 {
        let thirty_one = app.graphql(&aliases(31), json!({})).await?;
        assert_eq!(thirty_one.code(), Some("VALIDATION"), "refused every time");
    }
    // In a batch, only the operation over the limit is refused; its neighbours run.
    let batch = json!([{ "query": "{ __typename }" }, { "query": aliases(31) }, { "query": "{ __typename }" }]);
    let answers: serde_json::Value = app
        .send(app.client.post(app.url("/graphql")).json(&batch))
        .await?
        .json()
        .await?;
    assert_eq!(answers[0]["data"]["__typename"], "Query", "{answers}");
    assert_eq!(answers[1]["errors"][0]["extensions"]["code"], "VALIDATION", "{answers}");
    assert!(answers[1]["data"].is_null(), "{answers}");
    assert_eq!(answers[2]["data"]["__typename"], "Query", "{answers}");
    Ok(())
}

#[tokio::test]
async fn login_attempts_are_limited_per_account() -> Result<()> {
    let app = TestApp::spawn_with(|s| s.limits.login_account_burst = 3).await?;
    let member = app.new_member().await?; // one attempt spent
    app.login(&member.email, "wrong one").await?;
    app.login(&member.email, "wrong two").await?;
    let limited = app.login(&member.email, &member.password).await?;
    assert_eq!(limited.code(), Some("RATE_LIMITED"), "even the right password waits");
    let retry_after: u64 = limited
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!(retry_after >= 1, "Retry-After header is set");
    assert!(
        limited.body["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .unwrap_or(0)
            >= 1
    );

    let other = app.new_member().await?;
    app.login(&other.email, &other.password).await?.ok()?;
    Ok(())
}

#[tokio::test]
async fn aliased_and_batched_logins_each_count_as_an_attempt() -> Result<()> {
    let app = TestApp::spawn_with(|s| {
        s.limits.login_account_burst = 100;
        s.limits.login_ip_burst = 4;
    })
    .await?;
    let aliased = (0..3)
        .map(|i| format!("l{i}: login(email: \"ghost{i}@example.org\", password: \"wrong pw {i}\") {{ token }}"))
        .collect::<Vec<_>>()
        .join(" ");
    let response = app.graphql(&format!("mutation {{ {aliased} }}"), json!({})).await?;
    let codes: Vec<&str> = response
        .errors()
        .iter()
        .filter_map(|e| e["extensions"]["code"].as_str())
        .collect();
    assert_eq!(
        codes, ["UNAUTHENTICATED"; 3],
        "three attempts, within the IP budget of 4"
    );

    let batch: Vec<_> = (0..2)
        .map(|i| json!({ "query": format!("mutation {{ login(email: \"b{i}@example.org\", password: \"wrong pw\") {{ token }} }}") }))
        .collect();
    let response = app.send(app.client.post(app.url("/graphql")).json(&batch)).await?;
    let body: serde_json::Value = response.json().await?;
    let mut codes: Vec<&str> = body
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["errors"][0]["extensions"]["code"].as_str())
        .collect();
    // The operations of a batch may run concurrently; which one gets the last token varies.
    codes.sort_unstable();
    assert_eq!(
        codes,
        ["RATE_LIMITED", "UNAUTHENTICATED"],
        "the fifth attempt from this IP is refused"
    );
    Ok(())
}

/// Ten aliased directory pages of `first` cards each (the alias limit is thirty).
fn ten_pages(first: u32) -> String {
    let pages: Vec<String> = (0..10)
        .map(|i| format!("p{i}: directory(first: {first}) {{ nodes {{ displayName city slug region }} }}"))
        .collect();
    format!("{{ {} }}", pages.join(" "))
}

#[tokio::test]
async fn a_query_costing_more_than_the_maximum_is_refused_before_it_runs() -> Result<()> {
    let app = TestApp::spawn().await?;
    // 10 x (1 + 100 x 5) = 5,010: allowed; with 10 lists of 100 cards of 5 fields each.
    app.graphql(&ten_pages(100), json!({})).await?.ok()?;
    let tight = TestApp::spawn_with(|s| s.limits.max_cost = 1_000).await?;
    let refused = tight.graphql(&ten_pages(100), json!({})).await?;
    assert_eq!(refused.code(), Some("QUERY_TOO_COSTLY"), "{}", refused.body);
    assert_eq!(refused.body["errors"][0]["extensions"]["cost"], 5_010);
    assert_eq!(refused.body["errors"][0]["extensions"]["maxCost"], 1_000);
    assert!(refused.body.get("data").is_none_or(serde_json::Value::is_null));
    // The weight follows `first` through variables too, and smaller pages pass.
    let by_variable = tight
        .graphql(
            "query($n: Int) { directory(first: $n) { nodes { displayName city slug region } } }",
            json!({ "n": 100 }),
        )
        .await?;
    assert!(
        by_variable.errors().is_empty(),
        "501 is under 1,000: {}",
        by_variable.body
    );
    tight.graphql(&ten_pages(10), json!({})).await?.ok()?;
    // The standard introspection query is exempt.
    tight.graphql(&standard_introspection_query(), json!({})).await?.ok()?;
    Ok(())
}

#[tokio::test]
async fn introspection_can_be_limited_to_staff() -> Result<()> {
    let app = TestApp::spawn_with(|s| s.limits.public_introspection = false).await?;
    let query = standard_introspection_query();
    let visitor = app.graphql(&query, json!({})).await?;
    assert_eq!(visitor.code(), Some("FORBIDDEN"), "{}", visitor.body);
    let member = app.new_member().await?;
    let refused = app
        .graphql_as(&member.token, "{ __type(name: \"Query\") { name } }", json!({}))
        .await?;
    assert_eq!(refused.code(), Some("FORBIDDEN"), "{}", refused.body);
    // `__typename` is not introspection: clients add it everywhere.
    app.graphql("{ __typename }", json!({})).await?.ok()?;
    let staff = app.new_with_role(shared::Role::Staff).await?;
    let schema = app.graphql_as(&staff.token, &query, json!({})).await?.ok()?;
    assert!(schema.data("__schema.types")?.as_array().is_some_and(|t| !t.is_empty()));
    Ok(())
}
