//! Registration with a confirmed address: the registration itself (answering alike for
//! known and new addresses), the confirmation link, and sending it again.

use super::sessions::{PasswordPurpose, SignedIn, check_password, open_session};
use crate::auth::password;
use crate::auth::{RequestMeta, Viewer};
use crate::db;
use crate::error::{Error, Result};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::mail::{self, Mail, MailHeaders, Recipient};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::enums::{AuditKind, MemberStatus, MessageKind};
use entity::member;
use sea_orm::ConnectionTrait;
use sha2::{Digest, Sha256};
use shared::{Email, LegalName, MemberNumber, Password, Role};

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
    throttle_per_ip(state, meta).await?;
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
    let mail_budget_spent = state
        .resend_limiter
        .check(&account.email.as_str().to_owned())
        .await
        .is_err();
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

async fn throttle_per_ip(state: &AppState, meta: &RequestMeta) -> Result<()> {
    if let Some(ip) = meta.ip
        && let Err(retry_after) = state.register_limiter.check(&ip).await
    {
        return Err(Error::RateLimited { retry_after });
    }
    Ok(())
}

/// Inserts a member with a fresh member number (inside the caller's transaction).
pub(super) async fn insert_member<C: ConnectionTrait>(
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

/// A random token for a link, and the hash that is stored of it (confirmation links of
/// registrations, subscriptions and data requests).
pub(crate) fn new_token() -> (String, String) {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// What is stored of a link's token: its SHA-256, hex.
pub(crate) fn token_hash(token: &str) -> String {
    shared::hex::encode(&Sha256::digest(token.as_bytes()))
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
            headers: MailHeaders::automatic(),
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
            headers: MailHeaders::automatic(),
            sender_ip: meta.ip_string(),
        },
    )
    .await?;
    Ok(())
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
    throttle_per_ip(state, meta).await?;
    let email = Email::parse("email", email)?;
    if let Err(retry_after) = state.resend_limiter.check(&email.as_str().to_owned()).await {
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
