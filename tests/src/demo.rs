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

#[tokio::test]
async fn sample_directory_adds_searchable_trainers_up_to_the_count_asked() -> Result<()> {
    let app = TestApp::spawn().await?;
    api::services::seed::seed_demo(&app.state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let seed = |count| api::services::sample_directory::seed(&app.state.db, count);
    // Three demo profiles exist; the sample fills the directory up to 40.
    assert_eq!(seed(40).await.map_err(|e| anyhow::anyhow!("{e}"))?, 37);
    assert_eq!(
        seed(40).await.map_err(|e| anyhow::anyhow!("{e}"))?,
        0,
        "nothing more to add"
    );

    let members = entity::member::Entity::find().all(&app.state.db).await?;
    let mut numbers: Vec<i64> = members.iter().map(|m| m.member_number).collect();
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), members.len(), "member numbers stay unique");

    let listing = app
        .graphql(
            "{ directory(first: 100) { totalCount edges { node { slug displayName specialties { slug } } } } }",
            json!({}),
        )
        .await?
        .ok()?;
    let edges = listing.data("directory.edges")?.as_array().cloned().unwrap_or_default();
    let active = listing.data("directory.totalCount")?.as_u64().unwrap_or(0);
    assert_eq!(active, 40, "demo and sample trainers are all listed");
    let mut slugs: Vec<&str> = edges.iter().filter_map(|e| e["node"]["slug"].as_str()).collect();
    slugs.sort_unstable();
    slugs.dedup();
    assert_eq!(u64::try_from(slugs.len())?, active, "slugs are unique");
    assert!(
        edges
            .iter()
            .all(|e| e["node"]["specialties"].as_array().is_some_and(|s| !s.is_empty())),
        "every sample trainer has specialties"
    );
    // Their names are in the search index.
    let name = edges
        .iter()
        .filter_map(|e| e["node"]["displayName"].as_str())
        .find(|n| !n.contains("Tremblay") && !n.contains("Okafor"))
        .unwrap_or_default()
        .to_owned();
    let found = app
        .graphql(
            "query($q: String) { directory(query: $q, first: 100) { edges { node { displayName } } } }",
            json!({ "q": name }),
        )
        .await?
        .ok()?;
    assert!(found.body.to_string().contains(&name), "{name} is found by name");

    Ok(())
}

#[tokio::test]
async fn demo_data_has_a_member_in_each_certification_status_with_a_ledger() -> Result<()> {
    let app = TestApp::spawn().await?;
    let credentials = api::services::seed::seed_demo(&app.state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut statuses = std::collections::BTreeSet::new();
    let mut with_credit = 0;
    for credential in credentials.iter().filter(|c| c.role == Role::Member) {
        let login = app.login(&credential.email, &credential.password).await?.ok()?;
        let mine = app
            .graphql_as(
                login.str("login.token")?,
                "{ me { certification { status earnedCec } ledger { edges { node { cec } } } } }",
                json!({}),
            )
            .await?
            .ok()?;
        statuses.insert(mine.str("me.certification.status")?.to_owned());
        if mine.data("me.ledger.edges")?.as_array().is_some_and(|e| !e.is_empty()) {
            with_credit += 1;
        }
    }
    let expected: std::collections::BTreeSet<String> = ["CERTIFIED", "GRACE", "EXPIRED", "NONE"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(statuses, expected);
    assert!(with_credit >= 4, "certified members have ledgers: {with_credit}");
    // Seeding again adds no second cycle or credit.
    api::services::seed::seed_demo(&app.state.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let cycles = entity::certification_cycle::Entity::find().all(&app.state.db).await?;
    assert_eq!(cycles.len(), 4);
    Ok(())
}
