//! Directory search and typeahead: matching, filters, ranking that survives disable,
//! pagination, the phone showcase in SQL, constant statements per page, anti-harvesting,
//! and the connections of the directory's reads (abandoned statements, ended sessions).

use anyhow::Result;
use serde_json::{Value, json};
use tests::{Gql, TestApp, TestUser};

pub(crate) const DIRECTORY: &str = "query($q: String, $city: String, $specialty: String, $first: Int, $after: String) {
    directory(query: $q, city: $city, specialty: $specialty, first: $first, after: $after) {
        totalCount
        edges { cursor node { slug displayName city phone specialties { slug name } } }
        pageInfo { hasNextPage hasPreviousPage endCursor }
    } }";

/// Creates a member with a profile; returns them.
pub(crate) async fn trainer(
    app: &TestApp,
    name: &str,
    city: &str,
    specialties: &[&str],
    bio: &str,
    phone: Option<&str>,
) -> Result<TestUser> {
    let member = app.new_member().await?;
    if let Some(phone) = phone {
        app.graphql_as(
            &member.token,
            "mutation($p: String) { updateMyRecord(input: { phone: $p }) { phone } }",
            json!({ "p": phone }),
        )
        .await?
        .ok()?;
    }
    app.graphql_as(
        &member.token,
        "mutation($i: ProfileInput!) { saveMyProfile(input: $i) { slug } }",
        json!({ "i": { "displayName": name, "city": city, "country": "Canada", "bio": bio,
                       "specialties": specialties, "showPhone": phone.is_some() } }),
    )
    .await?
    .ok()?;
    Ok(member)
}

async fn seed(app: &TestApp) -> Result<Vec<TestUser>> {
    Ok(vec![
        trainer(
            app,
            "Maya Okafor",
            "Toronto",
            &["strength-training"],
            "Barbell basics for beginners.",
            Some("+1 416 555 0142"),
        )
        .await?,
        trainer(
            app,
            "Marc Tremblay",
            "Montréal",
            &["running"],
            "Marathon plans and easy long runs.",
            None,
        )
        .await?,
        trainer(
            app,
            "Chloé Martin",
            "Montréal",
            &["yoga", "mobility"],
            "Gentle strength and mobility.",
            None,
        )
        .await?,
    ])
}

