//! Workshops, enrolment and completion: seats under concurrency, one enrolment per course,
//! the member price owed as a fee, completion by staff or the course's own provider, and
//! ledger credit written once for approved courses only.

use anyhow::Result;
use api::clock::Clock;
use serde_json::json;
use shared::Role;
use tests::{Gql, TestApp, TestUser};

const ENROL: &str = "mutation($c: String!, $w: ID) { enrol(course: $c, workshop: $w) { id status price { cents } fee { id amount { cents } } workshop { seatsLeft } } }";
const COMPLETE: &str = "mutation($e: ID!, $d: NaiveDate!) { completeEnrolment(enrolmentId: $e, completedOn: $d) { status completedOn credited } }";
const WORKSHOP: &str =
    "mutation($c: String!, $i: WorkshopInput!) { createWorkshop(code: $c, input: $i) { id capacity seatsLeft } }";

fn today(app: &TestApp) -> chrono::NaiveDate {
    app.clock.now().date_naive()
}

/// A provider with an in-person course (member price 80.00) and an online approved one
/// worth 0.7 CEC, and a not-approved online one.
async fn catalogue(app: &TestApp, staff: &TestUser, provider: &str) -> Result<String> {
    let made = app
        .graphql_as(
            &staff.token,
            "mutation($n: String!) { createCourseProvider(name: $n) { slug } }",
            json!({ "n": provider }),
        )
        .await?
        .ok()?;
    let slug = made.str("createCourseProvider.slug")?.to_owned();
    let prefix: String = slug.chars().take(3).collect::<String>().to_uppercase();
    for (code, delivery, approved, member_price) in [
        (format!("{prefix}-KET"), "IN_PERSON", true, Some("80.00")),
        (format!("{prefix}-NUT"), "ONLINE", true, None),
        (format!("{prefix}-YOG"), "ONLINE", false, None),
    ] {
        app.graphql_as(
            &staff.token,
            "mutation($c: String!, $i: CourseInput!) { createCourse(code: $c, input: $i) { code } }",
            json!({ "c": code, "i": { "providerSlug": slug, "title": format!("Course {code}"), "delivery": delivery,
                    "hours": "7.0", "approved": approved, "publicPrice": "100.00", "memberPrice": member_price } }),
        )
        .await?
        .ok()?;
    }
    Ok(prefix)
}

async fn workshop(app: &TestApp, staff: &TestUser, code: &str, capacity: i32) -> Result<String> {
    let starts = app.clock.now() + chrono::Duration::days(10);
    let made = app
        .graphql_as(
            &staff.token,
            WORKSHOP,
            json!({ "c": code, "i": { "startsAt": starts.to_rfc3339(), "endsAt": (starts + chrono::Duration::hours(7)).to_rfc3339(),
                    "location": "Community Hall, Regina", "capacity": capacity } }),
        )
        .await?
        .ok()?;
    Ok(made.str("createWorkshop.id")?.to_owned())
}

async fn enrol(app: &TestApp, user: &TestUser, course: &str, workshop: Option<&str>) -> Result<Gql> {
    app.graphql_as(&user.token, ENROL, json!({ "c": course, "w": workshop }))
        .await
}

#[tokio::test]
async fn two_members_racing_for_the_last_seat_get_one_seat_and_one_conflict() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let prefix = catalogue(&app, &staff, "Seat Academy").await?;
    let course = format!("{prefix}-KET");
    let seat = workshop(&app, &staff, &course, 1).await?;
    let (ana, ben) = (app.new_member().await?, app.new_member().await?);

    let without = enrol(&app, &ana, &course, None).await?;
    assert_eq!(
        without.code(),
        Some("VALIDATION"),
        "an in-person course needs a workshop"
    );
    assert_eq!(without.field(), Some("workshop"));

    let (first, second) = tokio::join!(
        enrol(&app, &ana, &course, Some(&seat)),
        enrol(&app, &ben, &course, Some(&seat))
    );
    let (first, second) = (first?, second?);
    let outcomes = [first.code(), second.code()];
    assert!(
        outcomes.contains(&None) && outcomes.contains(&Some("CONFLICT")),
        "one seat, one conflict: {} / {}",
        first.body,
        second.body
    );
    let winner = if first.code().is_none() { first } else { second };
    assert_eq!(winner.str("enrol.status")?, "AWAITING_PAYMENT");
    assert_eq!(winner.data("enrol.price.cents")?, 8000, "the member price");
    assert_eq!(winner.data("enrol.fee.amount.cents")?, 8000, "owed as a fee");
    assert_eq!(winner.data("enrol.workshop.seatsLeft")?, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM enrolment").await?,
        1,
        "the loser left no enrolment and no fee behind"
    );
    assert_eq!(app.count("SELECT COUNT(*) AS n FROM fee").await?, 1);

    let seats = app
        .graphql(
            "query($c: String!) { course(code: $c) { workshops { seatsLeft capacity } } }",
            json!({ "c": course }),
        )
        .await?
        .ok()?;
    assert_eq!(seats.data("course.workshops.0.seatsLeft")?, 0);

    // Capacity never drops below the seats taken; raising it frees a seat.
    let update = "mutation($w: ID!, $i: WorkshopInput!) { updateWorkshop(id: $w, input: $i) { capacity seatsLeft } }";
    let starts = app.clock.now() + chrono::Duration::days(10);
    let input = |capacity: i32| {
        json!({ "startsAt": starts.to_rfc3339(), "endsAt": (starts + chrono::Duration::hours(7)).to_rfc3339(),
                "location": "Community Hall, Regina", "capacity": capacity })
    };
    let grow = app
        .graphql_as(&staff.token, update, json!({ "w": seat, "i": input(3) }))
        .await?
        .ok()?;
    assert_eq!(
        grow.data("updateWorkshop.seatsLeft")?,
        2,
        "raising the capacity frees seats"
    );
    let carla = app.new_member().await?;
    enrol(&app, &carla, &course, Some(&seat)).await?.ok()?;
    let shrink = app
        .graphql_as(&staff.token, update, json!({ "w": seat, "i": input(1) }))
        .await?;
    assert_eq!(shrink.code(), Some("CONFLICT"), "two seats are taken: {}", shrink.body);
    assert_eq!(shrink.field(), Some("capacity"));
    Ok(())
}

