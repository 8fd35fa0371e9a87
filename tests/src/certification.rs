//! Certification: cycles and the status the dates give (the directory follows), the
//! append-only ledger and its corrections, and the public register.

use anyhow::{Result, anyhow};
use api::clock::Clock;
use chrono::{Months, NaiveDate};
use sea_orm::{ConnectionTrait, EntityTrait, Statement};
use serde_json::json;
use shared::Role;
use tests::{TestApp, TestUser};

const MINE: &str = "{ me { certification { status cycleStartsOn expiresOn graceEndsOn earnedCec requiredCec } } }";

async fn record(app: &TestApp, staff: &TestUser, member: &TestUser, starts_on: NaiveDate) -> Result<tests::Gql> {
    app.graphql_as(
        &staff.token,
        "mutation($n: String!, $d: NaiveDate!) { recordCertification(memberNumber: $n, startsOn: $d) { status expiresOn } }",
        json!({ "n": member.member_number, "d": starts_on.to_string() }),
    )
    .await
}

async fn adjust(
    app: &TestApp,
    staff: &TestUser,
    member: &TestUser,
    cec: &str,
    earned_on: NaiveDate,
) -> Result<tests::Gql> {
    app.graphql_as(
        &staff.token,
        "mutation($n: String!, $c: String!, $d: NaiveDate!) { adjustCec(memberNumber: $n, cec: $c, earnedOn: $d, reason: \"Course credited by hand\") { id cec countsForACycle } }",
        json!({ "n": member.member_number, "c": cec, "d": earned_on.to_string() }),
    )
    .await
}

fn today(app: &TestApp) -> NaiveDate {
    app.clock.now().date_naive()
}

/// Moves the clock to `day` (forward only).
fn travel_to(app: &TestApp, day: NaiveDate) {
    let days = (day - today(app)).num_days();
    app.clock.advance(chrono::Duration::days(days));
}

async fn my_status(app: &TestApp, member: &TestUser) -> Result<String> {
    let mine = app.graphql_as(&member.token, MINE, json!({})).await?.ok()?;
    Ok(mine.str("me.certification.status")?.to_owned())
}

async fn run_job(app: &TestApp) -> Result<()> {
    let ctx = api::jobs::JobContext::new(app.state.clone(), app.state.db.clone());
    api::jobs::run_once(&ctx, api::jobs::JobName::Certification, true).await?;
    Ok(())
}

async fn directory_status(app: &TestApp, slug: &str) -> Result<String> {
    let card = app
        .graphql(
            "query($s: String!) { profile(slug: $s) { certificationStatus } }",
            json!({ "s": slug }),
        )
        .await?
        .ok()?;
    Ok(card.str("profile.certificationStatus")?.to_owned())
}

