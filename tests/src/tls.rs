//! TLS terminated by the server (P19): HTTPS with HSTS, the plain-HTTP redirect, and the
//! certificate reloaded on SIGHUP without a restart.

use anyhow::{Context, Result};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;
use tests::TestApp;

/// A self-signed certificate for `localhost` and 127.0.0.1, written as PEM files.
fn certificate(dir: &Path) -> Result<(Vec<u8>, Vec<u8>)> {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])?;
    let cert = made.cert.pem();
    std::fs::write(dir.join("cert.pem"), &cert)?;
    std::fs::write(dir.join("key.pem"), made.signing_key.serialize_pem())?;
    Ok((cert.into_bytes(), made.cert.der().to_vec()))
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A client trusting `roots`, reaching `localhost` at 127.0.0.1:`port`.
fn client(roots: &[&[u8]], port: u16) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .resolve("localhost", SocketAddr::from(([127, 0, 0, 1], port)))
        .redirect(reqwest::redirect::Policy::none())
        .tls_info(true)
        .https_only(true);
    for root in roots {
        builder = builder.add_root_certificate(reqwest::Certificate::from_pem(root)?);
    }
    Ok(builder.build()?)
}

/// The certificate the server presented on a new connection, as DER.
async fn presented(roots: &[&[u8]], port: u16) -> Result<Vec<u8>> {
    let response = client(roots, port)?
        .get(format!("https://localhost:{port}/healthz"))
        .send()
        .await?;
    let info = response
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .context("TLS info")?;
    Ok(info.peer_certificate().context("a certificate")?.to_vec())
}

#[tokio::test]
async fn the_server_speaks_tls_sends_hsts_redirects_plain_http_and_reloads_its_certificate() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (first_pem, first_der) = certificate(dir.path())?;
    let redirect_port = free_port()?;
    let files = dir.path().to_owned();
    let app = TestApp::spawn_with(move |s| {
        s.tls = Some(api::config::TlsSettings {
            cert: files.join("cert.pem"),
            key: files.join("key.pem"),
        });
        s.http_redirect_addr = Some(SocketAddr::from(([127, 0, 0, 1], redirect_port)));
    })
    .await?;
    let port: u16 = app
        .url("")
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .parse()?;

    // HTTPS, with HSTS on every answer, GraphQL included.
    let https = client(&[&first_pem], port)?;
    let health = https.get(format!("https://localhost:{port}/healthz")).send().await?;
    assert_eq!(health.status(), 200);
    let hsts = health
        .headers()
        .get("strict-transport-security")
        .and_then(|v| v.to_str().ok());
    assert_eq!(hsts, Some(api::http::tls::HSTS));
    let answer: serde_json::Value = https
        .post(format!("https://localhost:{port}/graphql"))
        .json(&serde_json::json!({ "query": "{ specialties { name } }" }))
        .send()
        .await?
        .json()
        .await?;
    assert!(answer.get("errors").is_none(), "{answer}");
    // A client that does not trust the certificate gets nothing.
    let untrusting = reqwest::Client::builder()
        .resolve("localhost", SocketAddr::from(([127, 0, 0, 1], port)))
        .build()?;
    assert!(
        untrusting
            .get(format!("https://localhost:{port}/healthz"))
            .send()
            .await
            .is_err()
    );

    // The plain port only redirects, path and query kept.
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let moved = plain
        .get(format!("http://127.0.0.1:{redirect_port}/trainers?city=Regina"))
        .send()
        .await?;
    assert_eq!(moved.status(), 308);
    let location = moved.headers().get("location").and_then(|v| v.to_str().ok());
    assert_eq!(
        location,
        Some(format!("https://127.0.0.1:{port}/trainers?city=Regina").as_str())
    );

    // A renewed certificate is taken on SIGHUP, without a restart.
    assert_eq!(presented(&[&first_pem], port).await?, first_der);
    let (second_pem, second_der) = certificate(dir.path())?;
    let pid = std::process::id().to_string();
    let mut renewed = false;
    for _ in 0..50 {
        std::process::Command::new("kill").args(["-HUP", &pid]).status()?;
        tokio::time::sleep(Duration::from_millis(100)).await;
        if presented(&[&first_pem, &second_pem], port).await? == second_der {
            renewed = true;
            break;
        }
    }
    assert!(renewed, "the new certificate is presented after SIGHUP");
    Ok(())
}
