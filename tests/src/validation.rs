//! Bad input gets `VALIDATION` naming the field, and nothing is written.

use anyhow::Result;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use tests::TestApp;

const REGISTER: &str = "mutation($input: RegisterInput!) { register(input: $input) { accepted } }";

#[tokio::test]
async fn bad_registration_input_names_the_field_and_writes_nothing() -> Result<()> {
    let app = TestApp::spawn().await?;
    let good = json!({ "email": "valid@example.org", "password": "a fine passphrase", "legalName": "Val Id" });
    let with = |field: &str, value: serde_json::Value| {
        let mut input = good.clone();
        input[field] = value;
        input
    };
    let cases = [
        ("empty e-mail", with("email", json!("")), "email"),
        ("malformed e-mail", with("email", json!("not-an-address")), "email"),
        (
            "e-mail over 254 characters",
            with("email", json!(format!("{}@example.org", "a".repeat(250)))),
            "email",
        ),
        ("e-mail of the wrong type", with("email", json!(42)), "email"),
        (
            "missing e-mail",
            good.as_object()
                .map(|o| {
                    let mut o = o.clone();
                    o.remove("email");
                    serde_json::Value::Object(o)
                })
                .unwrap_or_default(),
            "email",
        ),
        ("empty password", with("password", json!("")), "password"),
        ("short password", with("password", json!("short1!")), "password"),
        (
            "password over 128 characters",
            with("password", json!("p".repeat(129))),
            "password",
        ),
        ("common password", with("password", json!("password123")), "password"),
        (
            "common password in capitals",
            with("password", json!("QWERTYUIOP")),
            "password",
        ),
        (
            "password of the wrong type",
            with("password", json!(["a", "b"])),
            "password",
        ),
        ("empty legal name", with("legalName", json!("   ")), "legalName"),
        (
            "legal name over 200 characters",
            with("legalName", json!("n".repeat(201))),
            "legalName",
        ),
    ];
    for (what, input, field) in cases {
        let response = app.graphql(REGISTER, json!({ "input": input })).await?;
        assert_eq!(response.code(), Some("VALIDATION"), "{what}: {}", response.body);
        assert_eq!(response.field(), Some(field), "{what}: {}", response.body);
        let message = response.body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{what}: a message a person can read");
    }
    let members = entity::member::Entity::find().count(&app.state.db).await?;
    assert_eq!(members, 0, "no bad input created an account");
    Ok(())
}

#[tokio::test]
async fn names_with_apostrophes_and_accents_are_kept_exactly() -> Result<()> {
    let app = TestApp::spawn().await?;
    app.register("obrien@example.org", "a fine passphrase", "Siobhán O'Brien-Ñúñez")
        .await?
        .ok()?;
    app.confirm("obrien@example.org", "a fine passphrase").await?;
    let login = app.login("obrien@example.org", "a fine passphrase").await?.ok()?;
    let token = login.str("login.token")?;
    let me = app.graphql_as(token, "{ me { legalName } }", json!({})).await?.ok()?;
    assert_eq!(me.str("me.legalName")?, "Siobhán O'Brien-Ñúñez");
    Ok(())
}

#[tokio::test]
async fn a_malformed_member_number_is_a_validation_error() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(shared::Role::Staff).await?;
    let response = app
        .graphql_as(&staff.token, "{ member(memberNumber: \"12\") { email } }", json!({}))
        .await?;
    assert_eq!(response.code(), Some("VALIDATION"));
    assert_eq!(response.field(), Some("memberNumber"));
    Ok(())
}
