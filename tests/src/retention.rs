//! The retention rules over time (P3, P8): expired members wiped to a tombstone the day
//! after the wipe delay (never during grace), tombstones, unconfirmed and inactive accounts
//! purged, disabled profiles and old evidence deleted, each on its boundary; receipts and
//! reports without personal data; returning members linked back to their number; erasure
//! requests answered by staff with the same wipe.

use anyhow::{Context, Result, anyhow};
use api::clock::Clock;
use api::jobs::JobName;
use chrono::{Months, NaiveDate};
use serde_json::json;
use shared::Role;
use tests::{TestApp, TestUser};

fn today(app: &TestApp) -> NaiveDate {
    app.clock.now().date_naive()
}

/// Moves the clock to `day` (forward only).
fn travel_to(app: &TestApp, day: NaiveDate) {
    let days = (day - today(app)).num_days();
    app.clock.advance(chrono::Duration::days(days));
}

async fn retention(app: &TestApp) -> Result<Vec<String>> {
    Ok(app.run_job(JobName::Retention).await?.lines)
}

async fn dry_run(app: &TestApp) -> Result<Vec<String>> {
    let ctx = api::jobs::JobContext::new(app.state.clone(), app.state.db.clone());
    Ok(api::jobs::dry_run(&ctx, JobName::Retention).await?.lines)
}

/// The count a report line gives for `rule` (its line starts with it).
fn count_in(lines: &[String], rule: &str) -> Result<u64> {
    let line = lines
        .iter()
        .find(|l| l.starts_with(rule))
        .with_context(|| format!("no line for {rule}: {lines:?}"))?;
    let after = line.rsplit(": ").next().unwrap_or_default();
    after
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| anyhow!("no count in {line}"))
}

/// A member with a distinctive name and address, logged in.
async fn distinctive_member(app: &TestApp, name: &str) -> Result<TestUser> {
    let email = format!(
        "{}-{}@example.org",
        name.to_lowercase().replace(' ', "."),
        uuid::Uuid::new_v4().simple()
    );
    let password = "a perfectly fine passphrase";
    app.register(&email, password, name).await?.ok()?;
    app.confirm(&email, password).await
}

async fn record_certification(
    app: &TestApp,
    staff: &TestUser,
    member: &TestUser,
    starts_on: NaiveDate,
) -> Result<NaiveDate> {
    let recorded = app
        .graphql_as(
            &staff.token,
            "mutation($n: String!, $d: NaiveDate!) { recordCertification(memberNumber: $n, startsOn: $d) { expiresOn } }",
            json!({ "n": member.member_number, "d": starts_on.to_string() }),
        )
        .await?
        .ok()?;
    Ok(NaiveDate::parse_from_str(
        recorded.str("recordCertification.expiresOn")?,
        "%Y-%m-%d",
    )?)
}

async fn add_credit(app: &TestApp, staff: &TestUser, member: &TestUser, earned_on: NaiveDate) -> Result<()> {
    app.graphql_as(
        &staff.token,
        "mutation($n: String!, $d: NaiveDate!) { adjustCec(memberNumber: $n, cec: \"1.5\", earnedOn: $d, reason: \"Course credited by hand\") { id } }",
        json!({ "n": member.member_number, "d": earned_on.to_string() }),
    )
    .await?
    .ok()?;
    Ok(())
}

fn files_in(app: &TestApp, folder: &str) -> usize {
    std::fs::read_dir(app.state.settings.storage_dir.join(folder)).map_or(0, |dir| dir.flatten().count())
}

async fn member_id(app: &TestApp, number: &str) -> Result<i64> {
    let number: shared::MemberNumber = number.parse().map_err(|()| anyhow!("number"))?;
    app.count(&format!(
        "SELECT id AS n FROM member WHERE member_number = {}",
        number.0
    ))
    .await
}

/// Gives `member` everything personal the product keeps: contact details, a profile with a
/// photo, a relay message, a petition with evidence (and its paid order), a login.
async fn fill_with_personal_data(app: &TestApp, staff: &TestUser, member: &TestUser) -> Result<()> {
    app.graphql_as(
        &member.token,
        "mutation { updateMyRecord(input: { phone: \"+1 306 555 0177\", streetAddress: \"77 Quarrington Lane\", city: \"Moose Jaw\", dateOfBirth: \"1980-04-05\" }) { phone } }",
        json!({}),
    )
    .await?
    .ok()?;
    let saved = app
        .graphql_as(
            &member.token,
            "mutation { saveMyProfile(input: { displayName: \"Willa Quarrington\", city: \"Moose Jaw\", country: \"Canada\", bio: \"Kettlebells.\" }) { slug } }",
            json!({}),
        )
        .await?
        .ok()?;
    let slug = saved.str("saveMyProfile.slug")?.to_owned();
    crate::photos::upload(app, member, "me.png", crate::photos::png(256))
        .await?
        .ok()?;
    app.graphql(
        "mutation($s: String!) { contactTrainer(profileSlug: $s, senderName: \"Vi Sitor\", senderEmail: \"visitor@example.org\", message: \"Do you train on weekends?\") }",
        json!({ "s": slug }),
    )
    .await?
    .ok()?;
    let filed = crate::petitions::file(
        app,
        member,
        crate::petitions::input(today(app), "0.5"),
        crate::petitions::pdf(700),
    )
    .await?
    .ok()?;
    app.pay_fee(&staff.token, filed.str("filePetition.fee.id")?)
        .await?
        .ok()?;
    Ok(())
}

