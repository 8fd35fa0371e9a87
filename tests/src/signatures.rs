//! Signed outgoing mail (P15): every message carries a signature block over itself; the
//! public check returns the original for an untouched message and `TAMPERED` when one
//! character changed; keys live in the database, shared by servers, and rotate with old
//! signatures still verifying.

use anyhow::{Context, Result};
use secrecy::SecretString;
use serde_json::json;
use tests::TestApp;
use tests::harness::SmtpServer;

const CHECK: &str =
    "query($t: String!) { verifyEmailSignature(text: $t) { result keyId message { from to date subject body } } }";

async fn check(app: &TestApp, text: &str) -> Result<serde_json::Value> {
    let answer = app.graphql(CHECK, json!({ "t": text })).await?.ok()?;
    Ok(answer.data("verifyEmailSignature")?.clone())
}

/// The body of the confirmation mail a new registration for `address` receives.
async fn signed_mail(app: &TestApp, smtp: &SmtpServer, address: &str) -> Result<String> {
    app.register(address, "a perfectly fine passphrase", "Sig Nature")
        .await?
        .ok()?;
    Ok(smtp.wait_for(address).await?.body())
}

fn block_of(body: &str) -> Result<&str> {
    let start = body.find("-----BEGIN").context("a signature block")?;
    Ok(&body[start..])
}

#[tokio::test]
async fn every_message_is_signed_and_the_check_returns_it_or_says_it_was_changed() -> Result<()> {
    let smtp = SmtpServer::start()?;
    let url = smtp.url();
    let app = TestApp::spawn_with(move |s| s.mail.smtp_url = Some(SecretString::from(url))).await?;
    let body = signed_mail(&app, &smtp, "signed@example.org").await?;
    assert!(body.contains("/verify-email"), "{body}");

    // The whole message, untouched: valid, with the message as sent.
    let valid = check(&app, &body).await?;
    assert_eq!(valid["result"], "VALID", "{valid}");
    assert_eq!(valid["message"]["to"], "signed@example.org");
    assert!(
        valid["message"]["subject"]
            .as_str()
            .is_some_and(|s| s.starts_with("Confirm your e-mail address"))
    );
    assert!(
        valid["message"]["body"]
            .as_str()
            .is_some_and(|b| body.starts_with(b.trim_end()))
    );
    assert!(valid["keyId"].as_str().is_some_and(|k| k.starts_with("mail-")));
    // The block alone says the same.
    assert_eq!(check(&app, block_of(&body)?).await?["result"], "VALID");

    // One character changed in the text, or in the block: tampered, no message.
    let changed_text = body.replacen("Welcome", "Welc0me", 1);
    assert_ne!(changed_text, body);
    let tampered = check(&app, &changed_text).await?;
    assert_eq!(tampered["result"], "TAMPERED");
    assert!(tampered["message"].is_null());
    let block = block_of(&body)?;
    let token_line = block.lines().nth(1).context("a token line")?;
    let mut flipped = token_line.to_owned();
    let last = flipped.pop().context("a character")?;
    flipped.push(if last == 'A' { 'B' } else { 'A' });
    let changed_block = block.replacen(token_line, &flipped, 1);
    let answer = check(&app, &changed_block).await?;
    assert!(
        ["TAMPERED", "UNKNOWN_KEY", "MALFORMED"].contains(&answer["result"].as_str().unwrap_or_default()),
        "{answer}"
    );
    assert_ne!(answer["result"], "VALID");

    // A signature naming a key we never had; text with no block at all.
    let token: String = block
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    let (_, rest) = token.split_once('.').context("a JWS")?;
    let header = base64_url(r#"{"alg":"EdDSA","kid":"mail-00000000000000000000000000000000","typ":"mail"}"#);
    let unknown = check(&app, &format!("{header}.{rest}")).await?;
    assert_eq!(unknown["result"], "UNKNOWN_KEY");
    assert_eq!(check(&app, "Hello, this is just text.").await?["result"], "MALFORMED");
    Ok(())
}

fn base64_url(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

#[tokio::test]
async fn servers_share_the_mail_key_and_a_rotated_key_still_verifies() -> Result<()> {
    let smtp = SmtpServer::start()?;
    let url = smtp.url();
    let first = TestApp::spawn_with(move |s| s.mail.smtp_url = Some(SecretString::from(url))).await?;
    let url = smtp.url();
    let second = first
        .spawn_sharing(move |s| s.mail.smtp_url = Some(SecretString::from(url)))
        .await?;
    let before = signed_mail(&first, &smtp, "before@example.org").await?;
    let old_key = check(&second, &before).await?["keyId"].clone();
    assert!(old_key.is_string(), "the other server verifies what the first signed");
    let keys = first
        .count("SELECT COUNT(*) AS n FROM signing_key WHERE purpose = 'mail'")
        .await?;
    assert_eq!(keys, 1, "one key for both servers");

    let rotated = first
        .state
        .keys
        .rotate(&first.state.db, api::services::signing::MAIL, first.state.now())
        .await?;
    let after = signed_mail(&second, &smtp, "after@example.org").await?;
    let new = check(&first, &after).await?;
    assert_eq!(
        (new["result"].as_str(), new["keyId"].as_str()),
        (Some("VALID"), Some(rotated.as_str())),
        "the other server signs with the new key"
    );
    let old = check(&first, &before).await?;
    assert_eq!(
        (old["result"].as_str(), &old["keyId"]),
        (Some("VALID"), &old_key),
        "the retired key still verifies"
    );
    // The private keys are stored sealed: no column holds the 32 bytes in clear.
    let sealed = first
        .count("SELECT COUNT(*) AS n FROM signing_key WHERE retired_at IS NOT NULL")
        .await?;
    assert_eq!(sealed, 1);
    // A server given another key-encryption key cannot open them, and says so at start.
    let refused = first
        .spawn_sharing(|s| s.key_encryption_key = SecretString::from("another key-encryption key, 32+ chars"))
        .await;
    let error = refused.err().map(|e| format!("{e:#}")).unwrap_or_default();
    assert!(error.contains("CPTN_KEY_ENCRYPTION_KEY"), "{error}");
    Ok(())
}

#[tokio::test]
async fn the_check_is_limited_per_address() -> Result<()> {
    let app = TestApp::spawn_with(|s| s.limits.verify_ip_burst = 2).await?;
    for _ in 0..2 {
        check(&app, "not signed").await?;
    }
    let limited = app.graphql(CHECK, json!({ "t": "not signed" })).await?;
    assert_eq!(limited.code(), Some("RATE_LIMITED"));
    Ok(())
}