#[tokio::test]
async fn a_member_enrols_once_per_course_and_not_in_cancelled_or_begun_workshops() -> Result<()> {
    let app = TestApp::spawn().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let prefix = catalogue(&app, &staff, "Once Academy").await?;
    let course = format!("{prefix}-KET");
    let seats = workshop(&app, &staff, &course, 10).await?;
    let other = workshop(&app, &staff, &course, 10).await?;
    let member = app.new_member().await?;

    enrol(&app, &member, &course, Some(&seats)).await?.ok()?;
    let again = enrol(&app, &member, &course, Some(&other)).await?;
    assert_eq!(
        again.code(),
        Some("CONFLICT"),
        "no double enrolment, even in another session"
    );
    assert_eq!(again.field(), Some("course"));

    let cancelled = app
        .graphql_as(
            &staff.token,
            "mutation($w: ID!) { retireWorkshop(id: $w) { cancelled } }",
            json!({ "w": other }),
        )
        .await?
        .ok()?;
    assert_eq!(cancelled.data("retireWorkshop.cancelled")?, true);
    let listed = app
        .graphql(
            "query($c: String!) { course(code: $c) { workshops { id } } }",
            json!({ "c": course }),
        )
        .await?
        .ok()?;
    assert_eq!(
        listed.data("course.workshops")?.as_array().map(Vec::len),
        Some(1),
        "a cancelled workshop leaves the public page"
    );
    let late = app.new_member().await?;
    let into_cancelled = enrol(&app, &late, &course, Some(&other)).await?;
    assert_eq!(into_cancelled.code(), Some("VALIDATION"));

    app.clock.advance(chrono::Duration::days(11));
    let begun = enrol(&app, &late, &course, Some(&seats)).await?;
    assert_eq!(begun.code(), Some("VALIDATION"), "a workshop that began takes no one");

    let anonymous = app
        .graphql(ENROL, json!({ "c": format!("{prefix}-NUT"), "w": null }))
        .await?;
    assert_eq!(anonymous.code(), Some("UNAUTHENTICATED"));
    Ok(())
}

