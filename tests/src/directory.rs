//! The public directory: profiles the member controls, the phone showcase, disable and
//! delete, and the contact relay.

use anyhow::{Result, anyhow};
use entity::enums::MessageKind;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use shared::Role;
use tests::{TestApp, TestUser};

const SAVE: &str = "mutation($input: ProfileInput!) { saveMyProfile(input: $input) { slug displayName specialties { slug } showPhone status } }";
const PUBLIC: &str = "query($slug: String!) { profile(slug: $slug) { slug displayName city region country bio languages specialties { slug name } phone photoUrl certificationStatus } }";
const RECORD: &str = "mutation($input: MemberRecordInput!) { updateMyRecord(input: $input) { phone } }";

fn profile_input(name: &str) -> Value {
    json!({
        "displayName": name,
        "city": "Montréal",
        "region": "Québec",
        "country": "Canada",
        "bio": "Strength coach for busy people.",
        "languages": ["English", "French"],
        "specialties": ["strength-training", "mobility"],
    })
}

/// A member with a record phone and a saved profile; returns the profile slug.
async fn trainer_with_profile(app: &TestApp, name: &str) -> Result<(TestUser, String)> {
    let trainer = app.new_member().await?;
    app.graphql_as(
        &trainer.token,
        RECORD,
        json!({ "input": { "phone": "+1 514 555 0199" } }),
    )
    .await?
    .ok()?;
    let saved = app
        .graphql_as(&trainer.token, SAVE, json!({ "input": profile_input(name) }))
        .await?
        .ok()?;
    let slug = saved.str("saveMyProfile.slug")?.to_owned();
    Ok((trainer, slug))
}

#[tokio::test]
async fn a_saved_profile_is_public_without_any_private_field() -> Result<()> {
    let app = TestApp::spawn().await?;
    let (trainer, slug) = trainer_with_profile(&app, "Chloé Tremblay").await?;
    assert_eq!(slug, "chloe-tremblay");

    let public = app.graphql(PUBLIC, json!({ "slug": slug })).await?.ok()?;
    assert_eq!(public.str("profile.displayName")?, "Chloé Tremblay");
    assert_eq!(public.str("profile.city")?, "Montréal");
    assert_eq!(public.data("profile.languages")?, &json!(["English", "French"]));
    let specialties: Vec<&str> = public
        .data("profile.specialties")?
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["slug"].as_str())
        .collect();
    assert_eq!(specialties, ["mobility", "strength-training"], "sorted by name");
    assert!(public.data("profile.phone")?.is_null(), "phone hidden until showcased");
    let body = public.body.to_string();
    assert!(
        !body.contains(&trainer.email) && !body.contains('@'),
        "no e-mail in a public answer"
    );
    assert!(!body.contains("555"), "no phone digits in a public answer");
    assert!(!body.contains(&trainer.member_number));
    Ok(())
}

