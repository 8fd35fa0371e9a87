//! Request budgets (P18, DESIGN "Limits"): every anonymous read, whatever the operation,
//! pays from the client IP's budget, one per root field (aliases count), photos included;
//! a logged-in member pays from a budget of their own. Nobody scrapes around the limit.

use anyhow::Result;
use serde_json::json;
use tests::TestApp;

const PROFILE: &str = "query($s: String!) { profile(slug: $s) { displayName } }";

fn behind_proxy(anonymous: u32, member: u32) -> impl FnOnce(&mut api::Settings) {
    move |s| {
        s.limits.anonymous_per_minute = anonymous;
        s.limits.member_per_minute = member;
        s.trusted_proxy = Some([127, 0, 0, 1].into());
    }
}

#[tokio::test]
async fn anonymous_reads_of_every_public_operation_share_the_per_ip_budget() -> Result<()> {
    let app = TestApp::spawn_with(behind_proxy(6, 1000)).await?;
    let trainer = crate::photos::trainer(&app).await?;
    let photo = crate::photos::upload(&app, &trainer, "me.png", crate::photos::png(256))
        .await?
        .ok()?
        .str("uploadProfilePhoto.photoUrl")?
        .to_owned();
    let slug = "photo-genic";
    let scraper = "198.51.100.9";

    // Two aliases cost two; a profile, a photo, the specialty list: six in all.
    let aliased = "query($s: String!) { a: profile(slug: $s) { displayName } b: profile(slug: $s) { city } }";
    app.graphql_from(scraper, None, aliased, json!({ "s": slug }))
        .await?
        .ok()?;
    app.graphql_from(scraper, None, PROFILE, json!({ "s": slug }))
        .await?
        .ok()?;
    let fetch_photo = |ip: &'static str| app.send(app.client.get(app.url(&photo)).header("X-Forwarded-For", ip));
    assert_eq!(fetch_photo(scraper).await?.status(), 200);
    app.graphql_from(scraper, None, "{ specialties { slug } }", json!({}))
        .await?
        .ok()?;
    app.graphql_from(scraper, None, PROFILE, json!({ "s": slug }))
        .await?
        .ok()?;

    let refused = app.graphql_from(scraper, None, PROFILE, json!({ "s": slug })).await?;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.code(), Some("RATE_LIMITED"));
    assert!(refused.headers.get("retry-after").is_some());
    let photo_refused = fetch_photo(scraper).await?;
    assert_eq!(photo_refused.status(), 429);
    assert!(photo_refused.headers().get("retry-after").is_some());

    // Another visitor is not affected.
    app.graphql_from("198.51.100.10", None, PROFILE, json!({ "s": slug }))
        .await?
        .ok()?;
    assert_eq!(fetch_photo("198.51.100.10").await?.status(), 200);
    Ok(())
}

#[tokio::test]
async fn each_member_has_a_budget_of_their_own() -> Result<()> {
    let app = TestApp::spawn_with(behind_proxy(1000, 3)).await?;
    let member = app.new_member().await?;
    let other = app.new_member().await?;
    let office = "192.0.2.44";
    let me = "{ me { email } }";
    for _ in 0..3 {
        app.graphql_from(office, Some(&member.token), me, json!({}))
            .await?
            .ok()?;
    }
    let refused = app.graphql_from(office, Some(&member.token), me, json!({})).await?;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.code(), Some("RATE_LIMITED"));
    // Logged in, a token is no way around the limit; from the same IP, another member and
    // anonymous visitors still get answers.
    app.graphql_from(office, Some(&other.token), me, json!({}))
        .await?
        .ok()?;
    app.graphql_from(office, None, "{ specialties { slug } }", json!({}))
        .await?
        .ok()?;
    Ok(())
}
