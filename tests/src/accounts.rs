//! Registration, login, `me`, renewal, logout and account status.

use anyhow::Result;
use serde_json::json;
use shared::Role;
use tests::TestApp;

const ME: &str = "{ me { memberNumber email legalName role status } }";

#[tokio::test]
async fn a_new_member_registers_logs_in_sees_their_record_and_logs_out() -> Result<()> {
    let app = TestApp::spawn().await?;

    let registered = app
        .register("  Ada@Example.ORG ", "analytical engine 1843", "Ada Lovelace")
        .await?
        .ok()?;
    assert_eq!(
        registered.str("register.email")?,
        "ada@example.org",
        "e-mail is normalised"
    );
    let number = registered.str("register.memberNumber")?.to_owned();
    assert!(number.starts_with("CPTN-") && number.len() == 11, "{number}");

    let login = app.login("ADA@example.org", "analytical engine 1843").await?.ok()?;
    let token = login.str("login.token")?.to_owned();
    assert_eq!(login.str("login.member.memberNumber")?, number);

    let me = app.graphql_as(&token, ME, json!({})).await?.ok()?;
    assert_eq!(me.str("me.email")?, "ada@example.org");
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

#[tokio::test]
async fn member_numbers_are_sequential_and_never_reused() -> Result<()> {
    let app = TestApp::spawn().await?;
    let first = app.register("one@example.org", "first passphrase", "One").await?.ok()?;
    let second = app
        .register("two@example.org", "second passphrase", "Two")
        .await?
        .ok()?;
    let n1: u32 = first
        .str("register.memberNumber")?
        .trim_start_matches("CPTN-")
        .parse()?;
    let n2: u32 = second
        .str("register.memberNumber")?
        .trim_start_matches("CPTN-")
        .parse()?;
    assert_eq!(n2, n1 + 1);

    // A failed registration (duplicate e-mail) does not consume or recycle a number.
    let dup = app
        .register("ONE@example.org", "another passphrase", "One Again")
        .await?;
    assert_eq!(dup.code(), Some("CONFLICT"));
    assert_eq!(dup.field(), Some("email"));
    let third = app
        .register("three@example.org", "third passphrase", "Three")
        .await?
        .ok()?;
    let n3: u32 = third
        .str("register.memberNumber")?
        .trim_start_matches("CPTN-")
        .parse()?;
    assert_eq!(n3, n2 + 1);
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
    use sea_orm::EntityTrait;
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
