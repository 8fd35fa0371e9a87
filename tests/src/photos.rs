//! Profile photos: uploaded by the GraphQL multipart spec, checked by content, stored under
//! unguessable names, served only for active profiles, never indexed.

// The server names files in lower case on purpose; the tests check exactly that.
#![allow(clippy::case_sensitive_file_extension_comparisons)]

use anyhow::{Result, anyhow};
use serde_json::json;
use tests::{Gql, TestApp, TestUser};

const UPLOAD: &str = "mutation($f: Upload!) { uploadProfilePhoto(file: $f) { photoUrl } }";

pub(crate) fn png(size: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.resize(size, 7);
    bytes
}

pub(crate) async fn upload(app: &TestApp, user: &TestUser, name: &str, bytes: Vec<u8>) -> Result<Gql> {
    let form = reqwest::multipart::Form::new()
        .text(
            "operations",
            json!({ "query": UPLOAD, "variables": { "f": null } }).to_string(),
        )
        .text("map", json!({ "0": ["variables.f"] }).to_string())
        .part("0", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()));
    let response = app
        .send(
            app.client
                .post(app.url("/graphql"))
                .bearer_auth(&user.token)
                .multipart(form),
        )
        .await?;
    Gql::read(response).await
}

pub(crate) async fn trainer(app: &TestApp) -> Result<TestUser> {
    let user = app.new_member().await?;
    app.graphql_as(
        &user.token,
        "mutation { saveMyProfile(input: { displayName: \"Photo Genic\", city: \"Halifax\", country: \"Canada\" }) { slug } }",
        json!({}),
    )
    .await?
    .ok()?;
    Ok(user)
}

#[tokio::test]
async fn an_uploaded_photo_is_served_with_private_no_index_headers() -> Result<()> {
    let app = TestApp::spawn().await?;
    let user = trainer(&app).await?;
    let bytes = png(2048);
    let uploaded = upload(&app, &user, "me.png", bytes.clone()).await?.ok()?;
    let url = uploaded.str("uploadProfilePhoto.photoUrl")?.to_owned();
    let name = url.strip_prefix("/photos/").ok_or_else(|| anyhow!("{url}"))?;
    assert_eq!(name.len(), 32 + 4, "an unguessable name, not the uploaded one: {name}");
    assert!(!name.contains("me"));

    let served = app.send(app.client.get(app.url(&url))).await?;
    assert_eq!(served.status(), 200);
    let header = |n: &str| {
        served
            .headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "image/png");
    assert!(header("x-robots-tag").contains("noindex"));
    assert!(header("cache-control").contains("private"));
    assert_eq!(served.bytes().await?.to_vec(), bytes);

    let public = app
        .graphql("{ profile(slug: \"photo-genic\") { photoUrl } }", json!({}))
        .await?
        .ok()?;
    assert_eq!(public.str("profile.photoUrl")?, url);
    Ok(())
}

#[tokio::test]
async fn files_are_judged_by_content_and_size() -> Result<()> {
    let app = TestApp::spawn().await?;
    let user = trainer(&app).await?;
    let text = upload(&app, &user, "photo.png", b"just some text, not an image".to_vec()).await?;
    assert_eq!((text.code(), text.field()), (Some("VALIDATION"), Some("file")));

    let webp = [b"RIFF".as_slice(), &[0, 0, 0, 0], b"WEBPVP8 ", &[0; 64]].concat();
    let named_wrong = upload(&app, &user, "picture.gif", webp).await?.ok()?;
    assert!(named_wrong.str("uploadProfilePhoto.photoUrl")?.ends_with(".webp"));

    let too_big = upload(&app, &user, "big.png", png(5 * 1024 * 1024 + 1)).await?;
    assert_eq!(too_big.code(), Some("VALIDATION"), "{}", too_big.body);
    Ok(())
}

#[tokio::test]
async fn a_hidden_profiles_photo_is_hidden_and_a_replaced_one_is_gone() -> Result<()> {
    let app = TestApp::spawn().await?;
    let user = trainer(&app).await?;
    let first = upload(&app, &user, "a.png", png(512)).await?.ok()?;
    let first_url = first.str("uploadProfilePhoto.photoUrl")?.to_owned();
    let first_file = app
        .state
        .settings
        .data_dir
        .join("photos")
        .join(first_url.trim_start_matches("/photos/"));
    assert!(first_file.exists());

    app.graphql_as(&user.token, "mutation { disableProfile { status } }", json!({}))
        .await?
        .ok()?;
    assert_eq!(app.send(app.client.get(app.url(&first_url))).await?.status(), 404);
    app.graphql_as(&user.token, "mutation { enableProfile { status } }", json!({}))
        .await?
        .ok()?;
    assert_eq!(app.send(app.client.get(app.url(&first_url))).await?.status(), 200);

    let second = upload(&app, &user, "b.jpg", [0xFF, 0xD8, 0xFF, 0xE0, 0, 16].to_vec())
        .await?
        .ok()?;
    assert!(second.str("uploadProfilePhoto.photoUrl")?.ends_with(".jpg"));
    assert!(!first_file.exists(), "the replaced photo is removed from disk");
    assert_eq!(app.send(app.client.get(app.url(&first_url))).await?.status(), 404);
    for guess in ["/photos/../cptn.db", "/photos/ABC.png", "/photos/x"] {
        assert_eq!(app.send(app.client.get(app.url(guess))).await?.status(), 404, "{guess}");
    }
    Ok(())
}

#[tokio::test]
async fn personal_pages_and_the_api_carry_x_robots_tag() -> Result<()> {
    let web = tempfile::tempdir()?;
    std::fs::write(web.path().join("index.html"), "<!doctype html><title>shell</title>")?;
    let dir = web.path().to_path_buf();
    let app = TestApp::spawn_with(move |s| s.web_dir = dir).await?;
    for path in ["/trainers/maya-okafor", "/graphql?query=%7Bspecialties%7Bslug%7D%7D"] {
        let response = app.send(app.client.get(app.url(path))).await?;
        let tag = response
            .headers()
            .get("x-robots-tag")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(tag.contains("noindex"), "{path}: {tag:?}");
    }
    let robots = app.send(app.client.get(app.url("/robots.txt"))).await?.text().await?;
    assert!(robots.contains("Disallow: /trainers/") && robots.contains("Disallow: /photos/"));
    let home = app.send(app.client.get(app.url("/"))).await?;
    assert!(
        home.headers().get("x-robots-tag").is_none(),
        "the home page may be indexed"
    );
    Ok(())
}
