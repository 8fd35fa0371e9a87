//! Sessions: the one password check, login, renewal, logout, and turning a bearer token
//! into a [`Viewer`].

use crate::auth::jwt::IssuedToken;
use crate::auth::password;
use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::error::{Error, Result};
use crate::services::audit::{self, Actor, AuditRecord, AuditedWrite};
use crate::state::AppState;
use chrono::Utc;
use entity::enums::{AuditKind, MemberStatus};
use entity::{member, session};
use sea_orm::Set;
use shared::Email;

/// Passwords longer than this are not even hashed on login: no real password is that long
/// and hashing megabytes would be a cheap denial of service.
const MAX_LOGIN_PASSWORD_CHARS: usize = 1024;

/// What a password check is for; it decides the audit rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordPurpose {
    /// Logging in (the caller audits the outcomes after the password).
    Login,
    /// Proving, while logged in, to be the account's owner before `action` (a mutation).
    Confirm(&'static str),
}

/// The one gate of every password check: a token from the account's and the IP's budget
/// (`RATE_LIMITED` past them, before any hashing), the argon2 check (as slow for an unknown
/// account), and an audit row for every refusal and for a confirmed password. `account` is
/// the normalised e-mail address the budget is kept under.
#[tracing::instrument(skip_all)]
pub async fn check_password(
    state: &AppState,
    actor: &Actor,
    account: &str,
    member: Option<&member::Model>,
    password: String,
    purpose: PasswordPurpose,
) -> Result<bool> {
    let about = member.map(|m| m.id);
    let confirming = |kind: AuditKind| {
        let record = AuditRecord::new(kind).about(about);
        match purpose {
            PasswordPurpose::Login => record,
            PasswordPurpose::Confirm(action) => record.detail(action),
        }
    };
    if let Err(retry_after) = state.login_limiter.check(actor.meta.ip, account).await {
        let kind = match purpose {
            PasswordPurpose::Login => AuditKind::LoginRateLimited,
            PasswordPurpose::Confirm(_) => AuditKind::PasswordCheckRateLimited,
        };
        audit::record(&state.db, actor, confirming(kind)).await?;
        return Err(Error::RateLimited { retry_after });
    }
    let right = if password.chars().count() > MAX_LOGIN_PASSWORD_CHARS {
        false
    } else {
        password::verify(password, member.map(|m| m.password_hash.clone())).await?
    };
    let kind = match (purpose, right, member.is_some()) {
        // A right password, or an unknown account: the login audits what follows.
        (PasswordPurpose::Login, true, _) | (PasswordPurpose::Login, false, false) => None,
        (PasswordPurpose::Login, false, true) => Some(AuditKind::LoginWrongPassword),
        (PasswordPurpose::Confirm(_), true, _) => Some(AuditKind::PasswordConfirmed),
        (PasswordPurpose::Confirm(_), false, _) => Some(AuditKind::PasswordRejected),
    };
    if let Some(kind) = kind {
        audit::record(&state.db, actor, confirming(kind)).await?;
    }
    Ok(right)
}

/// The caller re-enters their password before `action`; `VALIDATION` on `password` when it
/// is missing or wrong, `RATE_LIMITED` past the account's budget (shared with logins).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn confirm_own_password(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    password: Option<String>,
    action: &'static str,
) -> Result<()> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let Some(password) = password else {
        return Err(Error::invalid("password", "Enter your password to confirm."));
    };
    let record = db::members::find_by_id(&state.db, me.member_id)
        .await?
        .ok_or(Error::NotFound)?;
    let actor = Actor::new(viewer, meta, state.now());
    let account = record.email.clone();
    if check_password(
        state,
        &actor,
        &account,
        Some(&record),
        password,
        PasswordPurpose::Confirm(action),
    )
    .await?
    {
        Ok(())
    } else {
        Err(Error::invalid("password", "This password is not right."))
    }
}

/// A signed-in session: the access token and the member it belongs to.
pub struct SignedIn {
    pub token: IssuedToken,
    pub member: member::Model,
}

