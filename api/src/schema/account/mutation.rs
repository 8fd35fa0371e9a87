//! Account mutations.

use super::query::parse_member_number;
use super::types::{CheckYourInbox, LoginPayload, Member, MemberRecordInput, MemberRole, MemberStatus, RegisterInput};
use crate::schema::ContextExt;
use crate::schema::error::GqlResult;
use crate::services;
use crate::services::accounts::{RecordUpdate, Registration};
use async_graphql::{Context, Object};

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Starts an account. The answer is the same whether or not the address already has
    /// an account: a new address gets a link to confirm it (log in after following it), a
    /// known one a notice that someone tried to register with it. Limited per IP
    /// (`RATE_LIMITED`). Errors: `VALIDATION` (with `extensions.field`) for a malformed
    /// e-mail, a password shorter than 8 or longer than 128 characters or a common one, or an
    /// empty name. Audience: public.
    async fn register(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new member's e-mail, password and legal name.")] input: RegisterInput,
    ) -> async_graphql::Result<CheckYourInbox> {
        services::accounts::register(
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
        Ok(CheckYourInbox::default())
    }

    /// Confirms an e-mail address with the token of the link we sent to it and the
    /// password chosen in the registration that sent that link, and logs in. The account
    /// can log in from now on. `VALIDATION` on `token` when the link was used already, has
    /// expired (48 hours) or never existed; on `password` when it is not that
    /// registration's (each try counts against the account's password budget:
    /// `RATE_LIMITED`). Audience: public (the link and the password are the proof).
    async fn confirm_email(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `token` parameter of the confirmation link.")] token: String,
        #[graphql(desc = "The password chosen when registering.")] password: String,
    ) -> async_graphql::Result<LoginPayload> {
        let signed = services::accounts::confirm_email(ctx.state(), ctx.meta(), &token, password)
            .await
            .gql()?;
        Ok(signed.into())
    }

    /// Sends a new confirmation link to an address whose account is not confirmed yet.
    /// Answers the same whatever the address; limited per IP and per address
    /// (`RATE_LIMITED`). Audience: public.
    async fn resend_confirmation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The address the account was registered with.")] email: String,
    ) -> async_graphql::Result<CheckYourInbox> {
        services::accounts::resend_confirmation(ctx.state(), ctx.meta(), &email)
            .await
            .gql()?;
        Ok(CheckYourInbox::default())
    }

    /// Opens a session. Every attempt is audited with IP and browser. Errors:
    /// `UNAUTHENTICATED` for a wrong e-mail or password (the same answer for both),
    /// `FORBIDDEN` for a disabled account or one whose address is not confirmed yet,
    /// `RATE_LIMITED` (with `extensions.retryAfter`) after too many attempts from one IP or
    /// on one account. Audience: public.
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
    /// Audience: member (own session).
    async fn renew_token(&self, ctx: &Context<'_>) -> async_graphql::Result<LoginPayload> {
        let signed = services::accounts::renew(ctx.state(), ctx.viewer(), ctx.meta())
            .await
            .gql()?;
        Ok(signed.into())
    }

    /// Ends the caller's session on the server; its token is refused from now on.
    /// Audience: member (own session).
    async fn logout(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        services::accounts::logout(ctx.state(), ctx.viewer(), ctx.meta())
            .await
            .gql()?;
        Ok(true)
    }

    /// Disables or re-enables an account. Disabling ends all its sessions and hides its
    /// profile, photo, phone and contact form at once; enabling lists the profile again at
    /// the rank it had. Nobody changes their own account.
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

    /// Gives an account another role; it applies from the account's next request. Nobody
    /// changes their own role. Audience: admin.
    async fn set_member_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The member number, e.g. `CPTN-000123`.")] member_number: String,
        #[graphql(desc = "The new role.")] role: MemberRole,
    ) -> async_graphql::Result<Member> {
        let number = parse_member_number(&member_number).gql()?;
        let updated = services::accounts::set_role(ctx.state(), ctx.viewer(), ctx.meta(), number.0, role.into())
            .await
            .gql()?;
        Ok(Member::new(updated))
    }

    /// Makes an account a provider account acting for one course provider: it may record
    /// completion of that provider's courses, nothing more. Audience: admin.
    async fn link_course_provider(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The member number, e.g. `CPTN-000123`.")] member_number: String,
        #[graphql(desc = "The course provider's slug.")] provider: String,
    ) -> async_graphql::Result<Member> {
        let number = parse_member_number(&member_number).gql()?;
        let updated =
            services::accounts::link_course_provider(ctx.state(), ctx.viewer(), ctx.meta(), number.0, &provider)
                .await
                .gql()?;
        Ok(Member::new(updated))
    }

    /// Replaces the caller's private contact fields (phone, postal address, date of birth).
    /// Audience: owner.
    async fn update_my_record(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new values; omitted fields are cleared.")] input: MemberRecordInput,
    ) -> async_graphql::Result<Member> {
        let update = RecordUpdate {
            phone: input.phone,
            street_address: input.street_address,
            city: input.city,
            region: input.region,
            postal_code: input.postal_code,
            country: input.country,
            date_of_birth: input.date_of_birth,
        };
        let model = services::accounts::update_my_record(ctx.state(), ctx.viewer(), ctx.meta(), update)
            .await
            .gql()?;
        Ok(Member::new(model))
    }
}
