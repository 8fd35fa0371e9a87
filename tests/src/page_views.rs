//! Page views (P9, P14) and the log retention: the web app's views are audit rows with the
//! path (never its query string), staff read them, and after `CPTN_LOG_RETENTION_MONTHS`
//! the views and the access log go and other audit rows lose their IP and user agent.

use anyhow::Result;
use serde_json::json;
use shared::Role;
use tests::TestApp;

const VIEW: &str = "mutation($p: String!) { recordPageView(path: $p) }";

#[tokio::test]
async fn page_views_keep_time_ip_path_and_member_and_staff_read_them() -> Result<()> {
    let app = TestApp::spawn().await?;
    let member = app.new_member().await?;
    let staff = app.new_with_role(Role::Staff).await?;
    app.graphql(VIEW, json!({ "p": "/confirm?token=a-secret-token" }))
        .await?
        .ok()?;
    app.graphql_as(&member.token, VIEW, json!({ "p": "/courses/NUT-201#workshops" }))
        .await?
        .ok()?;
    let bad = app.graphql(VIEW, json!({ "p": "courses" })).await?;
    assert_eq!((bad.code(), bad.field()), (Some("VALIDATION"), Some("path")));

    let query = "{ auditEvents(filter: { kinds: [PAGE_VIEWED] }) { edges { node { detail ip memberNumber } } } }";
    let views = app.graphql_as(&staff.token, query, json!({})).await?.ok()?;
    assert_eq!(
        views.data("auditEvents.edges")?,
        &json!([
            { "node": { "detail": "/courses/NUT-201", "ip": "127.0.0.1", "memberNumber": member.member_number } },
            { "node": { "detail": "/confirm", "ip": "127.0.0.1", "memberNumber": null } },
        ])
    );
    assert!(
        !app.database_text().await?.contains("a-secret-token"),
        "the query string is not kept"
    );
    let refused = app.graphql_as(&member.token, query, json!({})).await?;
    assert_eq!(refused.code(), Some("FORBIDDEN"));
    Ok(())
}

#[tokio::test]
async fn after_the_log_retention_page_views_and_the_access_log_go_and_audit_rows_lose_their_ip() -> Result<()> {
    let app = TestApp::spawn().await?;
    let member = app.new_member().await?;
    app.graphql_as(&member.token, VIEW, json!({ "p": "/account" }))
        .await?
        .ok()?;
    let count = |sql: &'static str| app.count(sql);
    app.eventually(|| async { Ok((count("SELECT COUNT(*) AS n FROM access_log").await? >= 2).then_some(())) })
        .await?;
    let logins = "SELECT COUNT(*) AS n FROM audit_event WHERE kind = 'login_succeeded' AND ip = '127.0.0.1'";
    assert!(count(logins).await? > 0);

    let ctx = api::jobs::JobContext::new(app.state.clone(), app.state.db.clone());
    // Eleven months on: nothing is due.
    app.clock.advance(chrono::Duration::days(335));
    let early = api::jobs::dry_run(&ctx, api::jobs::JobName::Retention).await?;
    assert!(
        early
            .lines
            .iter()
            .any(|l| l.contains("0 requests deleted, 0 page views deleted")),
        "{:?}",
        early.lines
    );
    // Thirteen months on: the dry run says what would go, changing nothing; the run does it.
    app.clock.advance(chrono::Duration::days(60));
    let planned = api::jobs::dry_run(&ctx, api::jobs::JobName::Retention).await?;
    assert!(
        planned
            .lines
            .iter()
            .any(|l| l.starts_with("access log") && l.contains("1 page views deleted")),
        "{:?}",
        planned.lines
    );
    assert_eq!(
        count("SELECT COUNT(*) AS n FROM audit_event WHERE kind = 'page_viewed'").await?,
        1
    );
    app.run_job(api::jobs::JobName::Retention).await?;
    assert_eq!(
        count("SELECT COUNT(*) AS n FROM audit_event WHERE kind = 'page_viewed'").await?,
        0
    );
    assert_eq!(count(logins).await?, 0, "no IP left");
    assert!(
        count("SELECT COUNT(*) AS n FROM audit_event WHERE kind = 'login_succeeded' AND ip = '(expired)' AND user_agent = '(expired)'")
            .await?
            > 0,
        "the row stays, marked"
    );
    let then = {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        entity::access_log::Entity::find()
            .filter(entity::access_log::Column::OccurredAt.lt(chrono::Utc::now()))
            .count(&app.state.db)
            .await?
    };
    assert_eq!(then, 0, "the access log of thirteen months ago is gone");
    Ok(())
}