/// Checks the credentials and opens a session. Every outcome is audited with the client's
/// IP and user agent; attempts beyond the per-IP or per-account budget are refused before
/// the password is looked at. A right password on an unconfirmed account is `FORBIDDEN`
/// (telling only someone who knows the password that the address needs confirming).
#[tracing::instrument(skip_all)]
pub async fn login(state: &AppState, meta: &RequestMeta, email: &str, password: String) -> Result<SignedIn> {
    let normalised = email.trim().to_lowercase();
    let valid = Email::parse("email", &normalised).ok();
    let known = match &valid {
        Some(valid) => db::members::find_by_email(&state.db, valid.as_str()).await?,
        None => None,
    };
    let actor = Actor::new(&Viewer::Anonymous, meta, state.now());
    let right = check_password(
        state,
        &actor,
        &normalised,
        known.as_ref(),
        password,
        PasswordPurpose::Login,
    )
    .await?;
    let Some(member) = known else {
        // Keep what was typed only when it looks like an address: a password typed into the
        // e-mail box must not end up in the audit trail.
        let mut record = AuditRecord::new(AuditKind::LoginUnknownEmail);
        if let Some(valid) = valid {
            record = record.detail(valid.into_inner());
        }
        audit::record(&state.db, &actor, record).await?;
        return Err(Error::InvalidCredentials);
    };
    if !right {
        return Err(Error::InvalidCredentials);
    }
    if member.status != MemberStatus::Active {
        audit::record(
            &state.db,
            &actor,
            AuditRecord::new(AuditKind::LoginDisabledAccount).about(member.id),
        )
        .await?;
        return Err(Error::AccountDisabled);
    }
    if member.email_confirmed_at.is_none() {
        audit::record(
            &state.db,
            &actor,
            AuditRecord::new(AuditKind::LoginUnconfirmedEmail).about(member.id),
        )
        .await?;
        return Err(Error::EmailUnconfirmed);
    }

    let write = AuditedWrite::begin(&state.db, actor).await?;
    open_session(state, write, member, meta).await
}

/// Opens a session for `member` inside `write` and commits it with a `LoginSucceeded` row.
pub(super) async fn open_session(
    state: &AppState,
    write: AuditedWrite,
    member: member::Model,
    meta: &RequestMeta,
) -> Result<SignedIn> {
    // Sessions and tokens live on the system clock: the token library checks expiry by it.
    let now = Utc::now();
    let session_id = uuid::Uuid::new_v4().to_string();
    let jti = uuid::Uuid::new_v4().to_string();
    let session_ttl = chrono::Duration::from_std(state.settings.sessions.session_ttl).map_err(anyhow::Error::from)?;
    db::sessions::insert(
        write.conn(),
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
    // On the state's clock: the retention rules measure inactivity by it.
    db::members::set_last_login(write.conn(), member.id, write.now()).await?;
    write
        .commit(AuditRecord::new(AuditKind::LoginSucceeded).about(member.id))
        .await?;
    let token = state.tokens.issue(&state.db, member.id, &session_id, &jti, now).await?;
    Ok(SignedIn { token, member })
}

/// Ends the caller's session at once: its token stops working on the next request.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn logout(state: &AppState, viewer: &Viewer, meta: &RequestMeta) -> Result<()> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    db::sessions::revoke(write.conn(), &me.session_id, Utc::now()).await?;
    write
        .commit(AuditRecord::new(AuditKind::Logout).about(me.member_id))
        .await
}

/// Issues a new access token for the caller's live session; the old token stops working.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn renew(state: &AppState, viewer: &Viewer, meta: &RequestMeta) -> Result<SignedIn> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let (session, member) = db::sessions::find_with_member(write.conn(), &me.session_id)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let now = Utc::now();
    if session.expires_at <= now {
        return Err(Error::Unauthenticated);
    }
    let jti = uuid::Uuid::new_v4().to_string();
    if !db::sessions::rotate_jti(write.conn(), &session.id, &me.jti, &jti).await? {
        return Err(Error::Unauthenticated);
    }
    write
        .commit(AuditRecord::new(AuditKind::TokenRenewed).about(member.id))
        .await?;
    let mut token = state.tokens.issue(&state.db, member.id, &session.id, &jti, now).await?;
    token.expires_at = token.expires_at.min(session.expires_at);
    Ok(SignedIn { token, member })
}
