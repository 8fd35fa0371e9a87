//! The caller's own record and the staff and admin account tools.

use super::registration::insert_member;
use crate::auth::password;
use crate::auth::viewer::Authenticated;
use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::error::{Error, Result};
use crate::services::audit::{self, Actor, AuditRecord, AuditedWrite};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::enums::{AuditKind, MemberStatus};
use entity::member;
use sea_orm::DatabaseConnection;
use shared::{Email, LegalName, Password, Role};

/// The caller's own member record, if logged in.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn me(state: &AppState, viewer: &Viewer) -> Result<Option<member::Model>> {
    match viewer.member_id() {
        None => Ok(None),
        Some(id) => Ok(db::members::find_by_id(&state.db, id).await?),
    }
}

/// Staff: look a member up by number. The read is audited (P14).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn find_by_number(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    number: i64,
) -> Result<member::Model> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let found = db::members::find_by_number(&state.db, number)
        .await?
        .ok_or(Error::NotFound)?;
    let actor = Actor::new(viewer, meta, state.now());
    audit::record_staff_read(&state.db, viewer, &actor, AuditKind::MemberRecordViewed, found.id).await?;
    Ok(found)
}

/// The account `number` names, when the caller may manage it: staff manage members, only
/// admins manage staff and admin accounts, and nobody manages their own.
async fn manageable(state: &AppState, viewer: &Viewer, number: i64) -> Result<(Authenticated, member::Model)> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let target = db::members::find_by_number(&state.db, number)
        .await?
        .ok_or(Error::NotFound)?;
    let me = authz::require(viewer, Audience::to_manage(target.role), Subject::NOBODY)?.clone();
    if target.id == me.member_id {
        return Err(Error::Forbidden);
    }
    Ok((me, target))
}

/// Staff: disable or re-enable an account. Disabling revokes every session of the member
/// and hides every public trace of them at once (their profile, photo, phone and contact
/// form); enabling brings the profile back at the rank it had.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn set_status(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    number: i64,
    enabled: bool,
) -> Result<member::Model> {
    let (_, target) = manageable(state, viewer, number).await?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let (status, kind) = if enabled {
        (MemberStatus::Active, AuditKind::MemberEnabled)
    } else {
        (MemberStatus::Disabled, AuditKind::MemberDisabled)
    };
    db::members::set_status(write.conn(), target.id, status, write.now()).await?;
    db::profiles::refresh_status_of_member(write.conn(), target.id, write.now()).await?;
    if !enabled {
        db::sessions::revoke_all_for_member(write.conn(), target.id, Utc::now()).await?;
    }
    write.commit(AuditRecord::new(kind).about(target.id)).await?;
    state.typos.forget_all();
    db::members::find_by_id(&state.db, target.id)
        .await?
        .ok_or(Error::NotFound)
}

/// Admins: give an account another role. Takes effect on its next request.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn set_role(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    number: i64,
    role: Role,
) -> Result<member::Model> {
    authz::require(viewer, Audience::Admin, Subject::NOBODY)?;
    if authz::role_acts_for_a_provider(role) {
        return Err(Error::invalid(
            "role",
            "A provider account acts for one course provider: use linkCourseProvider.",
        ));
    }
    let (_, target) = manageable(state, viewer, number).await?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    db::members::set_role(write.conn(), target.id, role, None, write.now()).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::MemberRoleChanged)
                .about(target.id)
                .detail(format!("{} -> {}", target.role.as_str(), role.as_str())),
        )
        .await?;
    db::members::find_by_id(&state.db, target.id)
        .await?
        .ok_or(Error::NotFound)
}

/// Admins: makes the account numbered `number` a `provider` account acting for the course
/// provider `slug` (it marks completion of that provider's courses, nothing more). Takes
/// effect on its next request.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn link_course_provider(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    number: i64,
    slug: &str,
) -> Result<member::Model> {
    authz::require(viewer, Audience::Admin, Subject::NOBODY)?;
    let (_, target) = manageable(state, viewer, number).await?;
    let provider = db::catalogue::provider_by_slug(&state.db, slug.trim())
        .await?
        .filter(|p| p.retired_at.is_none())
        .ok_or_else(|| Error::invalid("provider", "No such course provider."))?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    db::members::set_role(write.conn(), target.id, Role::Provider, Some(provider.id), write.now()).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::CourseProviderLinked)
                .about(target.id)
                .detail(format!("{} -> provider {}", target.role.as_str(), provider.slug)),
        )
        .await?;
    db::members::find_by_id(&state.db, target.id)
        .await?
        .ok_or(Error::NotFound)
}

/// Creates a member with a given role, confirmed, with an already validated password (demo
/// data, admin tools). Fails with `CONFLICT` when the e-mail is taken.
#[tracing::instrument(skip_all)]
pub async fn create_with_role(
    db: &DatabaseConnection,
    email: &Email,
    password: &Password,
    legal_name: &LegalName,
    role: Role,
) -> Result<member::Model> {
    let hash = password::hash(password).await?;
    let now = Utc::now();
    let write = AuditedWrite::begin(db, Actor::operator(now)).await?;
    if db::members::find_by_email(write.conn(), email.as_str())
        .await?
        .is_some()
    {
        return Err(Error::Conflict {
            field: Some("email"),
            message: "An account with this e-mail address already exists.".to_owned(),
        });
    }
    let created = insert_member(write.conn(), email, hash, legal_name, role, Some(now), now).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::MemberRegistered)
                .about(created.id)
                .detail(format!("created as {} with a confirmed address", role.as_str())),
        )
        .await?;
    Ok(created)
}

/// Replaces a member's password (demo data reset) and ends their sessions.
#[tracing::instrument(skip_all)]
pub async fn reset_password(db: &DatabaseConnection, member_id: i64, password: &Password) -> Result<()> {
    let hash = password::hash(password).await?;
    let now: DateTime<Utc> = Utc::now();
    let write = AuditedWrite::begin(db, Actor::operator(now)).await?;
    db::members::set_password_hash(write.conn(), member_id, hash, now).await?;
    db::sessions::revoke_all_for_member(write.conn(), member_id, now).await?;
    write
        .commit(AuditRecord::new(AuditKind::PasswordReset).about(member_id))
        .await
}