fn names(page: &Gql) -> Vec<String> {
    page.data("directory.edges")
        .ok()
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["displayName"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn words_match_names_cities_specialties_and_bios_the_last_as_a_prefix() -> Result<()> {
    let app = TestApp::spawn().await?;
    seed(&app).await?;
    let search = |q: &'static str| app.graphql(DIRECTORY, json!({ "q": q }));

    assert_eq!(names(&search("oka").await?.ok()?), ["Maya Okafor"], "name prefix");
    assert_eq!(
        names(&search("MONTREAL marat").await?.ok()?),
        ["Marc Tremblay"],
        "city without accent, bio prefix"
    );
    let mobility = search("mobil").await?.ok()?;
    assert_eq!(names(&mobility), ["Chloé Martin"], "specialty name");
    let strength = names(&search("strength").await?.ok()?);
    assert_eq!(strength.len(), 2, "specialty of one, bio of the other: {strength:?}");
    assert_eq!(strength[0], "Maya Okafor", "a specialty weighs more than a bio");
    assert_eq!(
        names(&search("okafor ma").await?.ok()?),
        ["Maya Okafor"],
        "the last word may be unfinished"
    );
    assert!(
        names(&search("oka maya").await?.ok()?).is_empty(),
        "words before the last are whole words"
    );
    let nothing = search("zzzz").await?.ok()?;
    assert_eq!(nothing.data("directory.totalCount")?, &json!(0));
    assert!(names(&nothing).is_empty());
    // An injection attempt is refused by the tripwire (`tripwire.rs`); the table is there.
    let hostile = search("\"); DROP TABLE member; --").await?;
    assert_eq!(hostile.code(), Some("BLOCKED"), "{}", hostile.body);
    assert!(app.count("SELECT COUNT(*) AS n FROM member").await? > 0);
    Ok(())
}

#[tokio::test]
async fn names_with_a_small_typo_are_still_found() -> Result<()> {
    let app = TestApp::spawn().await?;
    let people = seed(&app).await?;
    trainer(&app, "Ana Tremblay", "Laval", &["pilates"], "Reformer classes.", None).await?;
    let search = |q: &'static str| app.graphql(DIRECTORY, json!({ "q": q }));

    assert_eq!(
        names(&search("okafr").await?.ok()?),
        ["Maya Okafor"],
        "a letter left out"
    );
    assert_eq!(
        names(&search("maya okafro").await?.ok()?),
        ["Maya Okafor"],
        "two letters swapped"
    );
    let mut tremblays = names(&search("tremblya").await?.ok()?);
    tremblays.sort();
    assert_eq!(tremblays, ["Ana Tremblay", "Marc Tremblay"]);
    assert_eq!(
        names(&search("marc trenbl").await?.ok()?),
        ["Marc Tremblay"],
        "a typo while typing"
    );
    assert!(
        names(&search("okafxyz").await?.ok()?).is_empty(),
        "too far from any name"
    );
    assert_eq!(
        names(&search("okafo maya").await?.ok()?),
        ["Maya Okafor"],
        "an unfinished word before the last is a typo too"
    );
    // A name added after a search for its typo is found by that typo at once: what the
    // server keeps of earlier searches starts over on every profile write.
    assert!(names(&search("zhanq").await?.ok()?).is_empty());
    trainer(&app, "Wei Zhang", "Ottawa", &["yoga"], "Morning flow.", None).await?;
    assert_eq!(names(&search("zhanq").await?.ok()?), ["Wei Zhang"]);
    // A word that is a name is taken as meant; typos are for words that are not.
    trainer(&app, "Li Zhan", "Ottawa", &["yoga"], "Evening flow.", None).await?;
    let mut both = names(&search("zhanq").await?.ok()?);
    both.sort();
    assert_eq!(both, ["Li Zhan", "Wei Zhang"]);
    assert_eq!(names(&search("zhang").await?.ok()?), ["Wei Zhang"]);
    assert_eq!(names(&search("zhang wei").await?.ok()?), ["Wei Zhang"]);

    // A renamed profile is no longer found by its old name, typo or not.
    app.graphql_as(
        &people[0].token,
        "mutation($i: ProfileInput!) { saveMyProfile(input: $i) { slug } }",
        json!({ "i": { "displayName": "Maya Obi", "city": "Toronto", "country": "Canada",
                       "bio": "Barbell basics for beginners.", "specialties": ["strength-training"] } }),
    )
    .await?
    .ok()?;
    assert!(names(&search("okafr").await?.ok()?).is_empty());
    assert_eq!(names(&search("obi").await?.ok()?), ["Maya Obi"]);
    Ok(())
}

#[tokio::test]
async fn filters_narrow_by_city_and_specialty() -> Result<()> {
    let app = TestApp::spawn().await?;
    seed(&app).await?;
    let in_montreal = app.graphql(DIRECTORY, json!({ "city": "montreal" })).await?.ok()?;
    let mut found = names(&in_montreal);
    found.sort();
    assert_eq!(found, ["Chloé Martin", "Marc Tremblay"]);
    let runners = app
        .graphql(DIRECTORY, json!({ "city": "Montréal", "specialty": "running" }))
        .await?
        .ok()?;
    assert_eq!(names(&runners), ["Marc Tremblay"]);

    // Words and a city together; a city whose name holds another city's name stays apart.
    trainer(
        &app,
        "Ines Strong",
        "Saint John",
        &["boxing"],
        "Strength for boxers.",
        None,
    )
    .await?;
    trainer(
        &app,
        "Olaf Strand",
        "Saint John's",
        &["running"],
        "Strength on the water.",
        None,
    )
    .await?;
    let strength_in = |city: &'static str| app.graphql(DIRECTORY, json!({ "q": "strength", "city": city }));
    assert_eq!(names(&strength_in("Saint John").await?.ok()?), ["Ines Strong"]);
    assert_eq!(names(&strength_in("saint john's").await?.ok()?), ["Olaf Strand"]);
    assert_eq!(names(&strength_in("Montréal").await?.ok()?), ["Chloé Martin"]);
    Ok(())
}

#[tokio::test]
async fn results_show_a_phone_only_when_showcased_and_never_an_email() -> Result<()> {
    let app = TestApp::spawn().await?;
    let trainers = seed(&app).await?;
    let all = app.graphql(DIRECTORY, json!({})).await?.ok()?;
    let edges = all.data("directory.edges")?.as_array().cloned().unwrap_or_default();
    assert_eq!(edges.len(), 3);
    for edge in &edges {
        let phone = &edge["node"]["phone"];
        if edge["node"]["displayName"] == "Maya Okafor" {
            assert_eq!(phone, "+1 416 555 0142");
        } else {
            assert!(phone.is_null());
        }
    }
    let body = all.body.to_string();
    assert!(!body.contains('@'));
    assert!(trainers.iter().all(|t| !body.contains(&t.member_number)));
    Ok(())
}

#[tokio::test]
async fn a_disabled_profile_leaves_search_and_returns_at_the_same_position() -> Result<()> {
    let app = TestApp::spawn().await?;
    let trainers = seed(&app).await?;
    let query = json!({ "q": "m" });
    let before = names(&app.graphql(DIRECTORY, query.clone()).await?.ok()?);
    assert_eq!(before.len(), 3);

    // One whole word, alone or in a city (on PostgreSQL, answered from its postings).
    let one_word = [
        json!({ "q": "tremblay" }),
        json!({ "q": "marathon", "city": "Montréal" }),
    ];
    for query in &one_word {
        let found = names(&app.graphql(DIRECTORY, query.clone()).await?.ok()?);
        assert_eq!(found, ["Marc Tremblay"], "{query}");
    }

    let marc = &trainers[1];
    app.graphql_as(&marc.token, "mutation { disableProfile { status } }", json!({}))
        .await?
        .ok()?;
    let during = names(&app.graphql(DIRECTORY, query.clone()).await?.ok()?);
    assert!(!during.contains(&"Marc Tremblay".to_owned()), "{during:?}");
    for query in &one_word {
        let page = app.graphql(DIRECTORY, query.clone()).await?.ok()?;
        assert!(names(&page).is_empty(), "{query}: {}", page.body);
        assert_eq!(page.data("directory.totalCount")?, &json!(0));
    }
    let runners = json!({ "specialty": "running" });
    let listed = names(&app.graphql(DIRECTORY, runners.clone()).await?.ok()?);
    assert!(listed.is_empty(), "nor in a specialty's listing: {listed:?}");
    let suggestions = app
        .graphql("{ suggest(prefix: \"marc\", kind: NAME) }", json!({}))
        .await?
        .ok()?;
    assert_eq!(suggestions.data("suggest")?, &json!([]), "nor in suggestions");

    app.graphql_as(&marc.token, "mutation { enableProfile { status } }", json!({}))
        .await?
        .ok()?;
    let after = names(&app.graphql(DIRECTORY, query).await?.ok()?);
    assert_eq!(after, before);
    for query in &one_word {
        let found = names(&app.graphql(DIRECTORY, query.clone()).await?.ok()?);
        assert_eq!(found, ["Marc Tremblay"], "back: {query}");
    }
    assert_eq!(names(&app.graphql(DIRECTORY, runners).await?.ok()?), ["Marc Tremblay"]);
    Ok(())
}

#[tokio::test]
async fn pages_follow_cursors_with_a_total_count() -> Result<()> {
    let app = TestApp::spawn().await?;
    seed(&app).await?;
    let first = app.graphql(DIRECTORY, json!({ "first": 2 })).await?.ok()?;
    assert_eq!(first.data("directory.totalCount")?, &json!(3));
    assert_eq!(first.data("directory.pageInfo.hasNextPage")?, &json!(true));
    let cursor = first.str("directory.pageInfo.endCursor")?.to_owned();
    let second = app
        .graphql(DIRECTORY, json!({ "first": 2, "after": cursor }))
        .await?
        .ok()?;
    assert_eq!(names(&second).len(), 1);
    assert_eq!(second.data("directory.pageInfo.hasNextPage")?, &json!(false));
    assert_eq!(second.data("directory.pageInfo.hasPreviousPage")?, &json!(true));
    let mut all = names(&first);
    all.extend(names(&second));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 3, "no result twice, none skipped");

    for bad in [json!({ "first": 0 }), json!({ "first": 101 })] {
        assert_eq!(app.graphql(DIRECTORY, bad).await?.field(), Some("first"));
    }
    Ok(())
}

#[tokio::test]
async fn typeahead_completes_names_cities_and_specialties() -> Result<()> {
    let app = TestApp::spawn().await?;
    seed(&app).await?;
    let suggest = |prefix: &'static str, kind: &'static str| {
        app.graphql(
            "query($p: String!, $k: SuggestionKind!) { suggest(prefix: $p, kind: $k) }",
            json!({ "p": prefix, "k": kind }),
        )
    };
    let names = suggest("ma", "NAME").await?.ok()?;
    assert_eq!(names.data("suggest")?, &json!(["Marc Tremblay", "Maya Okafor"]));
    let cities = suggest("mon", "CITY").await?.ok()?;
    assert_eq!(cities.data("suggest")?, &json!(["Montréal"]), "one entry per city");
    let specialties = suggest("str", "SPECIALTY").await?.ok()?;
    assert_eq!(specialties.data("suggest")?, &json!(["Strength training"]));
    for wildcard in ["%", "_a", "m%"] {
        let none = suggest(wildcard, "NAME").await?.ok()?;
        assert_eq!(
            none.data("suggest")?,
            &json!([]),
            "{wildcard} is typed text, not a pattern"
        );
    }
    Ok(())
}

/// Statements the server ran for one directory page of `first` results.
async fn page_cost(app: &TestApp, first: i32) -> Result<(u64, Gql)> {
    let before = app.state.db_stats.statements();
    let page = app.graphql(DIRECTORY, json!({ "first": first })).await?.ok()?;
    Ok((app.state.db_stats.statements() - before, page))
}

#[tokio::test]
async fn a_page_costs_the_same_statements_for_two_or_twenty_results() -> Result<()> {
    let app = TestApp::spawn().await?;
    for i in 0..20 {
        trainer(
            &app,
            &format!("Trainer Number{i}"),
            "Ottawa",
            &["yoga", "pilates", "hiit"],
            "Classes.",
            None,
        )
        .await?;
    }
    let (two, small) = page_cost(&app, 2).await?;
    let (twenty, large) = page_cost(&app, 20).await?;
    assert_eq!(large.data("directory.edges")?.as_array().map(Vec::len), Some(20));
    let specialties = &large.data("directory.edges.19.node.specialties")?;
    assert_eq!(
        specialties.as_array().map(Vec::len),
        Some(3),
        "nested specialties are loaded"
    );
    assert_eq!(small.data("directory.edges")?.as_array().map(Vec::len), Some(2));
    assert_eq!(twenty, two, "statements per page do not grow with the page");
    assert_eq!(
        twenty, 1,
        "one statement reads the page, its count and every card's specialties"
    );
    Ok(())
}

#[tokio::test]
async fn anonymous_searching_is_limited_per_ip_and_members_have_their_own_budget() -> Result<()> {
    let app = TestApp::spawn_with(|s| {
        s.limits.anonymous_per_minute = 3;
        s.trusted_proxy = Some([127, 0, 0, 1].into());
    })
    .await?;
    let member = app.new_member().await?;
    let visitor = "203.0.113.7";
    for _ in 0..3 {
        app.graphql_from(visitor, None, DIRECTORY, json!({})).await?.ok()?;
    }
    let limited = app.graphql_from(visitor, None, DIRECTORY, json!({})).await?;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.code(), Some("RATE_LIMITED"));
    assert!(limited.headers.get("retry-after").is_some());
    let suggest = app
        .graphql_from(visitor, None, "{ suggest(prefix: \"a\", kind: CITY) }", json!({}))
        .await?;
    assert_eq!(suggest.code(), Some("RATE_LIMITED"), "typeahead shares the budget");
    app.graphql_from(visitor, Some(&member.token), DIRECTORY, json!({}))
        .await?
        .ok()?;
    Ok(())
}

