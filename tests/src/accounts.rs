//! Registration, login, `me`, renewal, logout and account status.

use anyhow::Result;
use entity::enums::{AuditKind, MessageKind};
use sea_orm::EntityTrait;
use serde_json::json;
use shared::Role;
use tests::TestApp;

const ME: &str = "{ me { memberNumber email legalName role status } }";

#[tokio::test]
async fn a_new_member_confirms_their_address_logs_in_sees_their_record_and_logs_out() -> Result<()> {
    let app = TestApp::spawn().await?;

    let registered = app
        .register("  Ada@Example.ORG ", "analytical engine 1843", "Ada Lovelace")
        .await?
        .ok()?;
    assert_eq!(registered.data("register.accepted")?, &json!(true));
    assert!(registered.str("register.message")?.contains("inbox"));

    // The right password is not enough before the address is confirmed; saying so tells
    // nothing to someone without the password, who gets the usual answer.
    let early = app.login("ada@example.org", "analytical engine 1843").await?;
    assert_eq!(early.code(), Some("FORBIDDEN"));
    assert!(
        early.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Confirm")
    );
    let guessing = app.login("ada@example.org", "not the password").await?;
    assert_eq!(guessing.code(), Some("UNAUTHENTICATED"));

    app.confirm("ADA@example.org", "analytical engine 1843").await?;
    let login = app.login("ADA@example.org", "analytical engine 1843").await?.ok()?;
    let token = login.str("login.token")?.to_owned();
    let number = login.str("login.member.memberNumber")?.to_owned();
    assert!(number.starts_with("CPTN-") && number.len() == 11, "{number}");

    let me = app.graphql_as(&token, ME, json!({})).await?.ok()?;
    assert_eq!(me.str("me.email")?, "ada@example.org", "e-mail is normalised");
    assert_eq!(me.str("me.legalName")?, "Ada Lovelace");
    assert_eq!(me.str("me.role")?, "MEMBER");
    assert_eq!(me.str("me.status")?, "ACTIVE");
    assert_eq!(me.str("me.memberNumber")?, number);

    app.graphql_as(&token, "mutation { logout }", json!({})).await?.ok()?;
    let after = app.graphql_as(&token, ME, json!({})).await?;
    assert_eq!(after.status, 401);
    assert_eq!(after.code(), Some("UNAUTHENTICATED"));
    Ok(())
}

#[tokio::test]
async fn anonymous_me_is_null() -> Result<()> {
    let app = TestApp::spawn().await?;
    let me = app.graphql(ME, json!({})).await?.ok()?;
    assert!(me.data("me")?.is_null());
    Ok(())
}

async fn number_of(app: &TestApp, email: &str, password: &str) -> Result<u32> {
    let login = app.login(email, password).await?.ok()?;
    Ok(login
        .str("login.member.memberNumber")?
        .trim_start_matches("CPTN-")
        .parse()?)
}

#[tokio::test]
async fn member_numbers_are_sequential_and_never_reused() -> Result<()> {
    let app = TestApp::spawn().await?;
    for (email, password) in [
        ("one@example.org", "first passphrase"),
        ("two@example.org", "second passphrase"),
    ] {
        app.register(email, password, "Someone").await?.ok()?;
        app.confirm(email, password).await?;
    }
    let n1 = number_of(&app, "one@example.org", "first passphrase").await?;
    let n2 = number_of(&app, "two@example.org", "second passphrase").await?;
    assert_eq!(n2, n1 + 1);

    // Registering a known address again neither consumes nor recycles a number.
    app.register("ONE@example.org", "another passphrase", "One Again")
        .await?
        .ok()?;
    app.register("three@example.org", "third passphrase", "Three")
        .await?
        .ok()?;
    app.confirm("three@example.org", "third passphrase").await?;
    assert_eq!(number_of(&app, "three@example.org", "third passphrase").await?, n2 + 1);
    Ok(())
}

