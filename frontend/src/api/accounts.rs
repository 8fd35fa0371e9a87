//! Accounts and sessions (`graphql/accounts.graphql`).

use super::{ApiError, DateTime, run};

graphql_operations!(
    "graphql/accounts.graphql",
    Register,
    ConfirmEmail,
    ResendConfirmation,
    Login,
    RenewToken,
    Logout,
    MyAccount,
);

/// What `login`, `confirmEmail` and `renewToken` return.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub token: String,
    pub expires_at: DateTime,
}

/// What `register` and `resendConfirmation` answer, whatever the address.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckYourInbox {
    pub message: String,
}

/// Starts an account; the answer is the same whether or not the address is known.
pub async fn register(email: &str, password: &str, legal_name: &str) -> Result<CheckYourInbox, ApiError> {
    let input = register::RegisterInput {
        email: email.to_owned(),
        password: password.to_owned(),
        legal_name: legal_name.to_owned(),
    };
    let data = run::<Register>(register::Variables { input }).await?;
    Ok(CheckYourInbox {
        message: data.register.message,
    })
}

/// Confirms an address with the token of its link and the registration's password, and
/// logs in.
pub async fn confirm_email(token: &str, password: &str) -> Result<Session, ApiError> {
    let variables = confirm_email::Variables {
        token: token.to_owned(),
        password: password.to_owned(),
    };
    let signed_in = run::<ConfirmEmail>(variables).await?.confirm_email;
    Ok(Session {
        token: signed_in.token,
        expires_at: signed_in.expires_at,
    })
}

/// Asks for a new confirmation link.
pub async fn resend_confirmation(email: &str) -> Result<CheckYourInbox, ApiError> {
    let variables = resend_confirmation::Variables {
        email: email.to_owned(),
    };
    let data = run::<ResendConfirmation>(variables).await?;
    Ok(CheckYourInbox {
        message: data.resend_confirmation.message,
    })
}

pub async fn login(email: &str, password: &str) -> Result<Session, ApiError> {
    let variables = login::Variables {
        email: email.to_owned(),
        password: password.to_owned(),
    };
    let signed_in = run::<Login>(variables).await?.login;
    Ok(Session {
        token: signed_in.token,
        expires_at: signed_in.expires_at,
    })
}

pub async fn renew_token() -> Result<Session, ApiError> {
    let renewed = run::<RenewToken>(renew_token::Variables).await?.renew_token;
    Ok(Session {
        token: renewed.token,
        expires_at: renewed.expires_at,
    })
}

pub async fn logout() -> Result<(), ApiError> {
    run::<Logout>(logout::Variables).await?;
    Ok(())
}

/// The member's own record, as "my account" shows it.
pub type Me = my_account::MyAccountMe;
/// What happened at a login: the schema's `AuditEventKind`.
pub use my_account::{AuditEventKind, MemberRole};

pub async fn my_account() -> Result<Option<Me>, ApiError> {
    Ok(run::<MyAccount>(my_account::Variables).await?.me)
}