#[tokio::test]
async fn an_expired_member_is_wiped_the_day_after_grace_and_keeps_a_tombstone() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let member = distinctive_member(&app, "Wilhelmina Quarrington").await?;
    let starts_on = (today(&app) + chrono::Duration::days(10))
        .checked_sub_months(Months::new(24))
        .ok_or_else(|| anyhow!("date"))?;
    let expires_on = record_certification(&app, &staff, &member, starts_on).await?;
    add_credit(&app, &staff, &member, starts_on + chrono::Duration::days(30)).await?;
    fill_with_personal_data(&app, &staff, &member).await?;
    let id = member_id(&app, &member.member_number).await?;
    assert_eq!((files_in(&app, "photos"), files_in(&app, "evidence")), (1, 1));

    // The last day of grace: nothing is wiped, the member still logs in.
    let grace_ends = expires_on
        .checked_add_months(Months::new(6))
        .ok_or_else(|| anyhow!("date"))?;
    travel_to(&app, grace_ends - chrono::Duration::days(1));
    let rule = "wipe 6 months after expiry";
    assert_eq!(count_in(&dry_run(&app).await?, rule)?, 0);
    retention(&app).await?;
    let again = app.login(&member.email, &member.password).await?.ok()?;
    let token = again.str("login.token")?.to_owned();

    // The day after: the dry run counts the member (and changes nothing), the run wipes.
    travel_to(&app, grace_ends);
    let planned = dry_run(&app).await?;
    assert_eq!(count_in(&planned, rule)?, 1, "{planned:?}");
    assert!(!planned.iter().any(|l| l.contains('@') || l.contains("Quarrington")));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) AS n FROM member WHERE id = {id} AND wiped_at IS NULL"
        ))
        .await?,
        1
    );
    let report = retention(&app).await?;
    assert_eq!(count_in(&report, rule)?, 1, "{report:?}");

    // No trace of the personal data in any column of any table; the files are gone.
    let everything = app.database_text().await?;
    for value in [
        member.email.as_str(),
        "Wilhelmina",
        "Quarrington",
        "555 0177",
        "5550177",
        "Moose Jaw",
        "1980-04-05",
        "Kettlebells",
    ] {
        let holding: Vec<&str> = everything.lines().filter(|l| l.contains(value)).collect();
        assert!(holding.is_empty(), "{value} is still stored: {holding:?}");
    }
    assert_eq!((files_in(&app, "photos"), files_in(&app, "evidence")), (0, 0));

    // Logged out and unable to log in (the attempt is audited anew, with the address
    // typed); the profile is gone from the directory.
    let me = app.graphql_as(&token, "{ me { memberNumber } }", json!({})).await?;
    assert_eq!(me.code(), Some("UNAUTHENTICATED"), "{}", me.body);
    assert!(app.login(&member.email, &member.password).await?.code().is_some());
    let found = app
        .graphql("{ directory(query: \"Quarrington\") { totalCount } }", json!({}))
        .await?
        .ok()?;
    assert_eq!(found.data("directory.totalCount")?, &json!(0));

    // The tombstone: number, certification history, ledger, petition outcome, order amounts.
    for (table, column) in [
        ("certification_cycle", "member_id"),
        ("cec_entry", "member_id"),
        ("petition", "member_id"),
        ("fee", "member_id"),
        ("purchase_order", "member_id"),
    ] {
        let rows = app
            .count(&format!("SELECT COUNT(*) AS n FROM {table} WHERE {column} = {id}"))
            .await?;
        assert!(rows > 0, "{table} keeps the member's rows");
    }
    let paid = app
        .count(&format!(
            "SELECT COUNT(*) AS n FROM purchase_order WHERE member_id = {id} AND total_cents > 0 AND placed_ip IS NULL"
        ))
        .await?;
    assert_eq!(paid, 1, "the order keeps its amount, not its IP");
    // The receipt says when and what, with no personal data.
    let receipts = app
        .graphql_as(
            &staff.token,
            "query($n: String!) { wipeReceipts(memberNumber: $n) { memberNumber reason wipedAt categories } }",
            json!({ "n": member.member_number }),
        )
        .await?
        .ok()?;
    let receipt = &receipts.data("wipeReceipts")?[0];
    assert_eq!(receipt["reason"], "RETENTION");
    assert_eq!(receipt["memberNumber"], member.member_number.as_str());
    let categories = receipt["categories"].to_string();
    assert!(
        categories.contains("legal name") && categories.contains("petition evidence"),
        "{categories}"
    );
    assert!(!receipt.to_string().contains("Quarrington"));

    // Nothing more happens on the next run.
    let next = retention(&app).await?;
    assert_eq!(count_in(&next, rule).unwrap_or(0), 0);
    Ok(())
}

