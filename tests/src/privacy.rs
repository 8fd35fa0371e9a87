//! The privacy crawl (DESIGN "Data, and who may read it"): introspect the schema, query
//! every field reachable from `Query` as each audience, over a fixture whose private
//! values are distinctive, and fail if an audience receives a value it must not.

use anyhow::{Result, anyhow};
use serde_json::{Value, json};
use shared::Role;
use std::collections::HashMap;
use tests::TestApp;

const INTROSPECTION: &str = "{ __schema { queryType { name } types { name kind fields {
    name args { name type { ...Ref } } type { ...Ref } } } } }
    fragment Ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";

/// How deep the crawl expands object fields (the server allows 10).
const MAX_DEPTH: usize = 5;

struct Schema {
    types: HashMap<String, Value>,
}

impl Schema {
    fn fields(&self, type_name: &str) -> Vec<Value> {
        self.types
            .get(type_name)
            .and_then(|t| t["fields"].as_array().cloned())
            .unwrap_or_default()
    }

    fn is_object(&self, type_name: &str) -> bool {
        self.types.get(type_name).is_some_and(|t| t["kind"] == "OBJECT")
    }
}

/// The named type under any `NON_NULL` / `LIST` wrappers, and whether the outer one is `NON_NULL`.
fn named(type_ref: &Value) -> (String, bool) {
    let required = type_ref["kind"] == "NON_NULL";
    let mut at = type_ref;
    while at["name"].is_null() && !at["ofType"].is_null() {
        at = &at["ofType"];
    }
    (at["name"].as_str().unwrap_or_default().to_owned(), required)
}