#[tokio::test]
async fn the_public_type_has_no_private_fields_to_ask_for() -> Result<()> {
    let app = TestApp::spawn().await?;
    for field in [
        "email",
        "memberNumber",
        "legalName",
        "dateOfBirth",
        "address",
        "showPhone",
    ] {
        let response = app
            .graphql(&format!("{{ profile(slug: \"x\") {{ {field} }} }}"), json!({}))
            .await?;
        assert_eq!(
            response.code(),
            Some("VALIDATION"),
            "{field} must not exist on PublicProfile"
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_phone_is_public_only_while_showcased() -> Result<()> {
    let app = TestApp::spawn().await?;
    let (trainer, slug) = trainer_with_profile(&app, "Maya Okafor").await?;
    let phone = |response: &tests::Gql| response.data("profile.phone").cloned();

    let on = app
        .graphql_as(
            &trainer.token,
            "mutation { setPhoneShowcase(show: true) { showPhone } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(on.data("setPhoneShowcase.showPhone")?, &json!(true));
    let shown = app.graphql(PUBLIC, json!({ "slug": slug })).await?.ok()?;
    assert_eq!(phone(&shown)?, json!("+1 514 555 0199"));

    // A new number in the member record shows at once while showcased, and an old one
    // is nowhere (the public row keeps a copy of the showcased phone).
    app.graphql_as(
        &trainer.token,
        RECORD,
        json!({ "input": { "phone": "+1 438 555 0101" } }),
    )
    .await?
    .ok()?;
    let changed = app.graphql(PUBLIC, json!({ "slug": slug })).await?.ok()?;
    assert_eq!(phone(&changed)?, json!("+1 438 555 0101"));
    assert!(!changed.body.to_string().contains("555 0199"), "{}", changed.body);

    app.graphql_as(
        &trainer.token,
        "mutation { setPhoneShowcase(show: false) { showPhone } }",
        json!({}),
    )
    .await?
    .ok()?;
    let hidden = app.graphql(PUBLIC, json!({ "slug": slug })).await?.ok()?;
    assert_eq!(phone(&hidden)?, Value::Null);
    // Hidden, a change of number stays private too.
    app.graphql_as(
        &trainer.token,
        RECORD,
        json!({ "input": { "phone": "+1 438 555 0102" } }),
    )
    .await?
    .ok()?;
    let still_hidden = app.graphql(PUBLIC, json!({ "slug": slug })).await?.ok()?;
    assert_eq!(phone(&still_hidden)?, Value::Null);
    Ok(())
}

#[tokio::test]
async fn a_disabled_profile_is_not_found_and_comes_back_with_its_rank() -> Result<()> {
    let app = TestApp::spawn().await?;
    let (trainer, slug) = trainer_with_profile(&app, "Liam O'Brien").await?;
    let (_, second) = trainer_with_profile(&app, "Maeve Second").await?;
    let (_, third) = trainer_with_profile(&app, "Nuala Third").await?;
    for (slug, rank) in [(&slug, 70), (&second, 40), (&third, 15)] {
        set_rank_of(&app, slug, rank).await?;
    }
    let everyone = ["Liam O'Brien", "Maeve Second", "Nuala Third"];
    assert_eq!(listed_names(&app, json!({})).await?, everyone, "by rank");

    let disabled = app
        .graphql_as(&trainer.token, "mutation { disableProfile { status } }", json!({}))
        .await?
        .ok()?;
    assert_eq!(disabled.str("disableProfile.status")?, "DISABLED");
    let gone = app.graphql(PUBLIC, json!({ "slug": slug })).await?;
    assert_eq!(gone.code(), Some("NOT_FOUND"));
    assert_eq!(listed_names(&app, json!({})).await?, everyone[1..]);
    assert_eq!(listed_names(&app, json!({ "q": "strength" })).await?, everyone[1..]);
    let contact = contact(&app, &slug, "visitor@example.org").await?;
    assert_eq!(
        contact.code(),
        Some("NOT_FOUND"),
        "a hidden trainer cannot be contacted either"
    );

    app.graphql_as(&trainer.token, "mutation { enableProfile { status } }", json!({}))
        .await?
        .ok()?;
    app.graphql(PUBLIC, json!({ "slug": slug })).await?.ok()?;
    assert_eq!(rank_of(&app, &slug).await?, 70, "the rank was kept");
    assert_eq!(listed_names(&app, json!({})).await?, everyone, "first again");
    assert_eq!(listed_names(&app, json!({ "q": "strength" })).await?, everyone);
    Ok(())
}

async fn rank_of(app: &TestApp, slug: &str) -> Result<i64> {
    entity::directory_profile::Entity::find()
        .filter(entity::directory_profile::Column::Slug.eq(slug))
        .one(&app.state.db)
        .await?
        .map(|p| p.search_rank)
        .ok_or_else(|| anyhow!("no profile {slug}"))
}

#[tokio::test]
async fn staff_can_hide_any_profile_and_other_members_cannot() -> Result<()> {
    let app = TestApp::spawn().await?;
    let (trainer, slug) = trainer_with_profile(&app, "Ana Silva").await?;
    let other = app.new_member().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let hide = "mutation($n: String) { disableProfile(memberNumber: $n) { status } }";

    let by_other = app
        .graphql_as(&other.token, hide, json!({ "n": trainer.member_number }))
        .await?;
    assert_eq!(by_other.code(), Some("FORBIDDEN"));
    app.graphql(PUBLIC, json!({ "slug": slug })).await?.ok()?;

    app.graphql_as(&staff.token, hide, json!({ "n": trainer.member_number }))
        .await?
        .ok()?;
    assert_eq!(
        app.graphql(PUBLIC, json!({ "slug": slug })).await?.code(),
        Some("NOT_FOUND")
    );
    Ok(())
}

#[tokio::test]
async fn deleting_a_profile_needs_the_password_and_removes_rows_and_files() -> Result<()> {
    let app = TestApp::spawn().await?;
    let (trainer, slug) = trainer_with_profile(&app, "Noor Haddad").await?;

    // A photo on disk, as an upload leaves it (storage names files by 128 random bits).
    let photos = app.state.settings.data_dir.join("photos");
    std::fs::create_dir_all(&photos)?;
    let photo = photos.join("3f9c2e7a1b4d5e6f708192a3b4c5d6e7.webp");
    std::fs::write(&photo, b"RIFF....WEBP")?;
    entity::directory_profile::Entity::update_many()
        .col_expr(
            entity::directory_profile::Column::PhotoFile,
            sea_orm::sea_query::Expr::val("3f9c2e7a1b4d5e6f708192a3b4c5d6e7.webp"),
        )
        .filter(entity::directory_profile::Column::Slug.eq(slug.as_str()))
        .exec(&app.state.db)
        .await?;

    let delete = "mutation($p: String) { deleteProfile(password: $p) }";
    let wrong = app
        .graphql_as(&trainer.token, delete, json!({ "p": "not my password" }))
        .await?;
    assert_eq!((wrong.code(), wrong.field()), (Some("VALIDATION"), Some("password")));
    let missing = app.graphql_as(&trainer.token, delete, json!({})).await?;
    assert_eq!(missing.field(), Some("password"));
    assert!(photo.exists());

    app.graphql_as(&trainer.token, delete, json!({ "p": trainer.password }))
        .await?
        .ok()?;
    assert!(!photo.exists(), "the photo file is gone from disk");
    assert_eq!(
        app.graphql(PUBLIC, json!({ "slug": slug })).await?.code(),
        Some("NOT_FOUND")
    );
    let rows = entity::profile_specialty::Entity::find().all(&app.state.db).await?;
    assert!(rows.is_empty(), "specialty links went with the profile");
    // The typo index holds name words, and only while some profile's name uses them; the
    // entries and their counts go with the profile (the only one here).
    let index_rows = "SELECT (SELECT COUNT(*) FROM search_entry) + (SELECT COUNT(*) FROM search_count) + \
         (SELECT COUNT(*) FROM name_trigram WHERE word IN ('noor', 'haddad')) AS n";
    assert_eq!(
        app.count(index_rows).await?,
        0,
        "nothing of the profile is left in the search indexes"
    );
    let me = app
        .graphql_as(&trainer.token, "{ me { email profile { slug } } }", json!({}))
        .await?
        .ok()?;
    assert_eq!(me.str("me.email")?, trainer.email, "the member record stays");
    assert!(me.data("me.profile")?.is_null());
    Ok(())
}

async fn contact(app: &TestApp, slug: &str, sender: &str) -> Result<tests::Gql> {
    app.graphql(
        "mutation($slug: String!, $email: String!) { contactTrainer(profileSlug: $slug, senderName: \"Vi Sitor\", senderEmail: $email, message: \"Do you train on weekends?\") }",
        json!({ "slug": slug, "email": sender }),
    )
    .await
}

#[tokio::test]
async fn the_contact_relay_queues_the_message_with_the_sender_ip_and_reveals_nothing() -> Result<()> {
    let app = TestApp::spawn_with(|s| s.limits.contact_ip_burst = 2).await?;
    let (trainer, slug) = trainer_with_profile(&app, "Sam Lee").await?;

    let sent = contact(&app, &slug, "visitor@example.org").await?.ok()?;
    assert_eq!(sent.data("contactTrainer")?, &json!(true));
    assert!(!sent.body.to_string().contains(&trainer.email));

    let queued = app.mail_to(&trainer.email, MessageKind::ContactRelay).await?;
    assert_eq!(queued.len(), 1);
    let message = &queued[0];
    assert_eq!(message.sender_ip.as_deref(), Some("127.0.0.1"));
    assert!(
        message.headers.contains("visitor@example.org"),
        "Reply-To: {}",
        message.headers
    );
    assert!(message.body.contains("Do you train on weekends?"), "{}", message.body);
    assert!(
        message.body.contains("Sent from IP address 127.0.0.1"),
        "{}",
        message.body
    );
    let stored = format!("{message:?}");
    assert!(
        !stored.contains(&trainer.email),
        "the trainer's address is looked up only at sending"
    );

    let bad = contact(&app, &slug, "not-an-address").await?;
    assert_eq!((bad.code(), bad.field()), (Some("VALIDATION"), Some("senderEmail")));
    let limited = contact(&app, &slug, "visitor@example.org").await?;
    assert_eq!(limited.code(), Some("RATE_LIMITED"), "third message from one IP");
    Ok(())
}

#[tokio::test]
async fn private_record_fields_are_for_the_owner_and_staff_only() -> Result<()> {
    let app = TestApp::spawn().await?;
    let trainer = app.new_member().await?;
    let other = app.new_member().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    app.graphql_as(
        &trainer.token,
        RECORD,
        json!({ "input": { "phone": "+1 514 555 0123", "streetAddress": "12 Rue Saint-Denis", "city": "Montréal",
                           "postalCode": "H2X 3K8", "country": "Canada", "dateOfBirth": "1990-04-01" } }),
    )
    .await?
    .ok()?;
    let read =
        "query($n: String!) { member(memberNumber: $n) { phone dateOfBirth address { streetAddress postalCode } } }";
    let mine = app
        .graphql_as(
            &trainer.token,
            "{ me { phone dateOfBirth address { streetAddress postalCode } } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(mine.str("me.phone")?, "+1 514 555 0123");
    assert_eq!(mine.str("me.dateOfBirth")?, "1990-04-01");
    assert_eq!(mine.str("me.address.postalCode")?, "H2X 3K8");

    let by_staff = app
        .graphql_as(&staff.token, read, json!({ "n": trainer.member_number }))
        .await?
        .ok()?;
    assert_eq!(by_staff.str("member.address.streetAddress")?, "12 Rue Saint-Denis");
    let by_other = app
        .graphql_as(&other.token, read, json!({ "n": trainer.member_number }))
        .await?;
    assert_eq!(by_other.code(), Some("FORBIDDEN"));
    assert!(!by_other.body.to_string().contains("Saint-Denis"));

    let bad_phone = app
        .graphql_as(&trainer.token, RECORD, json!({ "input": { "phone": "12" } }))
        .await?;
    assert_eq!(
        (bad_phone.code(), bad_phone.field()),
        (Some("VALIDATION"), Some("phone"))
    );
    Ok(())
}

#[tokio::test]
async fn slugs_are_unique_and_made_from_the_name() -> Result<()> {
    let app = TestApp::spawn().await?;
    let (_, first) = trainer_with_profile(&app, "Jo Park").await?;
    let (second_trainer, second) = trainer_with_profile(&app, "Jo Park").await?;
    assert_eq!((first.as_str(), second.as_str()), ("jo-park", "jo-park-2"));

    let mut input = profile_input("Jo Park");
    input["slug"] = json!("jo-park");
    let taken = app
        .graphql_as(&second_trainer.token, SAVE, json!({ "input": input }))
        .await?;
    assert_eq!((taken.code(), taken.field()), (Some("CONFLICT"), Some("slug")));
    let mut input = profile_input("Jo Park");
    input["specialties"] = json!(["underwater-basket-weaving"]);
    let unknown = app
        .graphql_as(&second_trainer.token, SAVE, json!({ "input": input }))
        .await?;
    assert_eq!(unknown.field(), Some("specialties"));
    let anonymous = app.graphql(SAVE, json!({ "input": profile_input("Nobody") })).await?;
    assert_eq!(anonymous.code(), Some("UNAUTHENTICATED"));
    Ok(())
}

/// Every field of a card, with an alias and `__typename`, as the web app and typical
/// clients ask.
const CARD: &str = "__typename slug name: displayName city region country bio languages \
                    specialties { __typename slug name } phone photoUrl certificationStatus";

#[tokio::test]
async fn a_card_reads_the_same_however_it_is_asked() -> Result<()> {
    // Plain selections of a card are answered in one pass, anything else by the derived
    // resolvers (`api::schema::plain`): both must give the same answer, for the profile
    // page and for directory pages.
    let app = TestApp::spawn().await?;
    let (trainer, slug) = trainer_with_profile(&app, "Inès Gagnon").await?;
    app.graphql_as(
        &trainer.token,
        "mutation { setPhoneShowcase(show: true) { showPhone } }",
        json!({}),
    )
    .await?
    .ok()?;
    trainer_with_profile(&app, "Inès Girard").await?;
    // (selection, fragment definitions the document needs)
    let ways = [
        (format!("{{ {CARD} }}"), String::new()),
        (
            "{ ...Card }".to_owned(),
            format!("fragment Card on PublicProfile {{ {CARD} }}"),
        ),
        (format!("{{ ... on PublicProfile {{ {CARD} }} }}"), String::new()),
        (
            format!("{{ {} }}", CARD.replace("bio", "bio @include(if: true)")),
            String::new(),
        ),
        (format!("{{ slug {CARD} }}"), String::new()),
    ];
    let mut answers = Vec::new();
    for (selection, fragments) in &ways {
        let page = format!("{{ directory(query: \"ines\") {{ edges {{ node {selection} }} }} }} {fragments}");
        let profile = format!("{{ profile(slug: \"{slug}\") {selection} }} {fragments}");
        let mut asked = Vec::new();
        for document in [page, profile] {
            asked.push(app.graphql(&document, json!({})).await?.ok()?.body["data"].clone());
        }
        answers.push(asked);
    }
    let plain = &answers[0];
    assert_eq!(plain[0]["directory"]["edges"].as_array().map(Vec::len), Some(2));
    let card = &plain[1]["profile"];
    assert_eq!(card["__typename"], json!("PublicProfile"));
    assert_eq!(card["name"], json!("Inès Gagnon"));
    assert_eq!(card["phone"], json!("+1 514 555 0199"));
    assert_eq!(card["certificationStatus"], json!("NONE"));
    assert_eq!(card["specialties"][0]["__typename"], json!("Specialty"));
    assert_eq!(card["languages"], json!(["English", "French"]));
    for ((way, _), answer) in ways.iter().zip(&answers).skip(1) {
        assert_eq!(answer, plain, "asked as {way}");
    }
    Ok(())
}

const LISTING: &str = "query($q: String, $city: String, $specialty: String) { directory(query: $q, city: $city, specialty: $specialty) { totalCount edges { node { displayName } } } }";

async fn listed_names(app: &TestApp, variables: Value) -> Result<Vec<String>> {
    let page = app.graphql(LISTING, variables).await?.ok()?;
    Ok(page
        .data("directory.edges")?
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|edge| edge["node"]["displayName"].as_str().map(str::to_owned))
        .collect())
}

async fn set_rank_of(app: &TestApp, slug: &str, rank: i64) -> Result<()> {
    let profile = entity::directory_profile::Entity::find()
        .filter(entity::directory_profile::Column::Slug.eq(slug))
        .one(&app.state.db)
        .await?
        .ok_or_else(|| anyhow!("no profile {slug}"))?;
    api::db::profiles::set_search_rank(&app.state.db, profile.id, rank, chrono::Utc::now()).await?;
    Ok(())
}

#[tokio::test]
async fn disabling_an_account_hides_every_public_trace_and_enabling_restores_its_rank() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let (quill, quill_slug) = trainer_with_profile(&app, "Quillon Marsh").await?;
    let (_, bryn_slug) = trainer_with_profile(&app, "Bryn Halloway").await?;
    let (_, cato_slug) = trainer_with_profile(&app, "Cato Wendry").await?;
    for (slug, rank) in [(&quill_slug, 30), (&bryn_slug, 20), (&cato_slug, 10)] {
        set_rank_of(&app, slug, rank).await?;
    }
    app.graphql_as(
        &quill.token,
        "mutation { setPhoneShowcase(show: true) { showPhone } }",
        json!({}),
    )
    .await?
    .ok()?;
    let photo = crate::photos::upload(&app, &quill, "me.png", crate::photos::png(512))
        .await?
        .ok()?
        .str("uploadProfilePhoto.photoUrl")?
        .to_owned();
    let everyone = ["Quillon Marsh", "Bryn Halloway", "Cato Wendry"];
    assert_eq!(listed_names(&app, json!({ "city": "Montréal" })).await?, everyone);

    let set_status =
        "mutation($n: String!, $s: MemberStatus!) { setMemberStatus(memberNumber: $n, status: $s) { status } }";
    app.graphql_as(
        &staff.token,
        set_status,
        json!({ "n": quill.member_number, "s": "DISABLED" }),
    )
    .await?
    .ok()?;

    // No public answer knows the profile any more: page, listings, searches, typeahead,
    // photo, phone, contact form.
    let page = app.graphql(PUBLIC, json!({ "slug": quill_slug })).await?;
    assert_eq!(page.code(), Some("NOT_FOUND"));
    assert_eq!(listed_names(&app, json!({ "city": "Montréal" })).await?, everyone[1..]);
    for query in ["quillon", "quillon marsh", "marsh", "strength"] {
        let found = listed_names(&app, json!({ "q": query })).await?;
        assert!(!found.iter().any(|n| n == "Quillon Marsh"), "{query}: {found:?}");
    }
    let by_specialty = listed_names(&app, json!({ "specialty": "mobility" })).await?;
    assert_eq!(by_specialty, everyone[1..]);
    let typeahead = app
        .graphql("{ suggest(prefix: \"quil\", kind: NAME) }", json!({}))
        .await?
        .ok()?;
    assert_eq!(typeahead.data("suggest")?, &json!([]));
    let photo_answer = app.send(app.client.get(app.url(&photo))).await?;
    assert_eq!(photo_answer.status(), 404);
    let contact_answer = contact(&app, &quill_slug, "visitor@example.org").await?;
    assert_eq!(contact_answer.code(), Some("NOT_FOUND"));
    let whole_page = app.graphql(LISTING, json!({ "city": "Montréal" })).await?.ok()?;
    assert!(
        !whole_page.body.to_string().contains("514 555 0199"),
        "no phone anywhere"
    );

    // Staff see the member's own choice (still listed) and that the public does not see it.
    let seen_by_staff = app
        .graphql_as(
            &staff.token,
            "query($n: String!) { member(memberNumber: $n) { profile { status listed } } }",
            json!({ "n": quill.member_number }),
        )
        .await?
        .ok()?;
    assert_eq!(
        seen_by_staff.data("member.profile")?,
        &json!({ "status": "ACTIVE", "listed": false })
    );

    app.graphql_as(
        &staff.token,
        set_status,
        json!({ "n": quill.member_number, "s": "ACTIVE" }),
    )
    .await?
    .ok()?;
    assert_eq!(
        listed_names(&app, json!({ "city": "Montréal" })).await?,
        everyone,
        "back first, at the rank it had"
    );
    assert_eq!(listed_names(&app, json!({ "q": "quillon" })).await?, ["Quillon Marsh"]);
    app.graphql(PUBLIC, json!({ "slug": quill_slug })).await?.ok()?;
    assert_eq!(app.send(app.client.get(app.url(&photo))).await?.status(), 200);
    Ok(())
}

#[tokio::test]
async fn a_profile_hidden_by_its_member_stays_hidden_when_the_account_comes_back() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let (trainer, slug) = trainer_with_profile(&app, "Hidden Choice").await?;
    app.graphql_as(&trainer.token, "mutation { disableProfile { status } }", json!({}))
        .await?
        .ok()?;
    let set_status =
        "mutation($n: String!, $s: MemberStatus!) { setMemberStatus(memberNumber: $n, status: $s) { status } }";
    for status in ["DISABLED", "ACTIVE"] {
        app.graphql_as(
            &staff.token,
            set_status,
            json!({ "n": trainer.member_number, "s": status }),
        )
        .await?
        .ok()?;
    }
    let page = app.graphql(PUBLIC, json!({ "slug": slug })).await?;
    assert_eq!(page.code(), Some("NOT_FOUND"), "the member's own choice is kept");
    Ok(())
}