#[tokio::test]
async fn status_runs_certified_grace_expired_on_the_right_days_and_the_directory_follows() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let member = app.new_member().await?;
    let saved = app
        .graphql_as(
            &member.token,
            "mutation { saveMyProfile(input: { displayName: \"Cyc Ling\", city: \"Regina\", country: \"Canada\" }) { slug } }",
            json!({}),
        )
        .await?
        .ok()?;
    let slug = saved.str("saveMyProfile.slug")?.to_owned();
    assert_eq!(my_status(&app, &member).await?, "NONE");
    assert_eq!(directory_status(&app, &slug).await?, "NONE");

    // A cycle that began two years ago less a day: its last certified day is today.
    let starts_on = today(&app)
        .checked_sub_months(Months::new(24))
        .ok_or_else(|| anyhow!("date"))?
        .succ_opt()
        .ok_or_else(|| anyhow!("date"))?;
    let recorded = record(&app, &staff, &member, starts_on).await?.ok()?;
    let expires_on = NaiveDate::parse_from_str(recorded.str("recordCertification.expiresOn")?, "%Y-%m-%d")?;
    assert_eq!(
        Some(expires_on),
        starts_on.checked_add_months(Months::new(24)),
        "two years"
    );
    assert_eq!(recorded.str("recordCertification.status")?, "CERTIFIED");
    assert_eq!(
        directory_status(&app, &slug).await?,
        "CERTIFIED",
        "the directory follows in the same transaction"
    );

    travel_to(&app, expires_on);
    assert_eq!(my_status(&app, &member).await?, "GRACE", "from the expiry date");
    assert_eq!(
        directory_status(&app, &slug).await?,
        "CERTIFIED",
        "until the daily job runs"
    );
    run_job(&app).await?;
    assert_eq!(directory_status(&app, &slug).await?, "GRACE");

    let grace_ends_on = expires_on
        .checked_add_months(Months::new(6))
        .ok_or_else(|| anyhow!("date"))?;
    let mine = app.graphql_as(&member.token, MINE, json!({})).await?.ok()?;
    assert_eq!(mine.str("me.certification.graceEndsOn")?, grace_ends_on.to_string());
    travel_to(&app, grace_ends_on.pred_opt().ok_or_else(|| anyhow!("date"))?);
    assert_eq!(my_status(&app, &member).await?, "GRACE", "the last day of grace");
    travel_to(&app, grace_ends_on);
    assert_eq!(my_status(&app, &member).await?, "EXPIRED", "the day after");
    let ctx = api::jobs::JobContext::new(app.state.clone(), app.state.db.clone());
    let preview = api::jobs::dry_run(&ctx, api::jobs::JobName::Certification).await?;
    assert_eq!(
        preview.lines,
        vec!["directory certification statuses: would change 1".to_owned()]
    );
    app.clock.advance(chrono::Duration::days(1));
    run_job(&app).await?;
    assert_eq!(directory_status(&app, &slug).await?, "EXPIRED");

    // Only an expired certification is reinstated, from after the grace, not in the future.
    let reinstate =
        "mutation($n: String!, $d: NaiveDate!) { reinstateCertification(memberNumber: $n, startsOn: $d) { status } }";
    let future = today(&app).succ_opt().ok_or_else(|| anyhow!("date"))?;
    let refused = app
        .graphql_as(
            &staff.token,
            reinstate,
            json!({ "n": member.member_number, "d": future.to_string() }),
        )
        .await?;
    assert_eq!(
        (refused.code(), refused.field()),
        (Some("VALIDATION"), Some("startsOn"))
    );
    let back = app
        .graphql_as(
            &staff.token,
            reinstate,
            json!({ "n": member.member_number, "d": today(&app).to_string() }),
        )
        .await?
        .ok()?;
    assert_eq!(back.str("reinstateCertification.status")?, "CERTIFIED");
    assert_eq!(directory_status(&app, &slug).await?, "CERTIFIED");
    let again = app
        .graphql_as(
            &staff.token,
            reinstate,
            json!({ "n": member.member_number, "d": today(&app).to_string() }),
        )
        .await?;
    assert_eq!(
        again.code(),
        Some("CONFLICT"),
        "a current certification is not reinstated"
    );
    let twice = record(&app, &staff, &member, today(&app)).await?;
    assert_eq!(twice.code(), Some("CONFLICT"), "the exam is recorded once");
    let by_member = record(&app, &member, &member, today(&app)).await?;
    assert_eq!(by_member.code(), Some("FORBIDDEN"), "members do not certify themselves");
    Ok(())
}