/// A selection set for every field of `type_name`.
fn selection(schema: &Schema, type_name: &str, known: &HashMap<&str, Value>, depth: usize) -> String {
    schema
        .fields(type_name)
        .iter()
        .filter_map(|field| field_selection(schema, field, known, depth))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One field with its arguments and sub-selection. Required arguments come from `known`;
/// a field whose required arguments are unknown is skipped (`None`).
fn field_selection(schema: &Schema, field: &Value, known: &HashMap<&str, Value>, depth: usize) -> Option<String> {
    let name = field["name"].as_str().unwrap_or_default();
    if name.starts_with("__") {
        return None;
    }
    let mut args = Vec::new();
    for arg in field["args"].as_array().into_iter().flatten() {
        let arg_name = arg["name"].as_str().unwrap_or_default();
        match known.get(arg_name) {
            Some(value) => args.push(format!("{arg_name}: {value}")),
            None if named(&arg["type"]).1 => return None,
            None => {}
        }
    }
    let args = if args.is_empty() {
        String::new()
    } else {
        format!("({})", args.join(", "))
    };
    let (inner, _) = named(&field["type"]);
    if !schema.is_object(&inner) {
        return Some(format!("{name}{args}"));
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    let nested = selection(schema, &inner, known, depth + 1);
    (!nested.is_empty()).then(|| format!("{name}{args} {{ {nested} }}"))
}

/// Every string anywhere in a JSON value.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn no_audience_receives_a_private_value_it_must_not_see() -> Result<()> {
    let app = TestApp::spawn().await?;

    // The fixture: a trainer whose every private value is distinctive.
    let email = "zq-private-mailbox@example.org";
    let password = "crawl fixture passphrase";
    app.register(email, password, "Zebulon Qwertyprivate").await?.ok()?;
    app.confirm(email).await?;
    let login = app.login(email, password).await?.ok()?;
    let owner_token = login.str("login.token")?.to_owned();
    let number = login.str("login.member.memberNumber")?.to_owned();
    app.graphql_as(
        &owner_token,
        "mutation($i: MemberRecordInput!) { updateMyRecord(input: $i) { phone } }",
        json!({ "i": { "phone": "+1 555 867 5309", "streetAddress": "77 Secretive Lane", "city": "Hiddenville",
                       "postalCode": "Z9Z 9Z9", "country": "Canada", "dateOfBirth": "1977-07-07" } }),
    )
    .await?
    .ok()?;
    app.graphql_as(
        &owner_token,
        "mutation($i: ProfileInput!) { saveMyProfile(input: $i) { slug } }",
        json!({ "i": { "slug": "public-trainer", "displayName": "Public Trainer", "city": "Ottawa", "country": "Canada",
                       "specialties": ["yoga"], "showPhone": false } }),
    )
    .await?
    .ok()?;
    app.login(email, "a wrong password for the audit trail").await?;
    let other = app.new_member().await?;
    let staff = app.new_with_role(Role::Staff).await?;

    let private_values = [
        ("e-mail", email.to_owned()),
        ("legal name", "Zebulon Qwertyprivate".to_owned()),
        ("member number", number.clone()),
        ("phone (not showcased)", "+1 555 867 5309".to_owned()),
        ("street address", "77 Secretive Lane".to_owned()),
        ("postal code", "Z9Z 9Z9".to_owned()),
        ("date of birth", "1977-07-07".to_owned()),
    ];

    let introspection = app.graphql(INTROSPECTION, json!({})).await?.ok()?;
    let types = introspection
        .data("__schema.types")?
        .as_array()
        .ok_or_else(|| anyhow!("no types"))?
        .iter()
        .filter_map(|t| Some((t["name"].as_str()?.to_owned(), t.clone())))
        .collect();
    let schema = Schema { types };
    let query_type = introspection.str("__schema.queryType.name")?.to_owned();
    let known: HashMap<&str, Value> = HashMap::from([
        ("slug", json!("public-trainer")),
        ("memberNumber", json!(number)),
        ("first", json!(20)),
    ]);

    let audiences = [
        ("anonymous", None, false),
        ("another member", Some(other.token.clone()), false),
        ("owner", Some(owner_token.clone()), true),
        ("staff", Some(staff.token.clone()), true),
    ];
    let mut crawled_fields = 0;
    for (audience, token, may_see) in audiences {
        let mut seen = Vec::new();
        for root in schema.fields(&query_type) {
            // One root field per request, so an error in one cannot hide data of another.
            let name = root["name"].as_str().unwrap_or_default().to_owned();
            let Some(body) = field_selection(&schema, &root, &known, 0) else {
                continue;
            };
            crawled_fields += body
                .split_whitespace()
                .filter(|w| w.chars().all(char::is_alphanumeric))
                .count();
            let query = format!("{{ {body} }}");
            let response = match &token {
                Some(token) => app.graphql_as(token, &query, json!({})).await?,
                None => app.graphql(&query, json!({})).await?,
            };
            assert!(response.status.is_success(), "{audience} {name}: {}", response.body);
            strings(&response.body["data"], &mut seen);
        }
        for (what, value) in &private_values {
            let leaked = seen.iter().any(|s| s.contains(value.as_str()));
            if may_see {
                assert!(
                    leaked,
                    "{audience} should be able to read the {what}; the crawl did not reach it"
                );
            } else {
                assert!(!leaked, "{audience} received the {what}");
            }
        }
    }
    assert!(crawled_fields > 50, "the crawl covered only {crawled_fields} fields");
    Ok(())
}

/// Who asks, in the matrix below.
const AUDIENCES: [&str; 4] = ["anonymous", "other member", "owner", "staff"];

/// What one audience gets for one field: its value kind, `null`, or the error code.
fn outcome(response: &tests::Gql, path: &str) -> String {
    let value = path
        .split('.')
        .try_fold(&response.body["data"], |at, key| at.get(key))
        .cloned()
        .unwrap_or(Value::Null);
    match (value, response.code()) {
        (Value::Null, Some(code)) => code.to_owned(),
        (Value::Null, None) => "null".to_owned(),
        _ => "value".to_owned(),
    }
}

#[tokio::test]
async fn the_field_audience_matrix_matches_the_snapshot() -> Result<()> {
    let app = TestApp::spawn().await?;
    let owner = app.new_member().await?;
    let other = app.new_member().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    app.graphql_as(
        &owner.token,
        "mutation { updateMyRecord(input: { phone: \"+1 555 010 0000\", city: \"Regina\", dateOfBirth: \"1985-05-05\" }) { phone } }",
        json!({}),
    )
    .await?
    .ok()?;
    app.graphql_as(
        &owner.token,
        "mutation { saveMyProfile(input: { slug: \"matrix-trainer\", displayName: \"Matrix Trainer\", city: \"Regina\", country: \"Canada\" }) { slug } }",
        json!({}),
    )
    .await?
    .ok()?;

    // (row, selection on a member record, path under it)
    let member_fields = [
        ("Member.memberNumber", "memberNumber", "memberNumber"),
        ("Member.email", "email", "email"),
        ("Member.legalName", "legalName", "legalName"),
        ("Member.phone", "phone", "phone"),
        ("Member.address", "address { city }", "address"),
        ("Member.dateOfBirth", "dateOfBirth", "dateOfBirth"),
        (
            "Member.loginHistory",
            "loginHistory(first: 1) { edges { node { ip } } }",
            "loginHistory",
        ),
        ("Member.profile.showPhone", "profile { showPhone }", "profile"),
    ];
    let tokens = [
        None,
        Some(other.token.clone()),
        Some(owner.token.clone()),
        Some(staff.token.clone()),
    ];
    let mut rows = Vec::new();
    for (row, selection, path) in member_fields {
        let mut cells = Vec::new();
        for (audience, token) in AUDIENCES.iter().zip(&tokens) {
            // The owner reads their record through `me`; everyone else asks by number.
            let (query, root) = if *audience == "owner" {
                (format!("{{ me {{ {selection} }} }}"), "me")
            } else {
                (
                    format!(
                        "{{ member(memberNumber: \"{}\") {{ {selection} }} }}",
                        owner.member_number
                    ),
                    "member",
                )
            };
            let response = match token {
                Some(token) => app.graphql_as(token, &query, json!({})).await?,
                None => app.graphql(&query, json!({})).await?,
            };
            cells.push(format!("{audience}: {}", outcome(&response, &format!("{root}.{path}"))));
        }
        rows.push(format!("{row:<28} {}", cells.join(" | ")));
    }
    for (row, query, path) in [
        (
            "PublicProfile.displayName",
            "{ profile(slug: \"matrix-trainer\") { displayName } }",
            "profile.displayName",
        ),
        (
            "PublicProfile.phone (hidden)",
            "{ profile(slug: \"matrix-trainer\") { phone } }",
            "profile.phone",
        ),
        (
            "Query.auditEvents",
            "{ auditEvents(first: 1) { edges { node { ip } } } }",
            "auditEvents",
        ),
    ] {
        let mut cells = Vec::new();
        for (audience, token) in AUDIENCES.iter().zip(&tokens) {
            let response = match token {
                Some(token) => app.graphql_as(token, query, json!({})).await?,
                None => app.graphql(query, json!({})).await?,
            };
            cells.push(format!("{audience}: {}", outcome(&response, path)));
        }
        rows.push(format!("{row:<28} {}", cells.join(" | ")));
    }
    insta::assert_snapshot!("field_audience_matrix", rows.join("\n"));
    Ok(())
}