/// Sets a profile's persistent search rank the way staff tooling does.
async fn set_rank(app: &TestApp, display_name: &str, rank: i64) -> Result<()> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let profile = entity::directory_profile::Entity::find()
        .filter(entity::directory_profile::Column::DisplayName.eq(display_name))
        .one(&app.state.db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no profile named {display_name}"))?;
    api::db::profiles::set_search_rank(&app.state.db, profile.id, rank, chrono::Utc::now()).await?;
    Ok(())
}

#[tokio::test]
async fn equally_relevant_matches_are_ordered_by_search_rank_then_by_age() -> Result<()> {
    let app = TestApp::spawn().await?;
    for name in ["Ada First", "Bea Second", "Cy Third"] {
        trainer(&app, name, "Regina", &["yoga"], "Classes.", None).await?;
    }
    let in_regina = || async {
        let by_text = names(&app.graphql(DIRECTORY, json!({ "q": "regina" })).await?.ok()?);
        let by_filter = names(&app.graphql(DIRECTORY, json!({ "city": "Regina" })).await?.ok()?);
        assert_eq!(by_text, by_filter, "a text match and a filter order the same way");
        for filters in [
            json!({ "specialty": "yoga" }),
            json!({ "city": "Regina", "specialty": "yoga" }),
            // With a filter the words go through the full-text index even on PostgreSQL,
            // where one word alone is read from its postings: both order the same way.
            json!({ "q": "regina", "specialty": "yoga" }),
        ] {
            let by_specialty = names(&app.graphql(DIRECTORY, filters).await?.ok()?);
            assert_eq!(by_text, by_specialty, "a specialty listing orders the same way");
        }
        anyhow::Ok(by_text)
    };
    assert_eq!(
        in_regina().await?,
        ["Ada First", "Bea Second", "Cy Third"],
        "equal ranks: the older profile first"
    );
    set_rank(&app, "Cy Third", 50).await?;
    set_rank(&app, "Bea Second", 10).await?;
    assert_eq!(in_regina().await?, ["Cy Third", "Bea Second", "Ada First"]);
    set_rank(&app, "Cy Third", 0).await?;
    assert_eq!(
        in_regina().await?,
        ["Bea Second", "Ada First", "Cy Third"],
        "a rank change shows at once"
    );
    Ok(())
}