#[tokio::test]
async fn credits_count_for_their_cycle_and_corrections_are_reversing_entries() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let member = app.new_member().await?;
    let stranger = app.new_member().await?;
    let day = |months_ago: u32| {
        today(&app)
            .checked_sub_months(Months::new(months_ago))
            .ok_or_else(|| anyhow!("date"))
    };
    // Credit before any cycle counts for none.
    let early = adjust(&app, &staff, &member, "0.4", day(30)?).await?.ok()?;
    assert_eq!(early.data("adjustCec.countsForACycle")?, &json!(false));
    record(&app, &staff, &member, day(12)?).await?.ok()?;
    for (cec, months_ago) in [("0.7", 10), ("0.7", 6), ("0.5", 1)] {
        let entry = adjust(&app, &staff, &member, cec, day(months_ago)?).await?.ok()?;
        assert_eq!(entry.data("adjustCec.countsForACycle")?, &json!(true));
    }
    let mine = app.graphql_as(&member.token, MINE, json!({})).await?.ok()?;
    assert_eq!(mine.str("me.certification.earnedCec")?, "1.9");
    assert_eq!(mine.str("me.certification.requiredCec")?, "2.0");

    // A correction is a new entry of the opposite amount; the original stays.
    let ledger = app
        .graphql_as(
            &member.token,
            "{ me { ledger(first: 10) { edges { node { id cec source reason reverses } } } } }",
            json!({}),
        )
        .await?
        .ok()?;
    let newest = ledger.str("me.ledger.edges.0.node.id")?.to_owned();
    assert_eq!(ledger.str("me.ledger.edges.0.node.cec")?, "0.5");
    let reverse =
        "mutation($e: ID!) { reverseCecEntry(entryId: $e, reason: \"Entered twice\") { id cec source reverses } }";
    let reversal = app
        .graphql_as(&staff.token, reverse, json!({ "e": newest }))
        .await?
        .ok()?;
    assert_eq!(reversal.str("reverseCecEntry.cec")?, "-0.5");
    assert_eq!(reversal.str("reverseCecEntry.source")?, "REVERSAL");
    assert_eq!(reversal.str("reverseCecEntry.reverses")?, newest);
    let reversal_id = reversal.str("reverseCecEntry.id")?.to_owned();
    let again = app.graphql_as(&staff.token, reverse, json!({ "e": newest })).await?;
    assert_eq!(again.code(), Some("CONFLICT"), "an entry is reversed once");
    let of_reversal = app
        .graphql_as(&staff.token, reverse, json!({ "e": reversal_id }))
        .await?;
    assert_eq!(of_reversal.code(), Some("CONFLICT"), "a reversal is not reversed");
    let mine = app.graphql_as(&member.token, MINE, json!({})).await?.ok()?;
    assert_eq!(mine.str("me.certification.earnedCec")?, "1.4");

    // Bad amounts name their field; nobody but staff adjusts.
    for bad in ["0", "0.75", "10.1", "lots"] {
        let refused = adjust(&app, &staff, &member, bad, day(1)?).await?;
        assert_eq!(
            (refused.code(), refused.field()),
            (Some("VALIDATION"), Some("cec")),
            "{bad}"
        );
    }
    let by_member = adjust(&app, &member, &member, "0.5", day(1)?).await?;
    assert_eq!(by_member.code(), Some("FORBIDDEN"));

    // Members read their own ledger; another member cannot; staff can, and it is audited.
    let of_other = app
        .graphql_as(
            &stranger.token,
            "query($n: String!) { member(memberNumber: $n) { ledger { edges { node { cec } } } } }",
            json!({ "n": member.member_number }),
        )
        .await?;
    assert!(of_other.code().is_some(), "{}", of_other.body);
    let staff_read = app
        .graphql_as(
            &staff.token,
            "query($n: String!) { member(memberNumber: $n) { ledger(first: 50) { edges { node { cec } } } } }",
            json!({ "n": member.member_number }),
        )
        .await?
        .ok()?;
    let entries = staff_read.data("member.ledger.edges")?.as_array().map_or(0, Vec::len);
    assert_eq!(entries, 5, "three credits, the early one and the reversal");
    let audited = entity::audit_event::Entity::find()
        .all(&app.state.db)
        .await?
        .into_iter()
        .filter(|row| row.kind == entity::enums::AuditKind::LedgerViewed)
        .count();
    assert_eq!(
        audited, 1,
        "staff reading a ledger is audited; the owner's reads are not"
    );
    Ok(())
}

