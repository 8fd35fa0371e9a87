//! Access tokens: every forged, expired or mis-addressed token is refused with 401.

use anyhow::{Result, anyhow};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use tests::{TestApp, TestUser};

const ME: &str = "{ me { email } }";

/// The claims of a real token, to forge variants of.
fn claims_of(token: &str) -> Result<Value> {
    let payload = token.split('.').nth(1).ok_or_else(|| anyhow!("not a JWT"))?;
    Ok(serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload)?)?)
}

fn sign(app: &TestApp, algorithm: Algorithm, claims: &Value) -> Result<String> {
    let key = EncodingKey::from_secret(app.state.settings.jwt_secret.expose_secret().as_bytes())?;
    Ok(jsonwebtoken::encode(&Header::new(algorithm), claims, &key)?)
}

async fn assert_refused(app: &TestApp, token: &str, why: &str) -> Result<()> {
    let response = app.graphql_as(token, ME, json!({})).await?;
    assert_eq!(response.status, 401, "{why}: {}", response.body);
    assert_eq!(response.code(), Some("UNAUTHENTICATED"), "{why}");
    assert!(response.body.get("data").is_none(), "{why}: nothing runs");
    assert!(
        response.headers.get("www-authenticate").is_some(),
        "{why}: 401 names the scheme"
    );
    Ok(())
}

async fn member_and_claims() -> Result<(TestApp, TestUser, Value)> {
    let app = TestApp::spawn().await?;
    let member = app.new_member().await?;
    let claims = claims_of(&member.token)?;
    Ok((app, member, claims))
}

#[tokio::test]
async fn a_correctly_resigned_copy_of_a_live_token_is_accepted() -> Result<()> {
    // Guards the other tests in this module: the forging itself is sound.
    let (app, member, claims) = member_and_claims().await?;
    let copy = sign(&app, Algorithm::HS256, &claims)?;
    let me = app.graphql_as(&copy, ME, json!({})).await?.ok()?;
    assert_eq!(me.str("me.email")?, member.email);
    Ok(())
}

#[tokio::test]
async fn expired_tokens_are_refused() -> Result<()> {
    let (app, _, mut claims) = member_and_claims().await?;
    let now = chrono::Utc::now().timestamp();
    claims["iat"] = json!(now - 3600);
    claims["nbf"] = json!(now - 3600);
    claims["exp"] = json!(now - 60);
    assert_refused(&app, &sign(&app, Algorithm::HS256, &claims)?, "expired").await
}

#[tokio::test]
async fn tokens_not_yet_valid_are_refused() -> Result<()> {
    let (app, _, mut claims) = member_and_claims().await?;
    claims["nbf"] = json!(chrono::Utc::now().timestamp() + 600);
    assert_refused(&app, &sign(&app, Algorithm::HS256, &claims)?, "nbf in the future").await
}

#[tokio::test]
async fn tampered_tokens_are_refused() -> Result<()> {
    let (app, member, mut claims) = member_and_claims().await?;
    // Another member's id in the payload, signature of the original kept.
    claims["sub"] = json!("1");
    let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims)?);
    let mut parts: Vec<&str> = member.token.split('.').collect();
    parts[1] = &forged_payload;
    assert_refused(&app, &parts.join("."), "payload changed").await?;

    let mut flipped = member.token.clone();
    let last = flipped.pop().ok_or_else(|| anyhow!("empty token"))?;
    flipped.push(if last == 'A' { 'B' } else { 'A' });
    assert_refused(&app, &flipped, "signature changed").await
}

#[tokio::test]
async fn tokens_for_another_audience_or_issuer_are_refused() -> Result<()> {
    let (app, _, claims) = member_and_claims().await?;
    let mut wrong_aud = claims.clone();
    wrong_aud["aud"] = json!("someone-else");
    assert_refused(&app, &sign(&app, Algorithm::HS256, &wrong_aud)?, "wrong audience").await?;
    let mut wrong_iss = claims;
    wrong_iss["iss"] = json!("someone-else");
    assert_refused(&app, &sign(&app, Algorithm::HS256, &wrong_iss)?, "wrong issuer").await
}

#[tokio::test]
async fn unsigned_and_other_algorithm_tokens_are_refused() -> Result<()> {
    let (app, _, claims) = member_and_claims().await?;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims)?);
    assert_refused(&app, &format!("{header}.{payload}."), "alg none").await?;
    assert_refused(
        &app,
        &sign(&app, Algorithm::HS512, &claims)?,
        "HS512 with the right key",
    )
    .await
}

#[tokio::test]
async fn tokens_without_a_session_or_token_id_are_refused() -> Result<()> {
    let (app, _, claims) = member_and_claims().await?;
    let mut no_jti = claims.clone();
    no_jti.as_object_mut().map(|c| c.remove("jti"));
    assert_refused(&app, &sign(&app, Algorithm::HS256, &no_jti)?, "no jti").await?;
    let mut unknown_session = claims.clone();
    unknown_session["sid"] = json!(uuid::Uuid::new_v4().to_string());
    assert_refused(
        &app,
        &sign(&app, Algorithm::HS256, &unknown_session)?,
        "unknown session",
    )
    .await?;
    let mut other_jti = claims;
    other_jti["jti"] = json!(uuid::Uuid::new_v4().to_string());
    assert_refused(&app, &sign(&app, Algorithm::HS256, &other_jti)?, "jti not current").await
}

#[tokio::test]
async fn malformed_authorization_headers_are_refused() -> Result<()> {
    let app = TestApp::spawn().await?;
    for value in ["Bearer", "Basic dXNlcjpwYXNz", "Bearer not.a.jwt", "token"] {
        let response = app
            .send(
                app.client
                    .post(app.url("/graphql"))
                    .header("Authorization", value)
                    .json(&json!({ "query": ME })),
            )
            .await?;
        assert_eq!(response.status(), 401, "{value}");
    }
    Ok(())
}
