//! When the database fails: an opaque `INTERNAL` error, and nothing half-written.

use anyhow::Result;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait};
use tests::TestApp;

#[tokio::test]
async fn a_failing_audit_write_rolls_the_login_back_and_answers_opaquely() -> Result<()> {
    let app = TestApp::spawn().await?;
    let member = app.new_member().await?;
    let sessions_before = entity::session::Entity::find().count(&app.state.db).await?;

    // Without its audit table, a login cannot be recorded, so it must not happen at all.
    app.state.db.execute_unprepared("DROP TABLE audit_event").await?;
    let login = app.login(&member.email, &member.password).await?;

    assert_eq!(login.code(), Some("INTERNAL"));
    let message = login.body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    assert!(
        !message.contains("audit") && !message.contains("table") && !message.contains("sql"),
        "{message}"
    );
    assert!(login.body["data"].is_null());
    let sessions_after = entity::session::Entity::find().count(&app.state.db).await?;
    assert_eq!(sessions_after, sessions_before, "the session insert was rolled back");
    Ok(())
}