#[tokio::test]
async fn the_database_refuses_to_update_or_delete_ledger_rows_except_a_whole_members_purge() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let member = app.new_member().await?;
    let day = today(&app).pred_opt().ok_or_else(|| anyhow!("date"))?;
    adjust(&app, &staff, &member, "0.7", day).await?.ok()?;
    adjust(&app, &staff, &member, "0.3", day).await?.ok()?;
    let db = &app.state.db;
    let backend = db.get_database_backend();
    for sql in [
        "UPDATE cec_entry SET tenths = 70",
        "UPDATE cec_entry SET reason = 'rewritten' WHERE id = 1",
        "DELETE FROM cec_entry WHERE id = 1",
        "DELETE FROM cec_entry",
    ] {
        let refused = db.execute_raw(Statement::from_string(backend, sql)).await;
        let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("append-only"), "{sql}: {message}");
    }
    if tests::harness::on_postgres() {
        let refused = db.execute_unprepared("TRUNCATE cec_entry").await;
        assert!(refused.is_err(), "TRUNCATE is refused too");
    }
    let rows = entity::cec_entry::Entity::find().all(db).await?;
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.tenths == 7 || r.tenths == 3), "nothing changed");

    // The privacy lifecycle's purge of a whole member goes through, in its transaction.
    let member_id = rows[0].member_id;
    let txn = api::db::begin_write(db).await?;
    let purged = api::db::certification::purge_ledger(&txn, member_id).await?;
    txn.commit().await?;
    assert_eq!(purged, 2);
    assert!(entity::cec_entry::Entity::find().all(db).await?.is_empty());
    assert!(
        entity::ledger_purge::Entity::find().all(db).await?.is_empty(),
        "the marker goes with it"
    );
    Ok(())
}

#[tokio::test]
async fn the_register_answers_only_number_and_last_name_together_with_status_and_month() -> Result<()> {
    let app = TestApp::spawn_with(|s| {
        s.limits.verify_ip_burst = 8;
        s.trusted_proxy = Some([127, 0, 0, 1].into());
    })
    .await?;
    let staff = app.new_with_role(Role::Staff).await?;
    app.register("register@example.org", "a register passphrase", "Zoë Côté-Lévesque")
        .await?
        .ok()?;
    let member = app.confirm("register@example.org", "a register passphrase").await?;
    let starts_on = today(&app).pred_opt().ok_or_else(|| anyhow!("date"))?;
    record(&app, &staff, &member, starts_on).await?.ok()?;
    let expiry_month = starts_on
        .checked_add_months(Months::new(24))
        .ok_or_else(|| anyhow!("date"))?
        .format("%Y-%m")
        .to_string();
    let check = "query($n: String!, $l: String!) { certificationStatus(memberNumber: $n, lastName: $l) { status expiryMonth } }";
    let ask = |ip: &'static str, number: String, name: &'static str| {
        let app = &app;
        async move {
            app.graphql_from(ip, None, check, json!({ "n": number, "l": name }))
                .await
        }
    };
    for typed in ["Côté-Lévesque", "cote-levesque", "  COTE-LEVESQUE "] {
        let found = ask("203.0.113.7", member.member_number.clone(), typed).await?.ok()?;
        assert_eq!(found.str("certificationStatus.status")?, "CERTIFIED", "{typed}");
        assert_eq!(found.str("certificationStatus.expiryMonth")?, expiry_month);
        let fields = found.data("certificationStatus")?.as_object().map(serde_json::Map::len);
        assert_eq!(fields, Some(2), "the status and the month, nothing else");
    }
    // A wrong name answers exactly like an unknown number.
    let wrong_name = ask("203.0.113.7", member.member_number.clone(), "Tremblay").await?;
    let unknown = ask("203.0.113.7", "CPTN-999999".to_owned(), "Côté-Lévesque").await?;
    assert_eq!(wrong_name.code(), Some("NOT_FOUND"));
    assert_eq!(
        wrong_name.body["errors"][0]["message"],
        unknown.body["errors"][0]["message"]
    );
    assert_eq!(unknown.code(), Some("NOT_FOUND"));
    // Walking the sequential numbers is throttled per IP.
    let mut limited = None;
    for n in 0..10 {
        let answer = ask("203.0.113.7", format!("CPTN-{:06}", 100 + n), "Smith").await?;
        if answer.code() == Some("RATE_LIMITED") {
            limited = Some(n);
            break;
        }
    }
    assert!(limited.is_some(), "the register is rate-limited per IP");
    let other_ip = ask("198.51.100.2", member.member_number.clone(), "Côté-Lévesque").await?;
    assert!(other_ip.errors().is_empty(), "another IP has its own budget");

    // Staff lookups are audited; a disabled account is not in the register.
    app.graphql_as(
        &staff.token,
        check,
        json!({ "n": member.member_number, "l": "Côté-Lévesque" }),
    )
    .await?
    .ok()?;
    let audited = entity::audit_event::Entity::find()
        .all(&app.state.db)
        .await?
        .into_iter()
        .filter(|row| row.kind == entity::enums::AuditKind::RegisterLookedUp)
        .count();
    assert_eq!(audited, 1);
    let admin = app.new_with_role(Role::Admin).await?;
    app.graphql_as(
        &admin.token,
        "mutation($n: String!) { setMemberStatus(memberNumber: $n, status: DISABLED) { status } }",
        json!({ "n": member.member_number }),
    )
    .await?
    .ok()?;
    let closed = ask("192.0.2.9", member.member_number.clone(), "Côté-Lévesque").await?;
    assert_eq!(closed.code(), Some("NOT_FOUND"));
    Ok(())
}

