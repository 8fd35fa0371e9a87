//! Accounts and sessions (P12): registration with a confirmed address, login, token
//! renewal, logout, turning an access token into a [`Viewer`], and the staff and admin
//! account tools. Every password check goes through [`check_password`]: one budget per
//! account and per IP, and an audit row whatever the outcome (P14).

use crate::auth::jwt::IssuedToken;
use crate::auth::password;
use crate::auth::viewer::Authenticated;
use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::error::{Error, Result};
use crate::services::audit::{self, Actor, AuditRecord, AuditedWrite};
use crate::services::mail::{self, Mail, MailHeaders, Recipient};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::enums::{AuditKind, MemberStatus, MessageKind};
use entity::{member, session};
use sea_orm::{ConnectionTrait, DatabaseConnection, Set};
use sha2::{Digest, Sha256};
use shared::{Email, LegalName, MemberNumber, Password, Role};

/// Passwords longer than this are not even hashed on login: no real password is that long
/// and hashing megabytes would be a cheap denial of service.
const MAX_LOGIN_PASSWORD_CHARS: usize = 1024;
/// How long a confirmation link works.
const CONFIRMATION_VALID: chrono::Duration = chrono::Duration::hours(48);

/// What a new member types in.
pub struct Registration {
    pub email: String,
    pub password: String,
    pub legal_name: String,
}

/// Registers an account, answering the same way whether or not the address is known, so
/// that nobody learns which addresses have accounts: a new address gets a confirmation
/// link; a known one a notice that someone tried to register with it (a new link when the
/// account is still unconfirmed). Both paths hash the password and queue one message.
/// Limited per IP.
#[tracing::instrument(skip_all)]
pub async fn register(state: &AppState, meta: &RequestMeta, input: Registration) -> Result<()> {
    throttle_per_ip(state, meta)?;
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
    // Hashed on both paths: the time of the answer must not tell the address is known.
    let password_hash = password::hash(&password).await?;
    let actor = Actor::new(&Viewer::Anonymous, meta, state.now());
    let new_account = NewAccount {
        email,
        password_hash,
        legal_name,
    };
    match record_registration(state, actor, meta, new_account).await {
        Ok(()) => {}
        // Two registrations of one new address at once (PostgreSQL; SQLite serialises
        // writers): the other one created the account, and this one answers as for a known
        // address.
        Err(Error::Db(e)) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {}
        Err(e) => return Err(e),
    }
    state.wake_mailer();
    Ok(())
}

/// What a registration creates when its address is new.
struct NewAccount {
    email: Email,
    password_hash: String,
    legal_name: LegalName,
}

/// The write of a registration: a new account and its confirmation link, or mail to the
/// owner of a known address; one audit row either way.
async fn record_registration(state: &AppState, actor: Actor, meta: &RequestMeta, account: NewAccount) -> Result<()> {
    // Every registration takes a token from the address's mail budget, known or not, so
    // that the budget's state (seen through `resendConfirmation`) tells nothing; mail to a
    // known address waits once it is spent (its owner's inbox is not flooded from many
    // IPs), mail to a new address never does.
    let mail_budget_spent = state.resend_limiter.check(&account.email.as_str().to_owned()).is_err();
    let write = AuditedWrite::begin(&state.db, actor).await?;
    let credentials = Some(Credentials {
        password_hash: account.password_hash.clone(),
        legal_name: account.legal_name.as_str().to_owned(),
    });
    let record = match db::members::find_by_email(write.conn(), account.email.as_str()).await? {
        Some(existing) if mail_budget_spent => AuditRecord::new(AuditKind::RegistrationForKnownEmail)
            .about(existing.id)
            .detail("no mail: too many for this address"),
        // Not confirmed yet: a link that confirms with this registration's password (the
        // earlier registration's links keep theirs), so whoever registered first cannot
        // have the owner confirm the account with the intruder's password.
        Some(existing) if existing.email_confirmed_at.is_none() => {
            queue_confirmation(state, write.conn(), &existing, meta, write.now(), credentials).await?;
            AuditRecord::new(AuditKind::RegistrationForKnownEmail)
                .about(existing.id)
                .detail("unconfirmed: a new link was sent")
        }
        Some(existing) => {
            queue_registration_notice(state, write.conn(), &existing, meta, write.now()).await?;
            AuditRecord::new(AuditKind::RegistrationForKnownEmail).about(existing.id)
        }
        None => {
            let created = insert_member(
                write.conn(),
                &account.email,
                account.password_hash,
                &account.legal_name,
                Role::Member,
                None,
                write.now(),
            )
            .await?;
            queue_confirmation(state, write.conn(), &created, meta, write.now(), credentials).await?;
            AuditRecord::new(AuditKind::MemberRegistered).about(created.id)
        }
    };
    write.commit(record).await
}

fn throttle_per_ip(state: &AppState, meta: &RequestMeta) -> Result<()> {
    if let Some(ip) = meta.ip
        && let Err(retry_after) = state.register_limiter.check(&ip)
    {
        return Err(Error::RateLimited { retry_after });
    }
    Ok(())
}