#[allow(
    clippy::too_many_lines,
    reason = "one completion story, from linking the provider to the ledger"
)]
#[tokio::test]
async fn staff_or_the_courses_own_provider_record_completion_and_approved_courses_credit_once() -> Result<()> {
    let app = TestApp::spawn().await?;
    let admin = app.new_with_role(Role::Admin).await?;
    let staff = app.new_with_role(Role::Staff).await?;
    let prefix = catalogue(&app, &staff, "Credit Academy").await?;
    let rival = catalogue(&app, &staff, "Rival School").await?;
    let (approved, not_approved) = (format!("{prefix}-NUT"), format!("{prefix}-YOG"));
    let member = app.new_member().await?;

    // Provider accounts: one for this provider, one for the rival.
    let provider = app.new_member().await?;
    let rival_account = app.new_member().await?;
    let link = "mutation($n: String!, $p: String!) { linkCourseProvider(memberNumber: $n, provider: $p) { role } }";
    let by_staff = app
        .graphql_as(
            &staff.token,
            link,
            json!({ "n": provider.member_number, "p": "credit-academy" }),
        )
        .await?;
    assert_eq!(by_staff.code(), Some("FORBIDDEN"), "admins link provider accounts");
    let linked = app
        .graphql_as(
            &admin.token,
            link,
            json!({ "n": provider.member_number, "p": "credit-academy" }),
        )
        .await?
        .ok()?;
    assert_eq!(linked.str("linkCourseProvider.role")?, "PROVIDER");
    app.graphql_as(
        &admin.token,
        link,
        json!({ "n": rival_account.member_number, "p": "rival-school" }),
    )
    .await?
    .ok()?;
    let by_role = app
        .graphql_as(
            &admin.token,
            "mutation($n: String!) { setMemberRole(memberNumber: $n, role: PROVIDER) { role } }",
            json!({ "n": member.member_number }),
        )
        .await?;
    assert_eq!(by_role.code(), Some("VALIDATION"), "a provider role needs its provider");

    let enrolled = enrol(&app, &member, &approved, None).await?.ok()?;
    let enrolment = enrolled.str("enrol.id")?.to_owned();
    let fee = enrolled.str("enrol.fee.id")?.to_owned();
    assert_eq!(
        enrolled.data("enrol.price.cents")?,
        10_000,
        "no member price: the public one"
    );
    let on = today(&app).to_string();

    let unpaid = app
        .graphql_as(&provider.token, COMPLETE, json!({ "e": enrolment, "d": on }))
        .await?;
    assert_eq!(unpaid.code(), Some("CONFLICT"), "not before the fee is paid");
    app.pay_fee(&staff.token, &fee).await?.ok()?;

    for (who, code) in [(&member, "FORBIDDEN"), (&rival_account, "FORBIDDEN")] {
        let refused = app
            .graphql_as(&who.token, COMPLETE, json!({ "e": enrolment, "d": on }))
            .await?;
        assert_eq!(refused.code(), Some(code), "{}", refused.body);
    }
    let roster =
        "query($c: String!) { courseEnrolments(course: $c) { edges { node { memberNumber memberName status } } } }";
    let seen = app
        .graphql_as(&provider.token, roster, json!({ "c": approved }))
        .await?
        .ok()?;
    assert_eq!(
        seen.str("courseEnrolments.edges.0.node.memberNumber")?,
        member.member_number,
        "a provider sees who is enrolled in its courses"
    );
    let not_theirs = app
        .graphql_as(&rival_account.token, roster, json!({ "c": approved }))
        .await?;
    assert_eq!(not_theirs.code(), Some("FORBIDDEN"), "and only in its own");
    let own_ledger = app
        .graphql_as(
            &provider.token,
            "query($n: String!) { member(memberNumber: $n) { ledger { edges { node { id } } } } }",
            json!({ "n": member.member_number }),
        )
        .await?;
    assert!(
        own_ledger.code().is_some(),
        "a provider reads no member's ledger: {}",
        own_ledger.body
    );

    let future = (today(&app) + chrono::Duration::days(1)).to_string();
    let ahead = app
        .graphql_as(&provider.token, COMPLETE, json!({ "e": enrolment, "d": future }))
        .await?;
    assert_eq!(ahead.code(), Some("VALIDATION"));
    let done = app
        .graphql_as(&provider.token, COMPLETE, json!({ "e": enrolment, "d": on }))
        .await?
        .ok()?;
    assert_eq!(done.str("completeEnrolment.status")?, "COMPLETED");
    assert_eq!(done.data("completeEnrolment.credited")?, true);
    let twice = app
        .graphql_as(&staff.token, COMPLETE, json!({ "e": enrolment, "d": on }))
        .await?;
    assert_eq!(twice.code(), Some("CONFLICT"), "completion is recorded once");

    let ledger = app
        .graphql_as(
            &member.token,
            "{ me { ledger { edges { node { cec source title } } } enrolments { edges { node { courseCode status credited } } } } }",
            json!({}),
        )
        .await?
        .ok()?;
    let entries = ledger.data("me.ledger.edges")?.as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), 1, "credited once: {}", ledger.body);
    assert_eq!(
        ledger.str("me.ledger.edges.0.node.cec")?,
        "0.7",
        "7 hours at 0.1 CEC an hour"
    );
    assert_eq!(ledger.str("me.ledger.edges.0.node.source")?, "COURSE");
    assert_eq!(
        ledger.str("me.ledger.edges.0.node.title")?,
        format!("Course {approved}")
    );
    assert_eq!(ledger.str("me.enrolments.edges.0.node.status")?, "COMPLETED");

    // A course that is not approved: completion is recorded, credit needs a petition.
    let other = enrol(&app, &member, &not_approved, None).await?.ok()?;
    let other_fee = other.str("enrol.fee.id")?.to_owned();
    app.pay_fee(&staff.token, &other_fee).await?.ok()?;
    let uncredited = app
        .graphql_as(&staff.token, COMPLETE, json!({ "e": other.str("enrol.id")?, "d": on }))
        .await?
        .ok()?;
    assert_eq!(uncredited.data("completeEnrolment.credited")?, false);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM cec_entry").await?,
        1,
        "no credit without a petition"
    );
    let _ = rival;
    Ok(())
}