const RENEW: &str = "mutation { renewCertification { status fee { id status amount { cents currency formatted } } } }";

/// A member whose cycle began `cycle_months` months before today, with `cec` earned a month
/// into it.
async fn certified_member(app: &TestApp, staff: &TestUser, starts_on: NaiveDate, cec: &str) -> Result<TestUser> {
    let member = app.new_member().await?;
    record(app, staff, &member, starts_on).await?.ok()?;
    let earned = starts_on.succ_opt().ok_or_else(|| anyhow!("date"))?;
    adjust(app, staff, &member, cec, earned).await?.ok()?;
    Ok(member)
}

#[tokio::test]
async fn renewal_needs_the_cycles_credit_inside_its_window_and_the_next_cycle_starts_at_expiry() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    // A cycle ending 94 or 95 days from now (month lengths decide), then the day before its
    // renewal window (90 days) opens.
    let starts_on = (today(&app) + chrono::Duration::days(95))
        .checked_sub_months(Months::new(24))
        .ok_or_else(|| anyhow!("date"))?;
    let expires_on = starts_on
        .checked_add_months(Months::new(24))
        .ok_or_else(|| anyhow!("date"))?;
    let short = certified_member(&app, &staff, starts_on, "1.9").await?;
    let enough = certified_member(&app, &staff, starts_on, "2.0").await?;
    travel_to(&app, expires_on - chrono::Duration::days(91));

    let early = app.graphql_as(&enough.token, RENEW, json!({})).await?;
    assert_eq!(early.code(), Some("VALIDATION"));
    let message = early.body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("Renewal opens on"), "{message}");

    app.clock.advance(chrono::Duration::days(1));
    let refused = app.graphql_as(&short.token, RENEW, json!({})).await?;
    assert_eq!(refused.code(), Some("VALIDATION"));
    let message = refused.body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.starts_with("0.1 CEC short"), "{message}");

    let asked = app.graphql_as(&enough.token, RENEW, json!({})).await?.ok()?;
    assert_eq!(asked.str("renewCertification.status")?, "AWAITING_PAYMENT");
    assert_eq!(asked.str("renewCertification.fee.status")?, "AWAITING_PAYMENT");
    assert_eq!(asked.data("renewCertification.fee.amount.cents")?, &json!(9500));
    assert_eq!(asked.str("renewCertification.fee.amount.formatted")?, "$95.00 CAD");
    let fee = asked.str("renewCertification.fee.id")?.to_owned();
    let twice = app.graphql_as(&enough.token, RENEW, json!({})).await?;
    assert_eq!(twice.code(), Some("CONFLICT"), "one renewal per cycle");

    // Paid (by cheque, recorded by staff): the next cycle begins at the old expiry, the
    // day of payment notwithstanding, and twice paying applies it once.
    let order = app.order_of_fee(&fee).await?;
    let by_member = app.pay_order(&enough.token, &order).await?;
    assert_eq!(by_member.code(), Some("FORBIDDEN"));
    let (one, two) = tokio::join!(app.pay_order(&staff.token, &order), app.pay_order(&staff.token, &order));
    let codes = [one?.code().map(str::to_owned), two?.code().map(str::to_owned)];
    assert!(
        codes.contains(&None) && codes.contains(&Some("CONFLICT".to_owned())),
        "{codes:?}"
    );
    let cycles = entity::certification_cycle::Entity::find().all(&app.state.db).await?;
    assert_eq!(cycles.len(), 3, "two first cycles and one renewal");
    travel_to(&app, expires_on);
    let mine = app.graphql_as(&enough.token, MINE, json!({})).await?.ok()?;
    assert_eq!(mine.str("me.certification.status")?, "CERTIFIED");
    assert_eq!(mine.str("me.certification.cycleStartsOn")?, expires_on.to_string());
    assert_eq!(
        mine.str("me.certification.earnedCec")?,
        "0.0",
        "credit does not roll over"
    );
    Ok(())
}

