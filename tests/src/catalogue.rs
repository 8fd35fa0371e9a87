//! The course catalogue: staff edit it; everyone reads it; member prices only to members
//! (P21); retired courses leave it and stay for history.

use anyhow::Result;
use serde_json::json;
use shared::Role;
use tests::{TestApp, TestUser};

const CREATE: &str =
    "mutation($c: String!, $i: CourseInput!) { createCourse(code: $c, input: $i) { code cec hours approved } }";

async fn create(app: &TestApp, staff: &TestUser, code: &str, input: serde_json::Value) -> Result<tests::Gql> {
    app.graphql_as(&staff.token, CREATE, json!({ "c": code, "i": input }))
        .await
}

fn course(title: &str, delivery: &str, approved: bool, member_price: Option<&str>) -> serde_json::Value {
    json!({ "providerSlug": "canfit-academy", "title": title, "description": "What it covers.",
            "delivery": delivery, "hours": "7.5", "approved": approved, "publicPrice": "120.00",
            "memberPrice": member_price })
}

/// A provider and three courses (one with a member price, one not approved).
async fn catalogue(app: &TestApp) -> Result<TestUser> {
    let staff = app.new_with_role(Role::Staff).await?;
    app.graphql_as(
        &staff.token,
        "mutation { createCourseProvider(name: \"CanFit Academy\") { slug } }",
        json!({}),
    )
    .await?
    .ok()?;
    for (code, title, delivery, approved, member_price) in [
        ("NUT-201", "Sports nutrition", "ONLINE", true, Some("95.00")),
        ("YOG-110", "Yoga for athletes", "IN_PERSON", false, None),
        ("KET-100", "Kettlebells", "IN_PERSON", true, None),
    ] {
        create(app, &staff, code, course(title, delivery, approved, member_price))
            .await?
            .ok()?;
    }
    Ok(staff)
}

#[tokio::test]
async fn staff_build_the_catalogue_with_checked_fields() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let member = app.new_member().await?;
    let by_member = app
        .graphql_as(
            &member.token,
            "mutation { createCourseProvider(name: \"Nope\") { slug } }",
            json!({}),
        )
        .await?;
    assert_eq!(by_member.code(), Some("FORBIDDEN"));
    let provider = app
        .graphql_as(
            &staff.token,
            "mutation { createCourseProvider(name: \"CanFit Academy\") { slug } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(provider.str("createCourseProvider.slug")?, "canfit-academy");

    let made = create(
        &app,
        &staff,
        "nut-201",
        course("Sports nutrition", "ONLINE", true, Some("95.00")),
    )
    .await?
    .ok()?;
    assert_eq!(
        made.str("createCourse.code")?,
        "NUT-201",
        "codes are written in capitals"
    );
    assert_eq!(made.str("createCourse.cec")?, "0.7", "7.5 hours at 0.1 CEC an hour");
    create(
        &app,
        &staff,
        "YOG-110",
        course("Yoga for athletes", "IN_PERSON", false, None),
    )
    .await?
    .ok()?;
    create(&app, &staff, "KET-100", course("Kettlebells", "IN_PERSON", true, None))
        .await?
        .ok()?;
    let taken = create(&app, &staff, "NUT-201", course("Again", "ONLINE", true, None)).await?;
    assert_eq!((taken.code(), taken.field()), (Some("CONFLICT"), Some("code")));
    let dearer = create(&app, &staff, "BAD-1", course("Dearer", "ONLINE", true, Some("130.00"))).await?;
    assert_eq!(
        (dearer.code(), dearer.field()),
        (Some("VALIDATION"), Some("memberPrice"))
    );
    let no_hours = create(
        &app,
        &staff,
        "BAD-2",
        json!({ "providerSlug": "canfit-academy", "title": "T", "delivery": "ONLINE", "hours": "0", "approved": true, "publicPrice": "1" }),
    )
    .await?;
    assert_eq!(no_hours.field(), Some("hours"));
    Ok(())
}

