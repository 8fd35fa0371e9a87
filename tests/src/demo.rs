//! Demo data: what `cptn serve` loads into an empty database and `cptn seed-demo` refreshes.

use anyhow::Result;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use shared::Role;
use tests::TestApp;

#[tokio::test]
async fn demo_accounts_log_in_with_their_printed_passwords_and_reseeding_replaces_them() -> Result<()> {
    let app = TestApp::spawn().await?;
    assert!(
        api::services::seed::is_empty(&app.state.db)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
    );
    let first = api::services::seed::seed_demo(&app.state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let roles: Vec<Role> = first.iter().map(|c| c.role).collect();
    assert!(roles.contains(&Role::Admin) && roles.contains(&Role::Staff));
    assert!(roles.iter().filter(|r| **r == Role::Member).count() >= 3);

    for credential in &first {
        let login = app.login(&credential.email, &credential.password).await?.ok()?;
        let token = login.str("login.token")?;
        let me = app
            .graphql_as(token, "{ me { role memberNumber } }", json!({}))
            .await?
            .ok()?;
        assert_eq!(me.str("me.role")?, credential.role.as_str().to_uppercase());
        assert_eq!(me.str("me.memberNumber")?, credential.member_number.to_string());
    }

    // The demo trainers have public profiles; one showcases its phone.
    let profile = app
        .graphql(
            "{ profile(slug: \"chloe-tremblay\") { displayName city phone specialties { slug } } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(profile.str("profile.city")?, "Montréal");
    assert_eq!(profile.str("profile.phone")?, "+1 514 555 0199");
    let hidden_phone = app
        .graphql("{ profile(slug: \"liam-o-brien\") { phone } }", json!({}))
        .await?
        .ok()?;
    assert!(hidden_phone.data("profile.phone")?.is_null());

    let second = api::services::seed::seed_demo(&app.state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let members = entity::member::Entity::find().count(&app.state.db).await?;
    assert_eq!(members, first.len() as u64, "reseeding creates no duplicates");
    let (old, new) = (&first[0], &second[0]);
    assert_ne!(old.password, new.password);
    assert_eq!(
        app.login(&old.email, &old.password).await?.code(),
        Some("UNAUTHENTICATED")
    );
    app.login(&new.email, &new.password).await?.ok()?;
    Ok(())
}