#[tokio::test]
async fn renewal_is_open_to_the_last_day_of_grace_and_credit_earned_in_grace_counts() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let today = today(&app);
    // Expired a day or so ago (month lengths decide): in grace, which ends six months after.
    let starts_on = today
        .pred_opt()
        .and_then(|d| d.checked_sub_months(Months::new(24)))
        .ok_or_else(|| anyhow!("date"))?;
    let expires_on = starts_on
        .checked_add_months(Months::new(24))
        .ok_or_else(|| anyhow!("date"))?;
    let grace_ends_on = expires_on
        .checked_add_months(Months::new(6))
        .ok_or_else(|| anyhow!("date"))?;
    let on_last_day = certified_member(&app, &staff, starts_on, "1.5").await?;
    let day_after = certified_member(&app, &staff, starts_on, "2.0").await?;
    // 0.5 earned during grace counts for the cycle being renewed.
    let in_grace = adjust(&app, &staff, &on_last_day, "0.5", today).await?.ok()?;
    assert_eq!(in_grace.data("adjustCec.countsForACycle")?, &json!(true));
    let mine = app.graphql_as(&on_last_day.token, MINE, json!({})).await?.ok()?;
    assert_eq!(mine.str("me.certification.status")?, "GRACE");
    assert_eq!(mine.str("me.certification.earnedCec")?, "2.0");

    travel_to(&app, grace_ends_on.pred_opt().ok_or_else(|| anyhow!("date"))?);
    let asked = app.graphql_as(&on_last_day.token, RENEW, json!({})).await?.ok()?;
    let fee = asked.str("renewCertification.fee.id")?.to_owned();
    app.clock.advance(chrono::Duration::days(1));
    let late = app.graphql_as(&day_after.token, RENEW, json!({})).await?;
    assert_eq!(
        late.code(),
        Some("VALIDATION"),
        "the day after grace: only staff can reinstate"
    );
    let message = late.body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("reinstate"), "{message}");

    // Paid after grace, the renewal asked for in time still starts at the old expiry.
    app.pay_fee(&staff.token, &fee).await?.ok()?;
    let mine = app.graphql_as(&on_last_day.token, MINE, json!({})).await?.ok()?;
    assert_eq!(mine.str("me.certification.status")?, "CERTIFIED");
    assert_eq!(mine.str("me.certification.cycleStartsOn")?, expires_on.to_string());
    Ok(())
}

