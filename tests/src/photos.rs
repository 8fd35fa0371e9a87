//! Profile photos: uploaded by the GraphQL multipart spec, checked by content, stored under
//! unguessable names, served only for active profiles, never indexed.

// The server names files in lower case on purpose; the tests check exactly that.
#![allow(
    clippy::case_sensitive_file_extension_comparisons,
    reason = "the server names files in lower case on purpose; the tests check exactly that"
)]

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
    for path in [
        "/trainers/maya-okafor",
        "/graphql?query=%7Bspecialties%7Bslug%7D%7D",
        "/verify",
    ] {
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

/// Sets a file's modification time `hours` back, as if it had been left there that long.
fn age(path: &std::path::Path, hours: u64) -> Result<()> {
    let then = std::time::SystemTime::now() - std::time::Duration::from_hours(hours);
    std::fs::File::options().write(true).open(path)?.set_modified(then)?;
    Ok(())
}

#[tokio::test]
async fn servers_share_the_storage_root_and_the_files_job_removes_only_what_no_row_names() -> Result<()> {
    let shared = tempfile::tempdir()?;
    let root = shared.path().to_path_buf();
    let first = TestApp::spawn_with(|s| s.storage_dir.clone_from(&root)).await?;
    let second = first.spawn_sharing(|s| s.storage_dir.clone_from(&root)).await?;
    let user = trainer(&first).await?;
    let url = upload(&first, &user, "me.png", png(256))
        .await?
        .ok()?
        .str("uploadProfilePhoto.photoUrl")?
        .to_owned();
    let name = url.trim_start_matches("/photos/").to_owned();
    let photos = root.join("photos");
    assert!(photos.join(&name).is_file(), "stored under CPTN_STORAGE_DIR");
    assert!(
        !first.data_dir().join("photos").exists(),
        "nothing under the data directory when the storage root is elsewhere"
    );
    let served = second.send(second.client.get(second.url(&url))).await?;
    assert_eq!(served.status(), 200, "the other server serves it from the shared root");
    assert_eq!(served.bytes().await?.to_vec(), png(256));

    // What a crash could leave: a file no row names, an unfinished upload; and what is not
    // storage's to judge: a recent orphan (a save on its way to commit) and a stranger's file.
    let orphan = photos.join("0123456789abcdef0123456789abcdef.png");
    let unfinished = photos.join(".fedcba9876543210fedcba9876543210.partial");
    let recent = photos.join("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.jpg");
    let stranger = photos.join("README.txt");
    for path in [&orphan, &unfinished, &recent, &stranger] {
        std::fs::write(path, b"x")?;
    }
    // Petition evidence: a petition's file stays, an old orphan goes.
    let filed = crate::petitions::file(
        &first,
        &user,
        crate::petitions::input(chrono::Utc::now().date_naive(), "0.5"),
        crate::petitions::pdf(600),
    )
    .await?
    .ok()?;
    let _ = filed;
    let evidence = root.join("evidence");
    let kept: Vec<_> = std::fs::read_dir(&evidence)?.flatten().map(|e| e.path()).collect();
    assert_eq!(kept.len(), 1, "the petition's evidence is stored");
    let evidence_orphan = evidence.join("00000000000000000000000000000000.pdf");
    std::fs::write(&evidence_orphan, b"%PDF-")?;
    // A data export archive whose row is gone (a crash between file and row).
    std::fs::create_dir_all(root.join("exports"))?;
    let export_orphan = root.join("exports/0000000000000000000000000000000a.zip");
    std::fs::write(&export_orphan, b"PK\x03\x04")?;
    // A vulnerability report's attachment whose report is gone.
    std::fs::create_dir_all(root.join("reports"))?;
    let report_orphan = root.join("reports/0000000000000000000000000000000b.png");
    std::fs::write(&report_orphan, b"\x89PNG")?;
    for path in [
        &report_orphan,
        &export_orphan,
        &orphan,
        &unfinished,
        &stranger,
        &photos.join(&name),
        &evidence_orphan,
        &kept[0],
    ] {
        age(path, 2)?;
    }
    let ctx = api::jobs::JobContext::new(first.state.clone(), first.state.db.clone());
    let preview = api::jobs::dry_run(&ctx, api::jobs::JobName::Files).await?;
    assert_eq!(
        preview.lines,
        vec![
            "photos: would remove 1 files no row names and 1 unfinished uploads".to_owned(),
            "evidence: would remove 1 files no row names and 0 unfinished uploads".to_owned(),
            "exports: would remove 1 files no row names and 0 unfinished uploads".to_owned(),
            "reports: would remove 1 files no row names and 0 unfinished uploads".to_owned(),
        ]
    );
    assert!(orphan.exists() && unfinished.exists(), "a dry run removes nothing");

    api::jobs::run_once(&ctx, api::jobs::JobName::Files, true).await?;
    assert!(!orphan.exists(), "an old file no row names is removed");
    assert!(!unfinished.exists(), "an old unfinished upload is removed");
    assert!(recent.exists(), "a recent file may belong to a save in flight");
    assert!(stranger.exists(), "a file storage did not name is not storage's");
    assert!(photos.join(&name).exists(), "the profile's photo stays, however old");
    assert!(!evidence_orphan.exists(), "orphaned evidence is removed");
    assert!(!export_orphan.exists(), "an archive no row names is removed");
    assert!(!report_orphan.exists(), "an attachment no report names is removed");
    assert!(kept[0].exists(), "a petition's evidence stays");
    assert_eq!(first.send(first.client.get(first.url(&url))).await?.status(), 200);
    Ok(())
}
