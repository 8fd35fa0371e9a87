//! Access tokens: every forged, expired, mis-addressed or wrongly keyed token is refused
//! with 401; keys live in the database, rotate, and are shared by servers.

use anyhow::{Result, anyhow};
use api::services::signing::TOKENS;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use sea_orm::EntityTrait as _;
use serde_json::{Value, json};
use tests::{TestApp, TestUser};

const ME: &str = "{ me { email } }";

/// The claims of a real token, to forge variants of.
fn claims_of(token: &str) -> Result<Value> {
    let payload = token.split('.').nth(1).ok_or_else(|| anyhow!("not a JWT"))?;
    Ok(serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload)?)?)
}

/// `claims` signed with the server's own active token key, as a login signs them.
fn sign(app: &TestApp, claims: &Value) -> Result<String> {
    app.state
        .keys
        .sign(TOKENS, &serde_json::to_vec(claims)?)?
        .ok_or_else(|| anyhow!("no token key"))
}

/// The header of `token`.
fn header_of(token: &str) -> Result<Value> {
    let header = token.split('.').next().ok_or_else(|| anyhow!("not a JWT"))?;
    Ok(serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header)?)?)
}

/// A compact JWS of `claims` under `header`, signed with Ed25519 key `secret`.
fn sign_ed25519(header: &Value, claims: &Value, secret: &[u8; 32]) -> Result<String> {
    use ed25519_dalek::Signer as _;
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims)?)
    );
    let signature = ed25519_dalek::SigningKey::from_bytes(secret).sign(input.as_bytes());
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes())))
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
    let copy = sign(&app, &claims)?;
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
    assert_refused(&app, &sign(&app, &claims)?, "expired").await
}

#[tokio::test]
async fn tokens_not_yet_valid_are_refused() -> Result<()> {
    let (app, _, mut claims) = member_and_claims().await?;
    claims["nbf"] = json!(chrono::Utc::now().timestamp() + 600);
    assert_refused(&app, &sign(&app, &claims)?, "nbf in the future").await
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
    assert_refused(&app, &sign(&app, &wrong_aud)?, "wrong audience").await?;
    let mut wrong_iss = claims;
    wrong_iss["iss"] = json!("someone-else");
    assert_refused(&app, &sign(&app, &wrong_iss)?, "wrong issuer").await
}

#[tokio::test]
async fn unsigned_and_other_algorithm_tokens_are_refused() -> Result<()> {
    let (app, _, claims) = member_and_claims().await?;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims)?);
    assert_refused(&app, &format!("{header}.{payload}."), "alg none").await?;
    // Algorithm confusion: HS256 under our key id, keyed with our (public) verifying key.
    let kid = header_of(&sign(&app, &claims)?)?["kid"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let row = entity::signing_key::Entity::find_by_id(kid.clone())
        .one(&app.state.db)
        .await?
        .ok_or_else(|| anyhow!("the token key is in the database"))?;
    let mut confused = Header::new(Algorithm::HS256);
    confused.kid = Some(kid);
    let key = EncodingKey::from_secret(row.public_key.as_bytes())?;
    assert_refused(
        &app,
        &jsonwebtoken::encode(&confused, &claims, &key)?,
        "HS256 keyed with the public key",
    )
    .await
}

#[tokio::test]
async fn tokens_name_their_key_and_unknown_or_path_like_key_ids_are_refused() -> Result<()> {
    let (app, member, claims) = member_and_claims().await?;
    let header = header_of(&member.token)?;
    assert_eq!(header["alg"], "EdDSA");
    let kid = header["kid"].as_str().unwrap_or_default().to_owned();
    assert!(kid.starts_with("tokens-"), "{header}");
    let attacker = [9_u8; 32];
    for (bad_kid, why) in [
        (json!("tokens-00000000000000000000000000000000"), "unknown key id"),
        (json!("../../../../dev/null"), "a path as key id"),
        (json!("http://evil.example/key.json"), "a URL as key id"),
        (json!(null), "no key id"),
    ] {
        let forged = json!({ "alg": "EdDSA", "typ": TOKENS, "kid": bad_kid });
        assert_refused(&app, &sign_ed25519(&forged, &claims, &attacker)?, why).await?;
    }
    // Headers pointing at a key of the sender's choosing are never read.
    let public = ed25519_dalek::SigningKey::from_bytes(&attacker).verifying_key();
    let x = URL_SAFE_NO_PAD.encode(public.as_bytes());
    for (name, value) in [
        ("jwk", json!({ "kty": "OKP", "crv": "Ed25519", "x": x })),
        ("jku", json!("http://evil.example/jwks.json")),
        ("x5u", json!("http://evil.example/cert.pem")),
    ] {
        let mut forged = json!({ "alg": "EdDSA", "typ": TOKENS, "kid": kid });
        forged[name] = value;
        assert_refused(&app, &sign_ed25519(&forged, &claims, &attacker)?, name).await?;
    }
    Ok(())
}