#[tokio::test]
async fn admins_read_every_retention_period_and_what_the_rules_would_do_now() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let admin = app.new_with_role(Role::Admin).await?;
    let policy = app
        .graphql_as(
            &admin.token,
            "{ retentionPolicy { name setting amount unit } }",
            json!({}),
        )
        .await?
        .ok()?;
    let periods = policy.data("retentionPolicy")?.to_string();
    for setting in [
        "CPTN_GRACE_MONTHS",
        "CPTN_WIPE_DELAY_MONTHS",
        "CPTN_PURGE_AFTER_EXPIRY_YEARS",
        "CPTN_UNCONFIRMED_ACCOUNT_DAYS",
        "CPTN_INACTIVE_ACCOUNT_YEARS",
        "CPTN_DISABLED_PROFILE_YEARS",
        "CPTN_LOG_RETENTION_MONTHS",
        "CPTN_EVIDENCE_RETENTION_YEARS",
        "CPTN_MAIL_RETENTION_DAYS",
    ] {
        assert!(periods.contains(setting), "{setting} missing from {periods}");
    }
    let refused = app
        .graphql_as(&staff.token, "{ retentionPolicy { name } }", json!({}))
        .await?;
    assert_eq!(refused.code(), Some("FORBIDDEN"));
    let report = app
        .graphql_as(&admin.token, "{ retentionReport { rule what count } }", json!({}))
        .await?
        .ok()?;
    assert!(report.data("retentionReport")?.as_array().is_some_and(|r| r.len() >= 7));
    Ok(())
}

#[tokio::test]
async fn tombstones_go_after_the_purge_period_and_their_orders_stay_unlinked() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let member = distinctive_member(&app, "Tomasz Bonecutter").await?;
    let starts_on = today(&app)
        .checked_sub_months(Months::new(20))
        .ok_or_else(|| anyhow!("date"))?;
    let expires_on = record_certification(&app, &staff, &member, starts_on).await?;
    add_credit(&app, &staff, &member, starts_on + chrono::Duration::days(3)).await?;
    fill_with_personal_data(&app, &staff, &member).await?;
    let id = member_id(&app, &member.member_number).await?;
    travel_to(
        &app,
        expires_on
            .checked_add_months(Months::new(7))
            .ok_or_else(|| anyhow!("date"))?,
    );
    retention(&app).await?;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) AS n FROM member WHERE id = {id} AND wiped_at IS NOT NULL"
        ))
        .await?,
        1
    );

    // Seven years after expiry, less a day: kept. On the day: deleted for good.
    let purge_on = expires_on
        .checked_add_months(Months::new(84))
        .ok_or_else(|| anyhow!("date"))?;
    travel_to(&app, purge_on - chrono::Duration::days(1));
    let early = retention(&app).await?;
    assert_eq!(
        count_in(&early, "purge 7 years after expiry").unwrap_or(0),
        0,
        "{early:?}"
    );
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) AS n FROM member WHERE id = {id}"))
            .await?,
        1
    );
    travel_to(&app, purge_on);
    let report = retention(&app).await?;
    assert_eq!(count_in(&report, "purge 7 years after expiry")?, 1, "{report:?}");
    for table in [
        "member",
        "certification_cycle",
        "cec_entry",
        "petition",
        "fee",
        "certification_renewal",
    ] {
        let column = if table == "member" { "id" } else { "member_id" };
        assert_eq!(
            app.count(&format!("SELECT COUNT(*) AS n FROM {table} WHERE {column} = {id}"))
                .await?,
            0,
            "{table} keeps rows of the purged member"
        );
    }
    // The order stays for accounting, unlinked from anyone, its item from the fee.
    let unlinked = app
        .count(
            "SELECT COUNT(*) AS n FROM purchase_order WHERE member_id IS NULL AND total_cents > 0 AND status = 'paid'",
        )
        .await?;
    assert_eq!(unlinked, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM order_item WHERE fee_id IS NULL")
            .await?,
        1
    );
    let purges = app
        .count(&format!(
            "SELECT COUNT(*) AS n FROM audit_event WHERE kind = 'account_purged' AND member_id = {id}"
        ))
        .await?;
    assert_eq!(purges, 1, "each purge is audited");
    assert!(!app.database_text().await?.contains("Bonecutter"));
    // The receipt of the wipe outlives the tombstone (staff log in again: their old
    // session ended years ago, and went with the log retention).
    let staff = app.logged_in(staff.email.clone(), staff.password.clone()).await?;
    let receipts = app
        .graphql_as(
            &staff.token,
            "query($n: String!) { wipeReceipts(memberNumber: $n) { reason } }",
            json!({ "n": member.member_number }),
        )
        .await?
        .ok()?;
    assert_eq!(receipts.data("wipeReceipts")?.as_array().map(Vec::len), Some(1));
    Ok(())
}