#[tokio::test]
async fn everyone_reads_the_catalogue_by_title_and_only_members_see_member_prices() -> Result<()> {
    let app = TestApp::spawn().await?;
    catalogue(&app).await?;
    let member = app.new_member().await?;
    // Anyone reads the catalogue by title, filtered; the member price is for members.
    let list = "query($d: CourseDelivery, $a: Boolean, $after: String) { courses(delivery: $d, approved: $a, first: 2, after: $after) { edges { cursor node { code publicPrice { cents } hasMemberPrice } } pageInfo { hasNextPage endCursor } } }";
    let page = app.graphql(list, json!({})).await?.ok()?;
    let codes: Vec<&str> = page
        .data("courses.edges")?
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["code"].as_str())
        .collect();
    assert_eq!(codes, ["KET-100", "NUT-201"], "by title");
    let after = page.str("courses.pageInfo.endCursor")?.to_owned();
    let next = app.graphql(list, json!({ "after": after })).await?.ok()?;
    assert_eq!(next.str("courses.edges.0.node.code")?, "YOG-110");
    assert_eq!(next.data("courses.pageInfo.hasNextPage")?, &json!(false));
    let online = app.graphql(list, json!({ "d": "ONLINE" })).await?.ok()?;
    assert_eq!(online.data("courses.edges")?.as_array().map(Vec::len), Some(1));
    let not_approved = app.graphql(list, json!({ "a": false })).await?.ok()?;
    assert_eq!(not_approved.str("courses.edges.0.node.code")?, "YOG-110");

    let prices =
        "{ course(code: \"NUT-201\") { publicPrice { cents formatted } hasMemberPrice memberPrice { cents } } }";
    let anonymous = app.graphql(prices, json!({})).await?;
    assert_eq!(
        anonymous.code(),
        Some("UNAUTHENTICATED"),
        "no member price before login"
    );
    assert!(!anonymous.body.to_string().contains("9500"), "{}", anonymous.body);
    let public_only = app
        .graphql(
            "{ course(code: \"NUT-201\") { publicPrice { cents } hasMemberPrice } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(public_only.data("course.publicPrice.cents")?, &json!(12000));
    assert_eq!(public_only.data("course.hasMemberPrice")?, &json!(true));
    let as_member = app.graphql_as(&member.token, prices, json!({})).await?.ok()?;
    assert_eq!(as_member.data("course.memberPrice.cents")?, &json!(9500));
    Ok(())
}

#[tokio::test]
async fn a_retired_course_leaves_the_catalogue_and_stays_for_staff() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = catalogue(&app).await?;
    let list = "{ courses(first: 2) { edges { node { code } } } }";
    app.graphql_as(
        &staff.token,
        "mutation { retireCourse(code: \"KET-100\") { retired } }",
        json!({}),
    )
    .await?
    .ok()?;
    let again = app
        .graphql_as(
            &staff.token,
            "mutation { retireCourse(code: \"KET-100\") { retired } }",
            json!({}),
        )
        .await?;
    assert_eq!(again.code(), Some("CONFLICT"));
    let page = app.graphql(list, json!({})).await?.ok()?;
    assert_eq!(page.str("courses.edges.0.node.code")?, "NUT-201");
    let gone = app
        .graphql("{ course(code: \"KET-100\") { title } }", json!({}))
        .await?;
    assert_eq!(gone.code(), Some("NOT_FOUND"));
    let for_staff = app
        .graphql_as(&staff.token, "{ course(code: \"KET-100\") { retired } }", json!({}))
        .await?
        .ok()?;
    assert_eq!(for_staff.data("course.retired")?, &json!(true));
    Ok(())
}

const SEARCH: &str = "query($q: String, $a: String, $f: Int, $o: Boolean) { courses(query: $q, after: $a, first: $f, approved: $o) { edges { node { code title } } pageInfo { hasNextPage endCursor } } }";

async fn codes(app: &TestApp, query: &str) -> Result<Vec<String>> {
    let found = app.graphql(SEARCH, json!({ "q": query })).await?.ok()?;
    Ok(found
        .data("courses.edges")?
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["code"].as_str().map(str::to_owned))
        .collect())
}

#[tokio::test]
async fn the_catalogue_is_searched_by_words_prefixes_and_small_typos_best_match_first() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = catalogue(&app).await?;
    create(
        &app,
        &staff,
        "NUT-310",
        json!({ "providerSlug": "canfit-academy", "title": "Nutrition coaching", "description": "Meal plans and sports nutrition for clients.",
                "delivery": "ONLINE", "hours": "5", "approved": true, "publicPrice": "80.00" }),
    )
    .await?
    .ok()?;
    create(
        &app,
        &staff,
        "STR-200",
        json!({ "providerSlug": "canfit-academy", "title": "Strength for seniors", "description": "Includes a short part on nutrition.",
                "delivery": "IN_PERSON", "hours": "6", "approved": true, "publicPrice": "90.00" }),
    )
    .await?
    .ok()?;

    // Title matches before a description's mention; the last word may be a prefix.
    let nutrition = codes(&app, "nutrition").await?;
    assert_eq!(nutrition.len(), 3, "{nutrition:?}");
    assert_eq!(
        nutrition.last().map(String::as_str),
        Some("STR-200"),
        "a description's mention comes last"
    );
    assert_eq!(codes(&app, "nutri").await?.len(), 3, "the word being typed is a prefix");
    assert_eq!(
        codes(&app, "sports nutr").await?,
        vec!["NUT-201".to_owned(), "NUT-310".to_owned()]
    );
    // Typos, accents and case as in the directory; codes and providers are words too.
    assert_eq!(codes(&app, "kettlebels").await?, vec!["KET-100".to_owned()], "one typo");
    assert_eq!(codes(&app, "YÔGA").await?, vec!["YOG-110".to_owned()]);
    assert_eq!(codes(&app, "ket 100").await?, vec!["KET-100".to_owned()]);
    assert_eq!(codes(&app, "canfit").await?.len(), 5, "the provider's name");
    assert!(codes(&app, "pilates").await?.is_empty());
    // Punctuation cannot reach the full-text syntax.
    assert!(codes(&app, "\" OR * -- ) AND (").await?.is_empty());

    // Filters and pages hold within a search; a cursor belongs to its search.
    let approved = app
        .graphql(SEARCH, json!({ "q": "nutrition", "o": true, "f": 2 }))
        .await?
        .ok()?;
    assert_eq!(approved.data("courses.pageInfo.hasNextPage")?, true);
    let cursor = approved.str("courses.pageInfo.endCursor")?.to_owned();
    let rest = app
        .graphql(SEARCH, json!({ "q": "nutrition", "o": true, "f": 2, "a": cursor }))
        .await?
        .ok()?;
    let mut all: Vec<String> = [&approved, &rest]
        .iter()
        .flat_map(|g| {
            g.data("courses.edges")
                .ok()
                .and_then(|v| v.as_array().cloned())
                .unwrap_or_default()
        })
        .filter_map(|e| e["node"]["code"].as_str().map(str::to_owned))
        .collect();
    all.sort();
    assert_eq!(all, vec!["NUT-201", "NUT-310", "STR-200"]);
    let elsewhere = app.graphql(SEARCH, json!({ "q": "strength", "a": cursor })).await?;
    assert_eq!(
        elsewhere.code(),
        Some("VALIDATION"),
        "a cursor of another search is refused"
    );

    // A retired course leaves the search too; an edited title is found at once.
    app.graphql_as(
        &staff.token,
        "mutation { retireCourse(code: \"KET-100\") { retired } }",
        json!({}),
    )
    .await?
    .ok()?;
    assert!(codes(&app, "kettlebells").await?.is_empty());
    create_update(&app, &staff).await?;
    assert_eq!(codes(&app, "mobility").await?, vec!["STR-200".to_owned()]);
    Ok(())
}