#[tokio::test]
async fn registering_a_known_address_answers_exactly_as_a_new_one_and_tells_its_owner() -> Result<()> {
    let app = TestApp::spawn().await?;
    let owner = app.new_member().await?;

    let fresh = app
        .register("fresh@example.org", "a fresh passphrase", "Fresh Person")
        .await?;
    let known = app
        .register(&owner.email.to_uppercase(), "an attacker's passphrase", "Someone Else")
        .await?;
    assert_eq!(
        (fresh.status, known.status),
        (reqwest::StatusCode::OK, reqwest::StatusCode::OK)
    );
    assert_eq!(fresh.body, known.body, "the same answer, byte for byte");

    // The owner is told, from which IP; their account is untouched.
    let notices = app.mail_to(&owner.email, MessageKind::RegistrationAttempt).await?;
    assert_eq!(notices.len(), 1);
    assert!(notices[0].body.contains("127.0.0.1"), "{}", notices[0].body);
    assert!(notices[0].body.contains(&owner.member_number), "{}", notices[0].body);
    app.login(&owner.email, &owner.password).await?.ok()?;
    let wrong = app.login(&owner.email, "an attacker's passphrase").await?;
    assert_eq!(wrong.code(), Some("UNAUTHENTICATED"), "the attempt set no password");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) AS n FROM member WHERE email = '{}'",
            owner.email.to_lowercase()
        ))
        .await?,
        1
    );

    // A known but unconfirmed address gets a new link instead.
    let again = app
        .register("fresh@example.org", "a fresh passphrase", "Fresh Person")
        .await?;
    assert_eq!(again.body, fresh.body);
    let links = app.mail_to("fresh@example.org", MessageKind::EmailConfirmation).await?;
    assert_eq!(links.len(), 2, "a second confirmation link");
    Ok(())
}