#[tokio::test]
async fn unconfirmed_inactive_accounts_disabled_profiles_and_old_evidence_go_on_their_day() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    app.register(
        "never-confirmed@example.org",
        "a perfectly fine passphrase",
        "Never Confirmed",
    )
    .await?
    .ok()?;
    let idle = distinctive_member(&app, "Idle Isadora").await?;
    let hider = distinctive_member(&app, "Hidden Hermione").await?;
    app.graphql_as(
        &hider.token,
        "mutation { saveMyProfile(input: { displayName: \"Hidden Hermione\", city: \"Regina\", country: \"Canada\" }) { slug } }",
        json!({}),
    )
    .await?
    .ok()?;
    app.graphql_as(&hider.token, "mutation { disableProfile { status } }", json!({}))
        .await?
        .ok()?;
    let petitioner = app.new_member().await?;
    record_certification(&app, &staff, &petitioner, today(&app)).await?;
    let filed = crate::petitions::file(
        &app,
        &petitioner,
        crate::petitions::input(today(&app), "0.5"),
        crate::petitions::pdf(600),
    )
    .await?
    .ok()?;
    let petition = filed.str("filePetition.id")?.to_owned();
    app.pay_fee(&staff.token, filed.str("filePetition.fee.id")?)
        .await?
        .ok()?;
    app.graphql_as(
        &staff.token,
        "mutation($p: ID!) { rejectPetition(petitionId: $p, reason: \"Not a fitness course.\") { status } }",
        json!({ "p": petition }),
    )
    .await?
    .ok()?;
    let unconfirmed = "unconfirmed accounts after 30 days";
    let inactive = "no certification and no login for 3 years";
    let profiles = "profiles disabled for 2 years";
    let evidence = "petition evidence 2 years after the decision";

    // Day 29: nothing. Day 31: the unconfirmed account goes.
    app.clock.advance(chrono::Duration::days(29));
    assert_eq!(count_in(&retention(&app).await?, unconfirmed).unwrap_or(0), 0);
    app.clock.advance(chrono::Duration::days(2));
    assert_eq!(count_in(&retention(&app).await?, unconfirmed)?, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM member WHERE email = 'never-confirmed@example.org'")
            .await?,
        0
    );

    // The petitioner keeps logging in; the idle member does not.
    // Two years less a few weeks: the hidden profile and the evidence stay.
    app.clock.advance(chrono::Duration::days(660));
    log_in_again(&app, &[&petitioner, &hider]).await?;
    let early = dry_run(&app).await?;
    assert_eq!(
        (count_in(&early, profiles)?, count_in(&early, evidence)?),
        (0, 0),
        "{early:?}"
    );
    // Past two years: both go (the decision stays, the file does not).
    app.clock.advance(chrono::Duration::days(60));
    log_in_again(&app, &[&petitioner, &hider]).await?;
    let report = retention(&app).await?;
    assert_eq!(
        (count_in(&report, profiles)?, count_in(&report, evidence)?),
        (1, 1),
        "{report:?}"
    );
    assert_eq!(files_in(&app, "evidence"), 0);
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM directory_profile").await?, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM petition WHERE status = 'rejected'")
            .await?,
        1
    );
    assert_eq!(count_in(&report, inactive).unwrap_or(0), 0, "{report:?}");

    // Three years without a login and without a certification: the idle account goes; the
    // hider logged in, the petitioner holds a certification.
    app.clock.advance(chrono::Duration::days(400));
    let report = retention(&app).await?;
    assert_eq!(count_in(&report, inactive)?, 1, "{report:?}");
    assert!(app.login(&idle.email, &idle.password).await?.code().is_some());
    app.login(&hider.email, &hider.password).await?.ok()?;
    Ok(())
}

/// Logs each user in again (a login keeps an account from counting as inactive).
async fn log_in_again(app: &TestApp, users: &[&TestUser]) -> Result<()> {
    for user in users {
        app.login(&user.email, &user.password).await?.ok()?;
    }
    Ok(())
}

async fn request(app: &TestApp, user: &TestUser, mutation: &str) -> Result<String> {
    let filed = app.graphql_as(&user.token, mutation, json!({})).await?.ok()?;
    let field = mutation
        .split(['{', '('])
        .nth(1)
        .map(str::trim)
        .ok_or_else(|| anyhow!("mutation name"))?;
    Ok(filed.str(&format!("{field}.id"))?.to_owned())
}