async fn create_update(app: &TestApp, staff: &TestUser) -> Result<()> {
    app.graphql_as(
        &staff.token,
        "mutation($i: CourseInput!) { updateCourse(code: \"STR-200\", input: $i) { code } }",
        json!({ "i": { "providerSlug": "canfit-academy", "title": "Mobility for seniors", "delivery": "IN_PERSON",
                       "hours": "6", "approved": true, "publicPrice": "90.00" } }),
    )
    .await?
    .ok()?;
    Ok(())
}

#[tokio::test]
async fn typeahead_completes_course_titles_and_provider_names() -> Result<()> {
    let app = TestApp::spawn().await?;
    catalogue(&app).await?;
    let suggest = "query($p: String!, $k: SuggestionKind!) { suggest(prefix: $p, kind: $k) }";
    let titles = app
        .graphql(suggest, json!({ "p": "nutr", "k": "COURSE" }))
        .await?
        .ok()?;
    assert_eq!(titles.data("suggest")?, &json!(["Sports nutrition"]));
    let athletes = app
        .graphql(suggest, json!({ "p": "ATHL", "k": "COURSE" }))
        .await?
        .ok()?;
    assert_eq!(
        athletes.data("suggest")?,
        &json!(["Yoga for athletes"]),
        "any word of a title"
    );
    let providers = app
        .graphql(suggest, json!({ "p": "canf", "k": "PROVIDER" }))
        .await?
        .ok()?;
    assert_eq!(providers.data("suggest")?, &json!(["CanFit Academy"]));
    let none = app
        .graphql(suggest, json!({ "p": "zzz", "k": "PROVIDER" }))
        .await?
        .ok()?;
    assert_eq!(none.data("suggest")?, &json!([]));
    Ok(())
}

#[tokio::test]
async fn a_renamed_provider_is_found_by_its_new_name_and_a_retired_one_takes_its_courses_along() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = catalogue(&app).await?;
    let renamed = app
        .graphql_as(
            &staff.token,
            "mutation { updateCourseProvider(slug: \"canfit-academy\", name: \"Northwind Movement School\") { slug name } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(
        renamed.str("updateCourseProvider.slug")?,
        "canfit-academy",
        "its address stays"
    );
    assert_eq!(
        codes(&app, "northwind").await?.len(),
        3,
        "its courses are found by the new name"
    );
    assert!(codes(&app, "canfit").await?.is_empty());

    let retired = app
        .graphql_as(
            &staff.token,
            "mutation { retireCourseProvider(slug: \"canfit-academy\") { retired } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(retired.data("retireCourseProvider.retired")?, true);
    let listed = app
        .graphql(
            "{ courseProviders { slug } courses { edges { node { code } } } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(listed.data("courseProviders")?, &json!([]));
    assert_eq!(
        listed.data("courses.edges")?,
        &json!([]),
        "its courses left the catalogue"
    );
    let kept = app
        .graphql_as(&staff.token, "{ course(code: \"NUT-201\") { retired } }", json!({}))
        .await?
        .ok()?;
    assert_eq!(kept.data("course.retired")?, true, "and stay for history");
    let again = app
        .graphql_as(
            &staff.token,
            "mutation { retireCourseProvider(slug: \"canfit-academy\") { retired } }",
            json!({}),
        )
        .await?;
    assert_eq!(again.code(), Some("CONFLICT"));
    Ok(())
}