#[tokio::test]
async fn each_renewal_reminder_goes_once_per_cycle_and_a_late_run_sends_only_the_latest() -> Result<()> {
    let app = TestApp::spawn_with(|s| s.run_jobs = false).await?;
    let other_server = app.spawn_sharing(|s| s.run_jobs = false).await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let expires_on = today(&app) + chrono::Duration::days(95);
    let starts_on = expires_on
        .checked_sub_months(Months::new(24))
        .ok_or_else(|| anyhow!("date"))?;
    let email = format!("reminded-{}@example.org", uuid::Uuid::new_v4().simple());
    app.register(&email, "a reminded passphrase", "Remi Nder").await?.ok()?;
    let member = app.confirm(&email, "a reminded passphrase").await?;
    record(&app, &staff, &member, starts_on).await?.ok()?;
    let reminders = || async {
        Ok::<_, anyhow::Error>(
            app.mail_to(&email, entity::enums::MessageKind::RenewalReminder)
                .await?
                .len(),
        )
    };
    // Both servers' clocks move together (they share the date).
    let travel_both = |day: NaiveDate| {
        let days = (day - today(&app)).num_days();
        app.clock.advance(chrono::Duration::days(days));
        other_server.clock.advance(chrono::Duration::days(days));
    };
    let run_on_both = || async {
        let (a, b) = (
            api::jobs::JobContext::new(app.state.clone(), app.state.db.clone()),
            api::jobs::JobContext::new(other_server.state.clone(), other_server.state.db.clone()),
        );
        // Straight to the job's work on both at once (not through the lease, which would let
        // only one run): the database alone keeps each reminder to one.
        let (one, two) = tokio::join!(
            api::services::certification::reminders::send_due(&a.db, &a.state, false),
            api::services::certification::reminders::send_due(&b.db, &b.state, false)
        );
        one?;
        two?;
        Ok::<_, anyhow::Error>(())
    };

    run_on_both().await?;
    assert_eq!(reminders().await?, 0, "95 days before expiry: none due");
    travel_both(expires_on - chrono::Duration::days(90));
    run_on_both().await?;
    run_on_both().await?;
    assert_eq!(reminders().await?, 1, "the 90-day reminder, once");
    let first = app.mail_to(&email, entity::enums::MessageKind::RenewalReminder).await?;
    assert!(
        first[0].subject.contains(&expires_on.to_string()),
        "{}",
        first[0].subject
    );
    assert!(first[0].body.contains("0.0 of the 2.0 CEC"), "{}", first[0].body);

    // The job does not run again until 20 days before expiry: the 60- and 30-day reminders
    // are both due, only the 30-day one goes.
    travel_both(expires_on - chrono::Duration::days(20));
    let ctx = api::jobs::JobContext::new(app.state.clone(), app.state.db.clone());
    let preview = api::jobs::dry_run(&ctx, api::jobs::JobName::Reminders).await?;
    assert_eq!(
        preview.lines,
        vec!["renewal reminders: would send 1, passed over 1 that a late run found overtaken".to_owned()]
    );
    api::jobs::run_once(&ctx, api::jobs::JobName::Reminders, true).await?;
    run_on_both().await?;
    assert_eq!(reminders().await?, 2);
    let rows = entity::renewal_reminder::Entity::find().all(&app.state.db).await?;
    let mut recorded: Vec<(i32, entity::enums::ReminderOutcome)> =
        rows.iter().map(|r| (r.days_before, r.outcome)).collect();
    recorded.sort_by_key(|r| r.0);
    let (sent, skipped) = (
        entity::enums::ReminderOutcome::Sent,
        entity::enums::ReminderOutcome::Skipped,
    );
    assert_eq!(recorded, vec![(30, sent), (60, skipped), (90, sent)]);

    // Asking to renew stops the reminders.
    let earned = starts_on.succ_opt().ok_or_else(|| anyhow!("date"))?;
    adjust(&app, &staff, &member, "2.0", earned).await?.ok()?;
    app.graphql_as(&member.token, RENEW, json!({})).await?.ok()?;
    travel_both(expires_on - chrono::Duration::days(7));
    run_on_both().await?;
    assert_eq!(reminders().await?, 2, "no reminder once renewal is asked for");
    Ok(())
}

#[tokio::test]
async fn staff_never_act_on_their_own_certification_credit_or_fees() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let colleague = app.new_with_role(Role::Staff).await?;
    let day = today(&app).pred_opt().ok_or_else(|| anyhow!("date"))?;
    let own_record = record(&app, &staff, &staff, day).await?;
    assert_eq!(own_record.code(), Some("FORBIDDEN"));
    let own_credit = adjust(&app, &staff, &staff, "2.0", day).await?;
    assert_eq!(own_credit.code(), Some("FORBIDDEN"));
    // A colleague does it; then the staff member's own renewal fee is a colleague's to mark.
    let expires_on = today(&app) + chrono::Duration::days(30);
    let starts_on = expires_on
        .checked_sub_months(Months::new(24))
        .ok_or_else(|| anyhow!("date"))?;
    record(&app, &colleague, &staff, starts_on).await?.ok()?;
    adjust(&app, &colleague, &staff, "2.0", day).await?.ok()?;
    let entry = entity::cec_entry::Entity::find().all(&app.state.db).await?;
    let own_reversal = app
        .graphql_as(
            &staff.token,
            "mutation($e: ID!) { reverseCecEntry(entryId: $e, reason: \"Mine\") { id } }",
            json!({ "e": entry[0].id.to_string() }),
        )
        .await?;
    assert_eq!(own_reversal.code(), Some("FORBIDDEN"));
    let asked = app.graphql_as(&staff.token, RENEW, json!({})).await?.ok()?;
    let fee = asked.str("renewCertification.fee.id")?.to_owned();
    let own_payment = app.pay_fee(&staff.token, &fee).await?;
    assert_eq!(own_payment.code(), Some("FORBIDDEN"));
    app.pay_fee(&colleague.token, &fee).await?.ok()?;
    Ok(())
}