#[tokio::test]
async fn a_returning_member_gets_their_number_and_credits_back() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let old = distinctive_member(&app, "Rita Returner").await?;
    let starts_on = today(&app)
        .checked_sub_months(Months::new(20))
        .ok_or_else(|| anyhow!("date"))?;
    let expires_on = record_certification(&app, &staff, &old, starts_on).await?;
    add_credit(&app, &staff, &old, starts_on + chrono::Duration::days(3)).await?;
    let old_id = member_id(&app, &old.member_number).await?;
    let ledger_before = app
        .count(&format!(
            "SELECT COUNT(*) AS n FROM cec_entry WHERE member_id = {old_id}"
        ))
        .await?;
    travel_to(
        &app,
        expires_on
            .checked_add_months(Months::new(8))
            .ok_or_else(|| anyhow!("date"))?,
    );
    retention(&app).await?;

    // Years later she registers anew, with the same address, and asks for her number.
    let new = distinctive_member(&app, "Rita Returner").await?;
    let relink = format!(
        "mutation {{ requestRelink(oldMemberNumber: \"{}\", message: \"I was a member until 2027.\") {{ id }} }}",
        old.member_number
    );
    let id = request(&app, &new, &relink).await?;
    let twice = app.graphql_as(&new.token, &relink, json!({})).await?;
    assert_eq!(twice.code(), Some("CONFLICT"), "one open request of a kind");
    let mine = app
        .graphql_as(
            &new.token,
            "{ myPrivacyRequests { kind status dueAt claimedMemberNumber } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(mine.data("myPrivacyRequests")?[0]["status"], "OPEN");
    // A member cannot answer it; staff see it in the queue and link her.
    let forbidden = app
        .graphql_as(
            &new.token,
            "mutation($i: ID!) { linkReturningMember(id: $i) { status } }",
            json!({ "i": id }),
        )
        .await?;
    assert_eq!(forbidden.code(), Some("FORBIDDEN"));
    let queue = app
        .graphql_as(
            &staff.token,
            "{ privacyRequests(status: OPEN) { edges { node { id kind claimedMemberNumber message } } } }",
            json!({}),
        )
        .await?
        .ok()?;
    assert_eq!(
        queue.data("privacyRequests.edges")?[0]["node"]["claimedMemberNumber"],
        old.member_number.as_str()
    );
    let linked = app
        .graphql_as(
            &staff.token,
            "mutation($i: ID!) { linkReturningMember(id: $i) { status outcome } }",
            json!({ "i": id }),
        )
        .await?
        .ok()?;
    assert_eq!(linked.str("linkReturningMember.status")?, "COMPLETED");

    // She logs in with her new password and is her old number, with her certification
    // history and every ledger row as it was; the new number is gone.
    let back = app.logged_in(new.email.clone(), new.password.clone()).await?;
    assert_eq!(back.member_number, old.member_number);
    let ledger_after = app
        .count(&format!(
            "SELECT COUNT(*) AS n FROM cec_entry WHERE member_id = {old_id}"
        ))
        .await?;
    assert_eq!(ledger_after, ledger_before, "no ledger row rewritten or lost");
    let status = app
        .graphql_as(&back.token, "{ me { certification { status } } }", json!({}))
        .await?
        .ok()?;
    assert_eq!(status.str("me.certification.status")?, "EXPIRED");
    let new_number: shared::MemberNumber = new.member_number.parse().map_err(|()| anyhow!("number"))?;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) AS n FROM member WHERE member_number = {}",
            new_number.0
        ))
        .await?,
        0
    );
    let history = app
        .graphql_as(&back.token, "{ myPrivacyRequests { kind status } }", json!({}))
        .await?
        .ok()?;
    assert_eq!(history.data("myPrivacyRequests")?[0]["status"], "COMPLETED");

    Ok(())
}

#[tokio::test]
async fn a_number_that_is_not_a_tombstone_cannot_be_claimed() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let holder = app.new_member().await?;
    let claimant = app.new_member().await?;
    let relink = format!(
        "mutation {{ requestRelink(oldMemberNumber: \"{}\") {{ id }} }}",
        holder.member_number
    );
    let id = request(&app, &claimant, &relink).await?;
    let refused = app
        .graphql_as(
            &staff.token,
            "mutation($i: ID!) { linkReturningMember(id: $i) { status } }",
            json!({ "i": id }),
        )
        .await?;
    assert_eq!(refused.code(), Some("CONFLICT"));
    app.login(&holder.email, &holder.password).await?.ok()?;
    let own = format!(
        "mutation {{ requestRelink(oldMemberNumber: \"{}\") {{ id }} }}",
        claimant.member_number
    );
    let invalid = app.graphql_as(&claimant.token, &own, json!({})).await?;
    assert_eq!(invalid.code(), Some("VALIDATION"));
    Ok(())
}

