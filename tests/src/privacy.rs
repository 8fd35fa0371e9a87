//! The privacy crawl (DESIGN "Data, and who may read it"): introspect the schema, query
//! every field reachable from `Query` as each audience, over a fixture whose private
//! values are distinctive, and fail if an audience receives a value it must not.

use anyhow::{Result, anyhow};
use serde_json::{Value, json};
use shared::Role;
use std::collections::HashMap;
use tests::TestApp;

const INTROSPECTION: &str = "{ __schema { queryType { name } mutationType { name } types { name kind fields {
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

/// Argument values the crawl knows, as GraphQL literals: by `field.argument` first (an
/// argument name means different things on different fields), then by argument name.
type Known = HashMap<String, String>;

fn known_value<'a>(known: &'a Known, field: &str, arg: &str) -> Option<&'a String> {
    known.get(&format!("{field}.{arg}")).or_else(|| known.get(arg))
}

/// The arguments the crawl passes, aimed at the fixture (`email`, member `number`).
fn known_arguments(email: &str, number: &str) -> Known {
    let literal = |value: &str| serde_json::to_string(value).unwrap_or_default();
    HashMap::from([
        ("slug".to_owned(), literal("public-trainer")),
        ("profileSlug".to_owned(), literal("public-trainer")),
        ("memberNumber".to_owned(), literal(number)),
        ("first".to_owned(), "10".to_owned()),
        // `suggest`: its required arguments are known, so it is crawled too; the prefix
        // of the legal name must complete to nothing.
        ("prefix".to_owned(), literal("zebul")),
        ("kind".to_owned(), "NAME".to_owned()),
        ("email".to_owned(), literal(email)),
        ("password".to_owned(), literal("not the fixture's password")),
        ("token".to_owned(), literal("not-a-confirmation-token")),
        ("senderName".to_owned(), literal("Crawler")),
        ("senderEmail".to_owned(), literal("crawler@example.org")),
        ("message".to_owned(), literal("Who are you?")),
        ("show".to_owned(), "true".to_owned()),
        ("status".to_owned(), "DISABLED".to_owned()),
        ("role".to_owned(), "ADMIN".to_owned()),
        (
            "register.input".to_owned(),
            format!(
                "{{ email: {}, password: \"another long passphrase\", legalName: \"Someone Else\" }}",
                literal(email)
            ),
        ),
        ("updateMyRecord.input".to_owned(), "{ city: \"Crawlton\" }".to_owned()),
        (
            "saveMyProfile.input".to_owned(),
            "{ displayName: \"Crawler Profile\", city: \"Crawlton\", country: \"Canada\" }".to_owned(),
        ),
    ])
}

/// A selection set for every field of `type_name`.
fn selection(schema: &Schema, type_name: &str, known: &Known, depth: usize) -> String {
    schema
        .fields(type_name)
        .iter()
        .filter_map(|field| field_selection(schema, field, known, depth))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One field with its arguments and sub-selection. Required arguments come from `known`;
/// a field whose required arguments are unknown is skipped (`None`).
fn field_selection(schema: &Schema, field: &Value, known: &Known, depth: usize) -> Option<String> {
    let name = field["name"].as_str().unwrap_or_default();
    if name.starts_with("__") {
        return None;
    }
    let mut args = Vec::new();
    for arg in field["args"].as_array().into_iter().flatten() {
        let arg_name = arg["name"].as_str().unwrap_or_default();
        match known_value(known, name, arg_name) {
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
    app.confirm(email, password).await?;
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
    app.graphql_as(
        &staff.token,
        "mutation($n: String!) { adjustCec(memberNumber: $n, cec: \"0.3\", earnedOn: \"2026-01-15\", reason: \"Zq private ledger note\") { id } }",
        json!({ "n": number }),
    )
    .await?
    .ok()?;

    file_fixture_petition(&app, &owner_token, &number, email, password).await?;

    let private_values = [
        ("e-mail", email.to_owned()),
        ("petition", "Zq private petition course".to_owned()),
        ("legal name", "Zebulon Qwertyprivate".to_owned()),
        ("member number", number.clone()),
        ("phone (not showcased)", "+1 555 867 5309".to_owned()),
        ("street address", "77 Secretive Lane".to_owned()),
        ("postal code", "Z9Z 9Z9".to_owned()),
        ("date of birth", "1977-07-07".to_owned()),
        ("ledger note", "Zq private ledger note".to_owned()),
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
    let known = known_arguments(email, &number);

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

    let mutation_type = introspection.str("__schema.mutationType.name")?.to_owned();
    let outsiders = [("anonymous", None), ("another member", Some(other.token.clone()))];
    crawl_mutations(&app, &schema, &mutation_type, &known, &outsiders, &private_values).await?;
    Ok(())
}

/// A petition of the fixture whose course title is distinctive (owner and staff read it).
async fn file_fixture_petition(app: &TestApp, token: &str, number: &str, email: &str, password: &str) -> Result<()> {
    let fixture = tests::TestUser {
        token: token.to_owned(),
        member_number: number.to_owned(),
        email: email.to_owned(),
        password: password.to_owned(),
    };
    let mut petition = crate::petitions::input(chrono::Utc::now().date_naive(), "0.5");
    petition["title"] = json!("Zq private petition course");
    crate::petitions::file(app, &fixture, petition, crate::petitions::pdf(256))
        .await?
        .ok()?;
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

/// Mutation payloads, and their errors, as the audiences that must not see the fixture's
/// private values: every mutation with every argument the crawl knows, aimed at the fixture
/// where an argument names someone. `logout` goes last.
async fn crawl_mutations(
    app: &TestApp,
    schema: &Schema,
    mutation_type: &str,
    known: &Known,
    outsiders: &[(&str, Option<String>)],
    private_values: &[(&str, String)],
) -> Result<()> {
    // Mutation payloads, and their errors, as the audiences that must not see the fixture's
    // private values: every mutation with every argument the crawl knows, aimed at the
    // fixture where an argument names someone. `logout` goes last.
    let mut mutations = schema.fields(mutation_type);
    mutations.sort_by_key(|m| m["name"] == "logout");
    let mut crawled_mutations = 0;
    for (audience, token) in outsiders {
        for mutation in &mutations {
            let name = mutation["name"].as_str().unwrap_or_default();
            let Some(body) = field_selection(schema, mutation, known, 0) else {
                continue;
            };
            crawled_mutations += 1;
            let query = format!("mutation {{ {body} }}");
            let response = match token {
                Some(token) => app.graphql_as(token, &query, json!({})).await?,
                None => app.graphql(&query, json!({})).await?,
            };
            let mut seen = Vec::new();
            strings(&response.body, &mut seen);
            for (what, value) in private_values {
                assert!(
                    !seen.iter().any(|s| s.contains(value.as_str())),
                    "{audience} received the {what} from {name}: {}",
                    response.body
                );
            }
        }
    }
    assert!(
        crawled_mutations >= 2 * 14,
        "the crawl called only {crawled_mutations} mutations"
    );
    Ok(())
}