const DASHBOARD_FIELDS: &str = "{ status cycleStartsOn expiresOn graceEndsOn renewalOpensOn earnedCec requiredCec renewalPaid renewalFee { cents } recentCredit { id cec source title reason earnedOn countsForACycle } }";
const DASHBOARD: &str = "{ myDashboard { status cycleStartsOn expiresOn graceEndsOn renewalOpensOn earnedCec requiredCec renewalPaid renewalFee { cents } recentCredit { id cec source title reason earnedOn countsForACycle } } }";
const FULL_VIEW: &str = "{ me { certification { status cycleStartsOn expiresOn graceEndsOn renewalOpensOn earnedCec requiredCec renewal { status fee { amount { cents } } } } ledger(first: 20) { edges { node { id cec source title reason earnedOn countsForACycle } } } } }";

#[tokio::test]
async fn the_dashboard_says_what_the_certification_and_ledger_say_in_one_statement() -> Result<()> {
    let app = TestApp::spawn().await?;
    let credentials = api::services::seed::seed_demo(&app.state.db)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    // A renewal asked for (Chloé is in her window) and a course credit with a title.
    let chloe = credentials
        .iter()
        .find(|c| c.email.starts_with("chloe."))
        .ok_or_else(|| anyhow!("demo member"))?;
    let chloe = app.logged_in(chloe.email.clone(), chloe.password.clone()).await?;
    app.graphql_as(&chloe.token, "mutation { renewCertification { status } }", json!({}))
        .await?
        .ok()?;
    for demo in credentials
        .iter()
        .filter(|c| c.email.contains(".trainer@") || c.email.starts_with("tom."))
    {
        let user = app.logged_in(demo.email.clone(), demo.password.clone()).await?;
        let before = app.state.db_stats.statements();
        let dashboard = app.graphql_as(&user.token, DASHBOARD, json!({})).await?.ok()?;
        let cost = app.state.db_stats.statements() - before;
        assert_eq!(cost, 2, "{}: the session check and one statement", demo.email);
        // The one-pass answer and the derived resolvers' (a fragment takes that path) agree.
        let derived = app
            .graphql_as(
                &user.token,
                &format!("{{ myDashboard {{ ...D }} }} fragment D on MemberDashboard {DASHBOARD_FIELDS}"),
                json!({}),
            )
            .await?
            .ok()?;
        assert_eq!(
            derived.data("myDashboard")?,
            dashboard.data("myDashboard")?,
            "{}",
            demo.email
        );
        let full = app.graphql_as(&user.token, FULL_VIEW, json!({})).await?.ok()?;
        for field in [
            "status",
            "cycleStartsOn",
            "expiresOn",
            "graceEndsOn",
            "renewalOpensOn",
            "earnedCec",
            "requiredCec",
        ] {
            assert_eq!(
                dashboard.data(&format!("myDashboard.{field}"))?,
                full.data(&format!("me.certification.{field}"))?,
                "{}: {field}",
                demo.email
            );
        }
        let renewal = full.data("me.certification.renewal")?;
        assert_eq!(
            dashboard.data("myDashboard.renewalFee.cents").ok(),
            renewal.get("fee").map(|f| &f["amount"]["cents"]),
            "{}",
            demo.email
        );
        let ledger: Vec<serde_json::Value> = full
            .data("me.ledger.edges")?
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| e["node"].clone())
            .collect();
        assert_eq!(
            dashboard.data("myDashboard.recentCredit")?,
            &serde_json::Value::Array(ledger),
            "{}",
            demo.email
        );
    }
    let anonymous = app.graphql(DASHBOARD, json!({})).await?;
    assert_eq!(anonymous.code(), Some("UNAUTHENTICATED"));
    Ok(())
}
