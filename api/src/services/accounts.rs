//! Accounts and sessions (P12): registration, login, token renewal, logout, and turning an
//! access token into a [`Viewer`]. Every login attempt leaves an audit row (P14).

use crate::auth::jwt::IssuedToken;
use crate::auth::password;
use crate::auth::viewer::Authenticated;
use crate::auth::{RequestMeta, Viewer};
use crate::db;
use crate::error::{Error, Result, conflict_on_unique};
use crate::services::audit::{self, AuditKind, AuditRecord};
use crate::services::require_staff;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::{member, session};
use sea_orm::{DatabaseConnection, Set};
use shared::{Email, LegalName, Password, Role};

pub const STATUS_ACTIVE: &str = "active";
pub const STATUS_DISABLED: &str = "disabled";

/// Passwords longer than this are not even hashed on login: no real password is that long
/// and hashing megabytes would be a cheap denial of service.
const MAX_LOGIN_PASSWORD_CHARS: usize = 1024;

/// What a new member types in.
pub struct Registration {
    pub email: String,
    pub password: String,
    pub legal_name: String,
}

/// Creates a member with a fresh member number. The e-mail must be new (case-insensitive);
/// the password 8 to 128 characters and not a common one.
#[tracing::instrument(skip_all)]
pub async fn register(state: &AppState, meta: &RequestMeta, input: Registration) -> Result<member::Model> {
    let email = Email::parse("email", &input.email)?;
    let password = Password::parse("password", &input.password)?;
    if password::is_common(password.expose()) {
        return Err(Error::invalid(
            "password",
            "This password is one of the most common ones and easy to guess; choose another.",
        ));
    }
    if password.expose().trim().eq_ignore_ascii_case(email.as_str()) {
        return Err(Error::invalid(
            "password",
            "Do not use your e-mail address as your password.",
        ));
    }
    let legal_name = LegalName::parse("legalName", &input.legal_name)?;
    let password_hash = password::hash(&password).await?;
    create_member(&state.db, meta, &email, password_hash, &legal_name, Role::Member).await
}