#[tokio::test]
async fn an_erasure_request_is_answered_with_the_wipe_and_flagged_when_overdue() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let leaver = distinctive_member(&app, "Erika Eraseme").await?;
    fill_with_personal_data(&app, &staff, &leaver).await?;
    let late = distinctive_member(&app, "Lola Latecomer").await?;
    let id = request(
        &app,
        &leaver,
        "mutation { requestErasure(message: \"Please erase my data.\") { id } }",
    )
    .await?;
    let waiting = request(&app, &late, "mutation { requestErasure { id } }").await?;
    let mine = app
        .graphql_as(
            &leaver.token,
            "{ myPrivacyRequests { id kind status dueAt overdue } }",
            json!({}),
        )
        .await?
        .ok()?;
    let due: chrono::DateTime<chrono::Utc> = mine.data("myPrivacyRequests")?[0]["dueAt"]
        .as_str()
        .context("dueAt")?
        .parse()?;
    // Thirty days from the request (the clock runs on by milliseconds meanwhile).
    assert_eq!(((due - app.clock.now()).num_minutes() + 1) / 1440, 30);

    let done = app
        .graphql_as(
            &staff.token,
            "mutation($i: ID!) { completeErasureRequest(id: $i) { status outcome } }",
            json!({ "i": id }),
        )
        .await?
        .ok()?;
    assert_eq!(done.str("completeErasureRequest.status")?, "COMPLETED");
    let everything = app.database_text().await?;
    for value in [leaver.email.as_str(), "Eraseme", "Quarrington Lane", "Kettlebells"] {
        assert!(!everything.contains(value), "{value} is still stored");
    }
    assert_eq!(
        (files_in(&app, "photos"), files_in(&app, "evidence")),
        (0, 0),
        "erasure removes files from disk"
    );
    let receipts = app
        .graphql_as(
            &staff.token,
            "query($n: String!) { wipeReceipts(memberNumber: $n) { reason requestId } }",
            json!({ "n": leaver.member_number }),
        )
        .await?
        .ok()?;
    assert_eq!(receipts.data("wipeReceipts")?[0]["reason"], "ERASURE_REQUEST");
    assert_eq!(receipts.data("wipeReceipts")?[0]["requestId"], id.as_str());
    let again = app
        .graphql_as(
            &staff.token,
            "mutation($i: ID!) { completeErasureRequest(id: $i) { status } }",
            json!({ "i": id }),
        )
        .await?;
    assert_eq!(again.code(), Some("CONFLICT"));

    // The other request waits past its due date: the job flags it once, and staff see it.
    app.clock.advance(chrono::Duration::days(31));
    let report = retention(&app).await?;
    assert_eq!(count_in(&report, "data requests open after 30 days")?, 1);
    assert_eq!(
        count_in(&retention(&app).await?, "data requests open after 30 days").unwrap_or(0),
        0
    );
    let queue = app
        .graphql_as(
            &staff.token,
            "{ privacyRequests(status: OPEN) { edges { node { id overdue flaggedOverdueAt } } } }",
            json!({}),
        )
        .await?
        .ok()?;
    let node = &queue.data("privacyRequests.edges")?[0]["node"];
    assert_eq!(
        (node["id"].as_str(), node["overdue"].as_bool()),
        (Some(waiting.as_str()), Some(true))
    );
    assert!(node["flaggedOverdueAt"].is_string());
    Ok(())
}

/// The members' archives: `data.json` parsed, and the other files by path.
fn unzip(bytes: &[u8]) -> Result<(serde_json::Value, std::collections::HashMap<String, Vec<u8>>)> {
    use std::io::Read as _;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut document = serde_json::Value::Null;
    let mut files = std::collections::HashMap::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index)?;
        let mut content = Vec::new();
        entry.read_to_end(&mut content)?;
        let name = entry.name().to_owned();
        if name.ends_with("/data.json") {
            document = serde_json::from_slice(&content)?;
        } else {
            files.insert(name, content);
        }
    }
    Ok((document, files))
}

async fn download(app: &TestApp, path: &str, token: Option<&str>) -> Result<reqwest::Response> {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    app.send(request).await
}