#[tokio::test]
async fn a_confirmation_link_works_once_and_for_two_days() -> Result<()> {
    let app = TestApp::spawn().await?;
    app.register("late@example.org", "a late passphrase", "Late Person")
        .await?
        .ok()?;
    let confirm = tests::harness::CONFIRM;
    let password = "a late passphrase";
    let forged = app
        .graphql(
            confirm,
            json!({ "t": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "p": password }),
        )
        .await?;
    assert_eq!((forged.code(), forged.field()), (Some("VALIDATION"), Some("token")));

    // Two days and a bit later the link no longer works; a new one does, once.
    let old = app.confirmation_token("late@example.org").await?;
    app.clock.advance(chrono::Duration::hours(49));
    let expired = app.graphql(confirm, json!({ "t": old, "p": password })).await?;
    assert_eq!(expired.field(), Some("token"), "{}", expired.body);
    let resent = app
        .graphql(
            "mutation { resendConfirmation(email: \"late@example.org\") { accepted message } }",
            json!({}),
        )
        .await?
        .ok()?;
    let unknown = app
        .graphql(
            "mutation { resendConfirmation(email: \"nobody@example.org\") { accepted message } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(resent.body, unknown.body, "the same answer for an unknown address");
    let fresh = app.confirmation_token("late@example.org").await?;
    assert_ne!(fresh, old);
    let wrong = app
        .graphql(confirm, json!({ "t": fresh, "p": "not my passphrase" }))
        .await?;
    assert_eq!(wrong.field(), Some("password"), "{}", wrong.body);
    let confirmed = app.graphql(confirm, json!({ "t": fresh, "p": password })).await?.ok()?;
    let token = confirmed.str("confirmEmail.token")?;
    app.graphql_as(token, "{ me { email } }", json!({})).await?.ok()?;
    let again = app.graphql(confirm, json!({ "t": fresh, "p": password })).await?;
    assert_eq!(again.field(), Some("token"), "a link works once");
    app.login("late@example.org", password).await?.ok()?;
    Ok(())
}

#[tokio::test]
async fn registering_someone_elses_unconfirmed_address_does_not_take_their_account() -> Result<()> {
    let app = TestApp::spawn().await?;
    let confirm = tests::harness::CONFIRM;
    // The intruder registers the owner's address first, then the owner registers.
    app.register("owner@example.org", "the intruder's passphrase", "In Truder")
        .await?
        .ok()?;
    let intruders_link = app.confirmation_token("owner@example.org").await?;
    app.register("owner@example.org", "the owner's own passphrase", "Rightful Owner")
        .await?
        .ok()?;
    let owners_link = app.confirmation_token("owner@example.org").await?;
    assert_ne!(intruders_link, owners_link);
    let mail = app.mail_to("owner@example.org", MessageKind::EmailConfirmation).await?;
    assert!(
        mail.iter()
            .all(|m| !m.body.contains("In Truder") && !m.body.contains("Rightful Owner")),
        "no text a registrant typed goes to an unconfirmed address"
    );

    // Following the intruder's link with the owner's password confirms nothing; a link
    // scanner without a password confirms nothing either.
    let refused = app
        .graphql(
            confirm,
            json!({ "t": intruders_link, "p": "the owner's own passphrase" }),
        )
        .await?;
    assert_eq!(refused.field(), Some("password"), "{}", refused.body);
    app.confirm("owner@example.org", "the owner's own passphrase").await?;

    // The account is the owner's: their password and name; the intruder's fails.
    let login = app
        .login("owner@example.org", "the owner's own passphrase")
        .await?
        .ok()?;
    let me = app
        .graphql_as(login.str("login.token")?, "{ me { legalName } }", json!({}))
        .await?
        .ok()?;
    assert_eq!(me.str("me.legalName")?, "Rightful Owner");
    let intruder = app.login("owner@example.org", "the intruder's passphrase").await?;
    assert_eq!(intruder.code(), Some("UNAUTHENTICATED"));
    let late = app
        .graphql(
            confirm,
            json!({ "t": intruders_link, "p": "the intruder's passphrase" }),
        )
        .await?;
    assert_eq!(late.field(), Some("token"), "every link retired with the confirmation");
    Ok(())
}

#[tokio::test]
async fn registration_is_limited_per_ip() -> Result<()> {
    let app = TestApp::spawn_with(|s| s.limits.register_ip_burst = 2).await?;
    for i in 0..2 {
        app.register(&format!("r{i}@example.org"), "a fine passphrase", "Reg Istrant")
            .await?
            .ok()?;
    }
    let limited = app
        .register("r2@example.org", "a fine passphrase", "Reg Istrant")
        .await?;
    assert_eq!(limited.code(), Some("RATE_LIMITED"), "{}", limited.body);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM member").await?, 2);
    Ok(())
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() -> Result<()> {
    let app = TestApp::spawn().await?;
    let member = app.new_member().await?;
    let wrong = app.login(&member.email, "not the passphrase").await?;
    let unknown = app.login("nobody@example.org", "not the passphrase").await?;
    assert_eq!(wrong.code(), Some("UNAUTHENTICATED"));
    assert_eq!(unknown.code(), Some("UNAUTHENTICATED"));
    assert_eq!(wrong.body["errors"][0]["message"], unknown.body["errors"][0]["message"]);
    Ok(())
}

#[tokio::test]
async fn renewing_gives_a_new_token_and_retires_the_old_one() -> Result<()> {
    let app = TestApp::spawn().await?;
    let member = app.new_member().await?;
    let renewed = app
        .graphql_as(&member.token, "mutation { renewToken { token expiresAt } }", json!({}))
        .await?
        .ok()?;
    let new_token = renewed.str("renewToken.token")?.to_owned();
    assert_ne!(new_token, member.token);
    app.graphql_as(&new_token, ME, json!({})).await?.ok()?;
    let old = app.graphql_as(&member.token, ME, json!({})).await?;
    assert_eq!(old.code(), Some("UNAUTHENTICATED"));
    Ok(())
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_at_once_and_blocks_login() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let member = app.new_member().await?;

    let disabled = app
        .graphql_as(
            &staff.token,
            "mutation($n: String!) { setMemberStatus(memberNumber: $n, status: DISABLED) { status } }",
            json!({ "n": member.member_number }),
        )
        .await?
        .ok()?;
    assert_eq!(disabled.str("setMemberStatus.status")?, "DISABLED");

    let refused = app.graphql_as(&member.token, ME, json!({})).await?;
    assert_eq!(refused.code(), Some("UNAUTHENTICATED"));
    let login = app.login(&member.email, &member.password).await?;
    assert_eq!(login.code(), Some("FORBIDDEN"));

    app.graphql_as(
        &staff.token,
        "mutation($n: String!) { setMemberStatus(memberNumber: $n, status: ACTIVE) { status } }",
        json!({ "n": member.member_number }),
    )
    .await?
    .ok()?;
    app.login(&member.email, &member.password).await?.ok()?;
    Ok(())
}

#[tokio::test]
async fn members_cannot_change_account_status_and_staff_cannot_touch_admins() -> Result<()> {
    let app = TestApp::spawn().await?;
    let member = app.new_member().await?;
    let other = app.new_member().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let admin = app.new_with_role(Role::Admin).await?;
    let disable = "mutation($n: String!) { setMemberStatus(memberNumber: $n, status: DISABLED) { status } }";

    let by_member = app
        .graphql_as(&member.token, disable, json!({ "n": other.member_number }))
        .await?;
    assert_eq!(by_member.code(), Some("FORBIDDEN"));
    let by_staff = app
        .graphql_as(&staff.token, disable, json!({ "n": admin.member_number }))
        .await?;
    assert_eq!(by_staff.code(), Some("FORBIDDEN"));
    let by_anonymous = app.graphql(disable, json!({ "n": other.member_number })).await?;
    assert_eq!(by_anonymous.code(), Some("UNAUTHENTICATED"));
    app.graphql_as(&admin.token, disable, json!({ "n": staff.member_number }))
        .await?
        .ok()?;
    Ok(())
}

#[tokio::test]
async fn another_member_cannot_read_a_member_record_by_number() -> Result<()> {
    let app = TestApp::spawn().await?;
    let member = app.new_member().await?;
    let other = app.new_member().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let query = "query($n: String!) { member(memberNumber: $n) { email } }";

    let by_other = app
        .graphql_as(&other.token, query, json!({ "n": member.member_number }))
        .await?;
    assert_eq!(by_other.code(), Some("FORBIDDEN"));
    assert!(!by_other.body.to_string().contains(&member.email));
    let by_staff = app
        .graphql_as(&staff.token, query, json!({ "n": member.member_number }))
        .await?
        .ok()?;
    assert_eq!(by_staff.str("member.email")?, member.email);
    Ok(())
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_hashes_only() -> Result<()> {
    let app = TestApp::spawn().await?;
    let member = app.new_member().await?;
    let rows = entity::member::Entity::find().all(&app.state.db).await?;
    let row = rows
        .iter()
        .find(|m| m.email == member.email)
        .ok_or_else(|| anyhow::anyhow!("member row"))?;
    assert!(row.password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    assert!(!row.password_hash.contains(&member.password));
    Ok(())
}

#[tokio::test]
async fn password_guesses_with_a_stolen_token_share_the_login_budget_and_are_audited() -> Result<()> {
    let app = TestApp::spawn_with(|s| s.limits.login_account_burst = 4).await?;
    let victim = app.new_member().await?; // one password check spent
    app.graphql_as(
        &victim.token,
        "mutation { saveMyProfile(input: { displayName: \"Vic Tim\", city: \"Regina\", country: \"Canada\" }) { slug } }",
        json!({}),
    )
    .await?
    .ok()?;
    let delete = "mutation($p: String) { deleteProfile(password: $p) }";
    for guess in ["guess one", "guess two", "guess three"] {
        let wrong = app.graphql_as(&victim.token, delete, json!({ "p": guess })).await?;
        assert_eq!((wrong.code(), wrong.field()), (Some("VALIDATION"), Some("password")));
    }
    let limited = app
        .graphql_as(&victim.token, delete, json!({ "p": victim.password }))
        .await?;
    assert_eq!(limited.code(), Some("RATE_LIMITED"), "{}", limited.body);
    let login = app.login(&victim.email, &victim.password).await?;
    assert_eq!(
        login.code(),
        Some("RATE_LIMITED"),
        "one budget for every password check"
    );
    let profile = app
        .graphql_as(&victim.token, "{ me { profile { slug } } }", json!({}))
        .await?
        .ok()?;
    assert!(!profile.data("me.profile")?.is_null(), "nothing was deleted");

    let rows = entity::audit_event::Entity::find().all(&app.state.db).await?;
    let rejected: Vec<_> = rows.iter().filter(|r| r.kind == AuditKind::PasswordRejected).collect();
    assert_eq!(rejected.len(), 3);
    assert!(
        rejected
            .iter()
            .all(|r| r.detail.as_deref() == Some("deleteProfile") && r.ip.as_deref() == Some("127.0.0.1"))
    );
    assert!(rows.iter().any(|r| r.kind == AuditKind::PasswordCheckRateLimited));
    assert!(rows.iter().any(|r| r.kind == AuditKind::LoginRateLimited));
    Ok(())
}

const SET_ROLE: &str = "mutation($n: String!, $r: MemberRole!) { setMemberRole(memberNumber: $n, role: $r) { role } }";

#[tokio::test]
async fn admins_change_roles_of_others_and_nobody_else_does() -> Result<()> {
    let app = TestApp::spawn().await?;
    let admin = app.new_with_role(Role::Admin).await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let member = app.new_member().await?;
    let audit = "{ auditEvents(first: 1) { edges { node { kind } } } }";
    assert_eq!(
        app.graphql_as(&member.token, audit, json!({})).await?.code(),
        Some("FORBIDDEN")
    );

    for (who, token) in [("a member", &member.token), ("staff", &staff.token)] {
        let refused = app
            .graphql_as(token, SET_ROLE, json!({ "n": member.member_number, "r": "STAFF" }))
            .await?;
        assert_eq!(refused.code(), Some("FORBIDDEN"), "{who}");
    }
    let own = app
        .graphql_as(
            &admin.token,
            SET_ROLE,
            json!({ "n": admin.member_number, "r": "MEMBER" }),
        )
        .await?;
    assert_eq!(own.code(), Some("FORBIDDEN"), "nobody changes their own role");

    let promoted = app
        .graphql_as(
            &admin.token,
            SET_ROLE,
            json!({ "n": member.member_number, "r": "STAFF" }),
        )
        .await?
        .ok()?;
    assert_eq!(promoted.str("setMemberRole.role")?, "STAFF");
    app.graphql_as(&member.token, audit, json!({})).await?.ok()?;

    let rows = entity::audit_event::Entity::find().all(&app.state.db).await?;
    let change = rows
        .iter()
        .find(|r| r.kind == AuditKind::MemberRoleChanged)
        .ok_or_else(|| anyhow::anyhow!("no role change row"))?;
    assert_eq!(change.detail.as_deref(), Some("member -> staff"));
    assert!(change.actor_id.is_some() && change.actor_id != change.member_id);
    Ok(())
}

#[tokio::test]
async fn repeated_registrations_of_a_known_address_do_not_flood_its_inbox() -> Result<()> {
    let app = TestApp::spawn_with(|s| s.trusted_proxy = Some([127, 0, 0, 1].into())).await?;
    let owner = app.new_member().await?;
    let register = "mutation($e: String!) { register(input: { email: $e, password: \"some passphrase\", legalName: \"X\" }) { accepted message } }";
    let mut answers = Vec::new();
    for i in 0..6 {
        // From six IPs: the per-IP limit does not apply; the per-address one does.
        let answer = app
            .graphql_from(&format!("203.0.113.{i}"), None, register, json!({ "e": owner.email }))
            .await?
            .ok()?;
        answers.push(answer.body);
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "always the same answer");
    let notices = app.mail_to(&owner.email, MessageKind::RegistrationAttempt).await?;
    // The registration that made the account took one of the address's three.
    assert_eq!(notices.len(), 2, "two notices, then the address rests");
    let attempts = entity::audit_event::Entity::find()
        .all(&app.state.db)
        .await?
        .into_iter()
        .filter(|r| r.kind == AuditKind::RegistrationForKnownEmail)
        .count();
    assert_eq!(attempts, 6, "every attempt is still audited");
    Ok(())
}

#[tokio::test]
async fn two_registrations_of_one_new_address_at_once_make_one_account_and_one_answer() -> Result<()> {
    let app = TestApp::spawn().await?;
    let (first, second) = tokio::join!(
        app.register("twice@example.org", "the first passphrase", "First Try"),
        app.register("twice@example.org", "the second passphrase", "Second Try"),
    );
    let (first, second) = (first?.ok()?, second?.ok()?);
    assert_eq!(first.body, second.body);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM member WHERE email = 'twice@example.org'")
            .await?,
        1
    );
    Ok(())
}

#[tokio::test]
async fn a_link_confirms_once_even_when_used_twice_at_once_and_never_after_confirmation() -> Result<()> {
    let app = TestApp::spawn().await?;
    app.register("race@example.org", "the owner's passphrase", "Race Owner")
        .await?
        .ok()?;
    let link = app.confirmation_token("race@example.org").await?;
    let variables = json!({ "t": link, "p": "the owner's passphrase" });
    let (first, second) = tokio::join!(
        app.graphql(tests::harness::CONFIRM, variables.clone()),
        app.graphql(tests::harness::CONFIRM, variables.clone()),
    );
    let answers = [first?, second?];
    let confirmed = answers.iter().filter(|a| a.errors().is_empty()).count();
    assert_eq!(confirmed, 1, "one session, not two: {answers:?}");
    let sessions = entity::session::Entity::find().all(&app.state.db).await?;
    assert_eq!(sessions.len(), 1);

    // A link someone got by registering the now-confirmed address changes nothing.
    app.register("race@example.org", "a stranger's passphrase", "Stran Ger")
        .await?
        .ok()?;
    let links = app.mail_to("race@example.org", MessageKind::EmailConfirmation).await?;
    assert_eq!(links.len(), 1, "no link for a confirmed address");
    app.login("race@example.org", "the owner's passphrase").await?.ok()?;
    Ok(())
}