/// Inserts a member with a fresh member number (inside the caller's transaction).
async fn insert_member<C: ConnectionTrait>(
    conn: &C,
    email: &Email,
    password_hash: String,
    legal_name: &LegalName,
    role: Role,
    confirmed_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<member::Model> {
    let member_number = db::members::next_member_number(conn).await?;
    Ok(db::members::insert(
        conn,
        db::members::NewMember {
            member_number,
            email: email.as_str(),
            password_hash,
            legal_name: legal_name.as_str(),
            role,
            email_confirmed_at: confirmed_at,
            now,
        },
    )
    .await?)
}

/// A random token for a link, and the hash that is stored of it.
fn new_token() -> (String, String) {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

fn token_hash(token: &str) -> String {
    use std::fmt::Write;
    Sha256::digest(token.as_bytes())
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

/// The password and name a registration chose, applied when its link is used.
struct Credentials {
    password_hash: String,
    legal_name: String,
}

/// Stores a new confirmation link for `member` and queues the mail that carries it. The
/// link confirms with `credentials` (a registration's), or with the account's own (`None`:
/// a link sent again).
async fn queue_confirmation<C: ConnectionTrait>(
    state: &AppState,
    conn: &C,
    member: &member::Model,
    meta: &RequestMeta,
    now: DateTime<Utc>,
    credentials: Option<Credentials>,
) -> Result<()> {
    let (token, hash) = new_token();
    let (password_hash, legal_name) = credentials.map_or((None, None), |c| (Some(c.password_hash), Some(c.legal_name)));
    db::confirmations::insert(
        conn,
        db::confirmations::NewLink {
            member_id: member.id,
            token_hash: hash,
            password_hash,
            legal_name,
            now,
            expires_at: now + CONFIRMATION_VALID,
        },
    )
    .await?;
    let link = format!("{}/confirm?token={token}", state.settings.public_url);
    // No text a registrant typed (a name) goes into mail to an address nobody has confirmed:
    // it could pose as instructions from us ("your code is ...").
    let body = format!(
        "Welcome to CPTN Network.\n\n\
         To finish creating your account, open this link within 48 hours and enter the \
         password you chose when registering:\n\n{link}\n\n\
         If you did not create an account, ignore this message: nobody can log in with this \
         address until it is confirmed, and this link works only with the password of the \
         registration that sent it.\n\n\
         This registration was made on {when} UTC from IP address {ip}.\n",
        when = now.format("%Y-%m-%d %H:%M"),
        ip = meta.ip_string().unwrap_or_else(|| "unknown".to_owned()),
    );
    mail::queue(
        conn,
        now,
        Mail {
            kind: MessageKind::EmailConfirmation,
            to: Recipient::Member(member.id),
            subject: "Confirm your e-mail address for CPTN Network".to_owned(),
            body,
            headers: automatic(),
            sender_ip: meta.ip_string(),
        },
    )
    .await?;
    Ok(())
}

/// Tells the owner of an address that someone tried to register with it.
async fn queue_registration_notice<C: ConnectionTrait>(
    state: &AppState,
    conn: &C,
    member: &member::Model,
    meta: &RequestMeta,
    now: DateTime<Utc>,
) -> Result<()> {
    let body = format!(
        "Someone tried to create a new CPTN Network account with this e-mail address on \
         {when} UTC, from IP address {ip}.\n\n\
         You already have an account (member number {number}): log in at {url}/login.\n\n\
         If it was not you, you can ignore this message: nothing was changed.\n",
        when = now.format("%Y-%m-%d %H:%M"),
        ip = meta.ip_string().unwrap_or_else(|| "unknown".to_owned()),
        number = MemberNumber(member.member_number),
        url = state.settings.public_url,
    );
    mail::queue(
        conn,
        now,
        Mail {
            kind: MessageKind::RegistrationAttempt,
            to: Recipient::Member(member.id),
            subject: "Someone tried to register with your address at CPTN Network".to_owned(),
            body,
            headers: automatic(),
            sender_ip: meta.ip_string(),
        },
    )
    .await?;
    Ok(())
}

/// Headers of mail the system sends on its own (RFC 3834: no auto-replies to it).
fn automatic() -> MailHeaders {
    MailHeaders {
        reply_to: None,
        other: vec![("Auto-Submitted".to_owned(), "auto-generated".to_owned())],
    }
}

/// Confirms the address of the account whose link carries `token` and opens a session:
/// the link's registration's `password` proves the person is the one who registered (the
/// mailbox alone is not enough, nor a link scanner following it). The password check takes
/// from the account's budget and is audited like every other. Every link of the account
/// stops working. `VALIDATION` on `token` for an unknown, used or expired link, on
/// `password` for a password that is not that registration's.
#[tracing::instrument(skip_all)]
pub async fn confirm_email(state: &AppState, meta: &RequestMeta, token: &str, password: String) -> Result<SignedIn> {
    let invalid = || {
        Error::invalid(
            "token",
            "This confirmation link is not valid: it was used already or has expired. Ask for a new one.",
        )
    };
    let token = token.trim();
    if token.is_empty() || token.len() > 100 {
        return Err(invalid());
    }
    let link = db::confirmations::find_usable(&state.db, &token_hash(token), state.now())
        .await?
        .ok_or_else(invalid)?;
    let member = db::members::find_by_id(&state.db, link.member_id)
        .await?
        .ok_or_else(invalid)?;
    // The password the link confirms with: its registration's, or the account's.
    let expected = member::Model {
        password_hash: link
            .password_hash
            .clone()
            .unwrap_or_else(|| member.password_hash.clone()),
        ..member.clone()
    };
    let actor = Actor::new(&Viewer::Anonymous, meta, state.now());
    let account = member.email.clone();
    if !check_password(
        state,
        &actor,
        &account,
        Some(&expected),
        password,
        PasswordPurpose::Confirm("confirmEmail"),
    )
    .await?
    {
        return Err(Error::invalid(
            "password",
            "This is not the password chosen in the registration that sent this link. If you registered more \
             than once, use the newest link, or register again.",
        ));
    }
    // The password was checked outside the transaction (hashing takes a while); inside it,
    // the link is claimed (only one request can) and the account read again: one confirmed
    // meanwhile, or one disabled, takes no link's credentials.
    let write = AuditedWrite::begin(&state.db, actor).await?;
    if !db::confirmations::claim(write.conn(), link.id, write.now()).await? {
        return Err(invalid());
    }
    let member = db::members::find_by_id(write.conn(), member.id)
        .await?
        .ok_or_else(invalid)?;
    if member.email_confirmed_at.is_some() {
        return Err(invalid());
    }
    if member.status != MemberStatus::Active {
        return Err(Error::AccountDisabled);
    }
    db::members::confirm_email(write.conn(), member.id, write.now()).await?;
    if let (Some(hash), Some(name)) = (link.password_hash, link.legal_name) {
        db::members::set_credentials(write.conn(), member.id, hash, &name, write.now()).await?;
    }
    db::confirmations::use_all_of(write.conn(), member.id, write.now()).await?;
    write
        .record(AuditRecord::new(AuditKind::EmailConfirmed).about(member.id))
        .await?;
    let member = db::members::find_by_id(write.conn(), member.id)
        .await?
        .ok_or_else(invalid)?;
    open_session(state, write, member, meta).await
}

/// Sends a new confirmation link to `email` when it belongs to an unconfirmed account.
/// Answers the same whatever the address; limited per IP and per address.
#[tracing::instrument(skip_all)]
pub async fn resend_confirmation(state: &AppState, meta: &RequestMeta, email: &str) -> Result<()> {
    throttle_per_ip(state, meta)?;
    let email = Email::parse("email", email)?;
    if let Err(retry_after) = state.resend_limiter.check(&email.as_str().to_owned()) {
        return Err(Error::RateLimited { retry_after });
    }
    let write = AuditedWrite::begin(&state.db, Actor::new(&Viewer::Anonymous, meta, state.now())).await?;
    let found = db::members::find_by_email(write.conn(), email.as_str()).await?;
    let member_id = found.as_ref().map(|m| m.id);
    if let Some(member) = found.filter(|m| m.email_confirmed_at.is_none()) {
        queue_confirmation(state, write.conn(), &member, meta, write.now(), None).await?;
    }
    write
        .commit(AuditRecord::new(AuditKind::ConfirmationRequested).about(member_id))
        .await?;
    state.wake_mailer();
    Ok(())
}

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
    if let Err(retry_after) = state.login_limiter.check(actor.meta.ip, account) {
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
async fn open_session(
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
    write
        .commit(AuditRecord::new(AuditKind::LoginSucceeded).about(member.id))
        .await?;
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
        && member.status == MemberStatus::Active;
    if !live {
        return Err(Error::Unauthenticated);
    }
    Ok(Viewer::Member(Authenticated {
        member_id,
        session_id: session.id,
        jti: claims.jti,
        role: member.role,
    }))
}

/// Ends the caller's session at once: its token stops working on the next request.
pub async fn logout(state: &AppState, viewer: &Viewer, meta: &RequestMeta) -> Result<()> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    db::sessions::revoke(write.conn(), &me.session_id, Utc::now()).await?;
    write
        .commit(AuditRecord::new(AuditKind::Logout).about(me.member_id))
        .await
}

/// Issues a new access token for the caller's live session; the old token stops working.
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

/// Staff: look a member up by number. The read is audited (P14).
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
    db::profiles::refresh_status_of_member(write.conn(), target.id).await?;
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
pub async fn set_role(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    number: i64,
    role: Role,
) -> Result<member::Model> {
    authz::require(viewer, Audience::Admin, Subject::NOBODY)?;
    let (_, target) = manageable(state, viewer, number).await?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    db::members::set_role(write.conn(), target.id, role, write.now()).await?;
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

/// Creates a member with a given role, confirmed, with an already validated password (demo
/// data, admin tools). Fails with `CONFLICT` when the e-mail is taken.
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