/// Inserts a member and its audit row in one transaction.
async fn create_member(
    db: &DatabaseConnection,
    meta: &RequestMeta,
    email: &Email,
    password_hash: String,
    legal_name: &LegalName,
    role: Role,
) -> Result<member::Model> {
    const TAKEN: &str = "An account with this e-mail address already exists.";
    let txn = db::begin_write(db).await?;
    if db::members::find_by_email(&txn, email.as_str()).await?.is_some() {
        return Err(Error::Conflict {
            field: Some("email"),
            message: TAKEN.to_owned(),
        });
    }
    let member_number = db::members::next_member_number(&txn).await?;
    let created = db::members::insert(
        &txn,
        db::members::NewMember {
            member_number,
            email: email.as_str(),
            password_hash,
            legal_name: legal_name.as_str(),
            role: role.as_str(),
            now: Utc::now(),
        },
    )
    .await
    .map_err(|e| conflict_on_unique(e, "email", TAKEN))?;
    audit::record(
        &txn,
        AuditRecord {
            kind: AuditKind::MemberRegistered,
            member_id: Some(created.id),
            actor_id: None,
            meta,
            detail: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// A signed-in session: the access token and the member it belongs to.
pub struct SignedIn {
    pub token: IssuedToken,
    pub member: member::Model,
}

/// Checks the credentials and opens a session. Every outcome is audited with the client's
/// IP and user agent; attempts beyond the per-IP or per-account budget are refused before
/// the password is looked at.
#[tracing::instrument(skip_all)]
pub async fn login(state: &AppState, meta: &RequestMeta, email: &str, password: String) -> Result<SignedIn> {
    let normalised = email.trim().to_lowercase();
    let known = match Email::parse("email", &normalised) {
        Ok(valid) => db::members::find_by_email(&state.db, valid.as_str()).await?,
        Err(_) => None,
    };
    let audit_attempt = |kind: AuditKind, detail: Option<String>| {
        let member_id = known.as_ref().map(|m| m.id);
        async move {
            audit::record(
                &state.db,
                AuditRecord {
                    kind,
                    member_id,
                    actor_id: None,
                    meta,
                    detail,
                },
            )
            .await
        }
    };

    if let Err(retry_after) = state.login_limiter.check(meta.ip, &normalised) {
        audit_attempt(AuditKind::LoginRateLimited, None).await?;
        return Err(Error::RateLimited { retry_after });
    }

    let password_ok = if password.chars().count() > MAX_LOGIN_PASSWORD_CHARS {
        false
    } else {
        password::verify(password, known.as_ref().map(|m| m.password_hash.clone())).await?
    };

    let Some(member) = known.clone() else {
        // Keep what was typed only when it looks like an address: a password typed into the
        // e-mail box must not end up in the audit trail.
        let detail = Email::parse("email", &normalised).ok().map(Email::into_inner);
        audit_attempt(AuditKind::LoginUnknownEmail, detail).await?;
        return Err(Error::InvalidCredentials);
    };
    if !password_ok {
        audit_attempt(AuditKind::LoginWrongPassword, None).await?;
        return Err(Error::InvalidCredentials);
    }
    if member.status != STATUS_ACTIVE {
        audit_attempt(AuditKind::LoginDisabledAccount, None).await?;
        return Err(Error::AccountDisabled);
    }

    let now = Utc::now();
    let session_id = uuid::Uuid::new_v4().to_string();
    let jti = uuid::Uuid::new_v4().to_string();
    let session_ttl = chrono::Duration::from_std(state.settings.sessions.session_ttl).map_err(anyhow::Error::from)?;
    let txn = db::begin_write(&state.db).await?;
    db::sessions::insert(
        &txn,
        session::ActiveModel {
            id: Set(session_id.clone()),
            member_id: Set(member.id),
            current_jti: Set(jti.clone()),
            created_at: Set(now),
            expires_at: Set(now + session_ttl),
            revoked_at: Set(None),
            ip: Set(meta.ip_string()),
            user_agent: Set(meta.user_agent.clone()),
        },
    )
    .await?;
    audit::record(
        &txn,
        AuditRecord {
            kind: AuditKind::LoginSucceeded,
            member_id: Some(member.id),
            actor_id: None,
            meta,
            detail: None,
        },
    )
    .await?;
    txn.commit().await?;
    let token = state.tokens.issue(member.id, &session_id, &jti, now)?;
    Ok(SignedIn { token, member })
}

/// Turns a bearer token into a viewer. The token must verify *and* name a live session
/// (not revoked, not expired, still holding this token's id) of an active member.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Viewer> {
    let claims = state.tokens.verify(token).ok_or(Error::Unauthenticated)?;
    let member_id: i64 = claims.sub.parse().map_err(|_| Error::Unauthenticated)?;
    let (session, member) = db::sessions::find_with_member(&state.db, &claims.sid)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let live = session.member_id == member_id
        && session.revoked_at.is_none()
        && session.expires_at > Utc::now()
        && session.current_jti == claims.jti
        && member.status == STATUS_ACTIVE;
    if !live {
        return Err(Error::Unauthenticated);
    }
    let role = member
        .role
        .parse()
        .map_err(|()| anyhow::anyhow!("member {} has unknown role {:?}", member.id, member.role))?;
    Ok(Viewer::Member(Authenticated {
        member_id,
        session_id: session.id,
        jti: claims.jti,
        role,
    }))
}

/// Ends the caller's session at once: its token stops working on the next request.
pub async fn logout(state: &AppState, viewer: &Viewer, meta: &RequestMeta) -> Result<()> {
    let me = viewer.authenticated().ok_or(Error::Unauthenticated)?;
    let txn = db::begin_write(&state.db).await?;
    db::sessions::revoke(&txn, &me.session_id, Utc::now()).await?;
    audit::record(
        &txn,
        AuditRecord {
            kind: AuditKind::Logout,
            member_id: Some(me.member_id),
            actor_id: None,
            meta,
            detail: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Issues a new access token for the caller's live session; the old token stops working.
pub async fn renew(state: &AppState, viewer: &Viewer) -> Result<SignedIn> {
    let me = viewer.authenticated().ok_or(Error::Unauthenticated)?;
    let (session, member) = db::sessions::find_with_member(&state.db, &me.session_id)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let now = Utc::now();
    if session.expires_at <= now {
        return Err(Error::Unauthenticated);
    }
    let jti = uuid::Uuid::new_v4().to_string();
    if !db::sessions::rotate_jti(&state.db, &session.id, &me.jti, &jti).await? {
        return Err(Error::Unauthenticated);
    }
    let mut token = state.tokens.issue(member.id, &session.id, &jti, now)?;
    token.expires_at = token.expires_at.min(session.expires_at);
    Ok(SignedIn { token, member })
}

/// The caller's own member record, if logged in.
pub async fn me(state: &AppState, viewer: &Viewer) -> Result<Option<member::Model>> {
    match viewer.member_id() {
        None => Ok(None),
        Some(id) => Ok(db::members::find_by_id(&state.db, id).await?),
    }
}

/// Staff: look a member up by number.
pub async fn find_by_number(state: &AppState, viewer: &Viewer, number: i64) -> Result<member::Model> {
    require_staff(viewer)?;
    db::members::find_by_number(&state.db, number)
        .await?
        .ok_or(Error::NotFound)
}

/// Staff: disable or re-enable an account. Disabling revokes every session of the member
/// at once. Only an admin may change a staff or admin account; nobody changes their own.
pub async fn set_status(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    number: i64,
    enabled: bool,
) -> Result<member::Model> {
    let actor = require_staff(viewer)?;
    let target = db::members::find_by_number(&state.db, number)
        .await?
        .ok_or(Error::NotFound)?;
    if target.id == actor.member_id {
        return Err(Error::Forbidden);
    }
    let target_role: Role = target.role.parse().unwrap_or(Role::Admin);
    if target_role.is_staff() && actor.role != Role::Admin {
        return Err(Error::Forbidden);
    }
    let now = Utc::now();
    let txn = db::begin_write(&state.db).await?;
    let (status, kind) = if enabled {
        (STATUS_ACTIVE, AuditKind::MemberEnabled)
    } else {
        (STATUS_DISABLED, AuditKind::MemberDisabled)
    };
    db::members::set_status(&txn, target.id, status, now).await?;
    if !enabled {
        db::sessions::revoke_all_for_member(&txn, target.id, now).await?;
    }
    audit::record(
        &txn,
        AuditRecord {
            kind,
            member_id: Some(target.id),
            actor_id: Some(actor.member_id),
            meta,
            detail: None,
        },
    )
    .await?;
    txn.commit().await?;
    db::members::find_by_id(&state.db, target.id)
        .await?
        .ok_or(Error::NotFound)
}

/// Creates a member with a given role and an already validated password (demo data, admin
/// tools). Fails with `CONFLICT` when the e-mail is taken.
pub async fn create_with_role(
    db: &DatabaseConnection,
    email: &Email,
    password: &Password,
    legal_name: &LegalName,
    role: Role,
) -> Result<member::Model> {
    let hash = password::hash(password).await?;
    create_member(db, &RequestMeta::default(), email, hash, legal_name, role).await
}

/// Replaces a member's password (demo data reset) and ends their sessions.
pub async fn reset_password(db: &DatabaseConnection, member_id: i64, password: &Password) -> Result<()> {
    let hash = password::hash(password).await?;
    let now: DateTime<Utc> = Utc::now();
    let txn = db::begin_write(db).await?;
    db::members::set_password_hash(&txn, member_id, hash, now).await?;
    db::sessions::revoke_all_for_member(&txn, member_id, now).await?;
    txn.commit().await?;
    Ok(())
}