#[tokio::test]
async fn a_rotated_token_key_keeps_verifying_its_tokens_and_servers_share_keys() -> Result<()> {
    let (app, member, _) = member_and_claims().await?;
    let other = app.spawn_sharing(|_| {}).await?;
    // A token from one server works on the other: the keys are in the database.
    other.graphql_as(&member.token, ME, json!({})).await?.ok()?;
    let old_kid = header_of(&member.token)?["kid"].clone();

    let new_kid = app
        .state
        .keys
        .rotate(&app.state.db, TOKENS, api::clock::Clock::now(app.clock.as_ref()))
        .await?;
    assert_ne!(json!(new_kid), old_kid);
    // The old key still verifies the token it signed, on both servers.
    app.graphql_as(&member.token, ME, json!({})).await?.ok()?;
    other.graphql_as(&member.token, ME, json!({})).await?.ok()?;
    // New tokens carry the new key, and the other server verifies them.
    let again = app.login(&member.email, &member.password).await?.ok()?;
    let token = again.str("login.token")?.to_owned();
    assert_eq!(header_of(&token)?["kid"], json!(new_kid));
    other.graphql_as(&token, ME, json!({})).await?.ok()?;
    Ok(())
}

#[tokio::test]
async fn with_cptn_jwt_secret_that_one_key_signs_and_verifies() -> Result<()> {
    let secret = "a shared HMAC secret of more than thirty-two characters";
    let app = TestApp::spawn_with(|s| s.jwt_secret = Some(secret.to_owned().into())).await?;
    let member = app.new_member().await?;
    let header = header_of(&member.token)?;
    assert_eq!(header["alg"], "HS256");
    assert!(
        header["kid"].as_str().is_some_and(|k| k.starts_with("secret-")),
        "{header}"
    );
    let other = app
        .spawn_sharing(|s| s.jwt_secret = Some(secret.to_owned().into()))
        .await?;
    other.graphql_as(&member.token, ME, json!({})).await?.ok()?;
    // Signed with the secret but another key id: refused.
    let mut claims = claims_of(&member.token)?;
    claims["exp"] = json!(chrono::Utc::now().timestamp() + 300);
    let mut wrong = Header::new(Algorithm::HS256);
    wrong.kid = Some("secret-0000000000000000".to_owned());
    let forged = jsonwebtoken::encode(&wrong, &claims, &EncodingKey::from_secret(secret.as_bytes())?)?;
    assert_refused(&app, &forged, "right secret, wrong kid").await
}

#[tokio::test]
async fn tokens_without_a_session_or_token_id_are_refused() -> Result<()> {
    let (app, _, claims) = member_and_claims().await?;
    let mut no_jti = claims.clone();
    no_jti.as_object_mut().map(|c| c.remove("jti"));
    assert_refused(&app, &sign(&app, &no_jti)?, "no jti").await?;
    let mut unknown_session = claims.clone();
    unknown_session["sid"] = json!(uuid::Uuid::new_v4().to_string());
    assert_refused(&app, &sign(&app, &unknown_session)?, "unknown session").await?;
    let mut other_jti = claims;
    other_jti["jti"] = json!(uuid::Uuid::new_v4().to_string());
    assert_refused(&app, &sign(&app, &other_jti)?, "jti not current").await
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