#[tokio::test]
async fn the_export_holds_everything_about_the_caller_and_nothing_about_anyone_else() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let member = distinctive_member(&app, "Xanthe Exporter").await?;
    let other = distinctive_member(&app, "Otto Otherperson").await?;
    record_certification(&app, &staff, &member, today(&app)).await?;
    add_credit(&app, &staff, &member, today(&app)).await?;
    fill_with_personal_data(&app, &staff, &member).await?;
    fill_with_personal_data(&app, &staff, &other).await?;
    app.graphql_as(
        &member.token,
        "mutation { recordPageView(path: \"/account/privacy\") }",
        json!({}),
    )
    .await?
    .ok()?;

    let built = app
        .graphql_as(
            &member.token,
            "mutation { exportMyData { id downloadPath expiresAt bytes } }",
            json!({}),
        )
        .await?
        .ok()?;
    let path = built.str("exportMyData.downloadPath")?.to_owned();
    // Asking again at once answers the same archive.
    let again = app
        .graphql_as(&member.token, "mutation { exportMyData { id } }", json!({}))
        .await?
        .ok()?;
    assert_eq!(again.str("exportMyData.id")?, built.str("exportMyData.id")?);

    // The path alone opens nothing, nor another member's token.
    assert_eq!(download(&app, &path, None).await?.status(), 401);
    assert_eq!(download(&app, &path, Some(&other.token)).await?.status(), 404);
    let response = download(&app, &path, Some(&member.token)).await?;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    assert!(response.headers()["cache-control"].to_str()?.contains("no-store"));
    let (document, files) = unzip(&response.bytes().await?)?;
    let text = document.to_string();
    for held in [
        member.email.as_str(),
        "Xanthe Exporter",
        "+1 306 555 0177",
        "Quarrington Lane",
        "1980-04-05",
        "Kettlebells",
        "Do you train on weekends?",
        "/account/privacy",
        "login_succeeded",
        "Course credited by hand",
    ] {
        assert!(text.contains(held), "{held} is missing from the export");
    }
    for table in [
        "member",
        "directory_profile",
        "certification_cycle",
        "cec_entry",
        "petition",
        "fee",
        "purchase_order",
        "order_item",
        "session",
        "audit_event",
        "outbox_message",
    ] {
        let rows = document["tables"][table].as_array().map_or(0, Vec::len);
        assert!(rows > 0, "no {table} rows in the export");
    }
    // A relayed message is exported as received (it names its sender, who wrote to the
    // member); nothing of the other member, no secret, no staff member.
    for foreign in [
        other.email.as_str(),
        "Otherperson",
        "password_hash",
        "argon2",
        "current_jti",
        &staff.email,
    ] {
        assert!(!text.contains(foreign), "{foreign} must not be in the export");
    }
    assert!(
        files.keys().any(|f| f.contains("/files/profile-photo-0.png")),
        "{:?}",
        files.keys()
    );
    let evidence = files
        .iter()
        .find(|(f, _)| f.contains("-evidence.pdf"))
        .context("the evidence")?;
    assert_eq!(evidence.1, &crate::petitions::pdf(700));

    // After 24 hours the archive is deleted, row and file.
    assert_eq!(files_in(&app, "exports"), 1);
    app.clock.advance(chrono::Duration::hours(25));
    let report = retention(&app).await?;
    assert_eq!(
        count_in(&report, "data export archives after 24 hours")?,
        1,
        "{report:?}"
    );
    assert_eq!(files_in(&app, "exports"), 0);
    assert_eq!(download(&app, &path, Some(&member.token)).await?.status(), 404);
    Ok(())
}

/// The columns of the migrated schema that name a member, by this codebase's convention:
/// `member_id`, `..._member_id`, `member_number`, `claimed_number`, `actor_id`, `..._by`,
/// and the member table's own `id`.
async fn member_columns(app: &TestApp) -> Result<Vec<(String, String)>> {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
         WHERE table_schema = current_schema()"
    } else {
        "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
    };
    let rows = db.query_all_raw(Statement::from_string(backend, sql)).await?;
    let mut columns = Vec::new();
    for row in rows {
        let (table, column): (String, String) = (row.try_get("", "t")?, row.try_get("", "c")?);
        let names_a_member = column == "member_id"
            || column.ends_with("_member_id")
            || column == "member_number"
            || column == "claimed_number"
            || column == "actor_id"
            || column.ends_with("_by")
            || (table == "member" && column == "id");
        if names_a_member && !table.starts_with("seaql_") {
            columns.push((table, column));
        }
    }
    columns.sort();
    Ok(columns)
}

#[tokio::test]
async fn every_column_naming_a_member_is_exported_or_excluded_with_a_reason() -> Result<()> {
    use api::services::privacy::export::{EXPORTED, NOT_EXPORTED};
    let app = TestApp::spawn().await?;
    let in_schema = member_columns(&app).await?;
    let mut listed: Vec<(String, String)> = EXPORTED
        .iter()
        .map(|(t, c, _)| ((*t).to_owned(), (*c).to_owned()))
        .chain(NOT_EXPORTED.iter().map(|(t, c, _)| ((*t).to_owned(), (*c).to_owned())))
        .collect();
    listed.sort();
    listed.dedup();
    let forgotten: Vec<_> = in_schema.iter().filter(|c| !listed.contains(c)).collect();
    assert!(
        forgotten.is_empty(),
        "columns naming a member in neither list: {forgotten:?}"
    );
    let stale: Vec<_> = listed.iter().filter(|c| !in_schema.contains(c)).collect();
    assert!(stale.is_empty(), "listed columns the schema does not have: {stale:?}");
    assert!(
        NOT_EXPORTED.iter().all(|(_, _, why)| why.len() > 10),
        "each exclusion says why"
    );
    Ok(())
}

/// The token of the newest data-request link mailed to `address`.
async fn data_request_token(app: &TestApp, address: &str) -> Result<String> {
    app.link_token(address, entity::enums::MessageKind::DataRequestConfirmation)
        .await
}

