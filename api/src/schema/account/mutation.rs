//! Account mutations.

use super::query::parse_member_number;
use super::types::{LoginPayload, Member, MemberStatus, RegisterInput};
use crate::schema::ContextExt;
use crate::schema::error::GqlResult;
use crate::services;
use crate::services::accounts::Registration;
use async_graphql::{Context, Object};

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Creates an account. Errors: `VALIDATION` (with `extensions.field`) for a malformed
    /// e-mail, a password shorter than 8 or longer than 128 characters or a common one, or an
    /// empty name; `CONFLICT` when the e-mail is already registered. Log in afterwards.
    async fn register(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new member's e-mail, password and legal name.")] input: RegisterInput,
    ) -> async_graphql::Result<Member> {
        let created = services::accounts::register(
            ctx.state(),
            ctx.meta(),
            Registration {
                email: input.email,
                password: input.password,
                legal_name: input.legal_name,
            },
        )
        .await
        .gql()?;
        Ok(Member::of_caller(created))
    }

    /// Opens a session. Every attempt is audited with IP and browser. Errors:
    /// `UNAUTHENTICATED` for a wrong e-mail or password (the same answer for both),
    /// `FORBIDDEN` for a disabled account, `RATE_LIMITED` (with `extensions.retryAfter`)
    /// after too many attempts from one IP or on one account.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The e-mail address the account was registered with (any case).")] email: String,
        #[graphql(desc = "The account's password.")] password: String,
    ) -> async_graphql::Result<LoginPayload> {
        let signed = services::accounts::login(ctx.state(), ctx.meta(), &email, password)
            .await
            .gql()?;
        Ok(signed.into())
    }

    /// Issues a fresh 15-minute token for the caller's session; the token used for this call
    /// stops working. Fails with `UNAUTHENTICATED` once the session has ended.
    async fn renew_token(&self, ctx: &Context<'_>) -> async_graphql::Result<LoginPayload> {
        let signed = services::accounts::renew(ctx.state(), ctx.viewer()).await.gql()?;
        Ok(signed.into())
    }

    /// Ends the caller's session on the server; its token is refused from now on.
    async fn logout(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        services::accounts::logout(ctx.state(), ctx.viewer(), ctx.meta())
            .await
            .gql()?;
        Ok(true)
    }

    /// Disables or re-enables an account. Disabling ends all its sessions at once.
    /// Audience: staff (only admins may change staff and admin accounts).
    async fn set_member_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The member number, e.g. `CPTN-000123`.")] member_number: String,
        #[graphql(desc = "`DISABLED` to lock the account, `ACTIVE` to let it log in again.")] status: MemberStatus,
    ) -> async_graphql::Result<Member> {
        let number = parse_member_number(&member_number).gql()?;
        let enabled = status == MemberStatus::Active;
        let updated = services::accounts::set_status(ctx.state(), ctx.viewer(), ctx.meta(), number.0, enabled)
            .await
            .gql()?;
        Ok(Member::new(updated))
    }
}