/// Leaves traces under `visitor` without an account: a relay message to a trainer (who is
/// returned), a mail-in order and a newsletter subscription.
async fn walk_in_traces(app: &TestApp, admin: &TestUser, visitor: &str) -> Result<TestUser> {
    // A relay message, a newsletter subscription and a mail-in order under the address.
    let trainer = distinctive_member(app, "Tara Trainer").await?;
    let saved = app
        .graphql_as(
            &trainer.token,
            "mutation { saveMyProfile(input: { displayName: \"Tara Trainer\", city: \"Regina\", country: \"Canada\" }) { slug } }",
            json!({}),
        )
        .await?
        .ok()?;
    app.graphql(
        "mutation($s: String!, $e: String!) { contactTrainer(profileSlug: $s, senderName: \"Walker Inn\", senderEmail: $e, message: \"Are you free on Mondays?\") }",
        json!({ "s": saved.str("saveMyProfile.slug")?, "e": visitor }),
    )
    .await?
    .ok()?;
    for mutation in [
        "mutation { createMailingList(input: { slug: \"news\", name: \"News\", description: \"\" }) { slug } }",
        "mutation { createCourseProvider(name: \"Walk Academy\") { slug } }",
        "mutation { createCourse(code: \"WLK-1\", input: { providerSlug: \"walk-academy\", title: \"Walking\", delivery: ONLINE, hours: \"2\", approved: true, publicPrice: \"40.00\" }) { code } }",
    ] {
        app.graphql_as(&admin.token, mutation, json!({})).await?.ok()?;
    }
    app.graphql_as(
        &admin.token,
        "mutation($e: String!) { keyOrder(input: { channel: MAIL_IN, name: \"Walker Inn\", email: $e, courses: [{ code: \"WLK-1\" }] }) { id } }",
        json!({ "e": visitor }),
    )
    .await?
    .ok()?;
    app.graphql(
        "mutation($e: String!) { subscribe(listSlug: \"news\", email: $e) }",
        json!({ "e": visitor }),
    )
    .await?
    .ok()?;
    // And a vulnerability report sent from the address.
    app.graphql(
        "mutation($e: String!) { reportVulnerability(input: { email: $e, description: \"Walker's hole in the search\" }) { id } }",
        json!({ "e": visitor }),
    )
    .await?
    .ok()?;

    Ok(trainer)
}

#[tokio::test]
async fn someone_without_an_account_gets_and_erases_what_is_held_under_their_address() -> Result<()> {
    let app = TestApp::spawn().await?;
    let admin = app.new_with_role(Role::Admin).await?;
    let visitor = "walk-in@example.org";
    let trainer = walk_in_traces(&app, &admin, visitor).await?;

    // The export: asked by address, answered once the link is opened.
    let ask = "mutation($e: String!, $k: PrivacyRequestKind!) { requestDataByEmail(email: $e, kind: $k) }";
    app.graphql(ask, json!({ "e": visitor, "k": "EXPORT" })).await?.ok()?;
    let confirm = "mutation($t: String!) { confirmDataRequest(token: $t) { kind status archive } }";
    let token = data_request_token(&app, visitor).await?;
    let wrong = app.graphql(confirm, json!({ "t": "not-a-token" })).await?;
    assert_eq!(wrong.code(), Some("NOT_FOUND"));
    let answered = app.graphql(confirm, json!({ "t": token })).await?.ok()?;
    assert_eq!(answered.str("confirmDataRequest.status")?, "COMPLETED");
    let archive: serde_json::Value = serde_json::from_str(answered.str("confirmDataRequest.archive")?)?;
    let text = archive.to_string();
    for held in [
        "Are you free on Mondays?",
        "Walker Inn",
        "Confirm your subscription",
        "4000",
        "Walker's hole in the search",
    ] {
        assert!(text.contains(held), "{held} missing from {text}");
    }
    assert!(
        !text.contains(&trainer.email) && !text.contains("Tara"),
        "nothing of the trainer's"
    );
    assert_eq!(
        app.graphql(confirm, json!({ "t": token })).await?.code(),
        Some("NOT_FOUND"),
        "a link works once"
    );

    // The erasure: confirmed, it waits in the staff queue; staff erase.
    app.graphql(ask, json!({ "e": visitor, "k": "ERASURE" })).await?.ok()?;
    let token = data_request_token(&app, visitor).await?;
    let queued = app.graphql(confirm, json!({ "t": token })).await?.ok()?;
    assert_eq!(queued.str("confirmDataRequest.status")?, "OPEN");
    let queue = app
        .graphql_as(
            &admin.token,
            "{ privacyRequests(status: OPEN) { edges { node { id kind email memberNumber } } } }",
            json!({}),
        )
        .await?
        .ok()?;
    let node = &queue.data("privacyRequests.edges")?[0]["node"];
    assert_eq!(
        (node["email"].as_str(), node["memberNumber"].is_null()),
        (Some(visitor), true)
    );
    let id = node["id"].as_str().context("an id")?.to_owned();
    app.graphql_as(
        &admin.token,
        "mutation($i: ID!) { completeErasureRequest(id: $i) { status } }",
        json!({ "i": id }),
    )
    .await?
    .ok()?;
    let everything = app.database_text().await?;
    let holding: Vec<&str> = everything.lines().filter(|l| l.contains(visitor)).collect();
    assert!(holding.is_empty(), "still stored: {holding:?}");
    assert!(!everything.contains("Walker Inn"));
    assert!(
        !everything.contains("hole in the search"),
        "the vulnerability report went too"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM purchase_order WHERE total_cents = 4000")
            .await?,
        1,
        "the order's amounts stay"
    );
    Ok(())
}
