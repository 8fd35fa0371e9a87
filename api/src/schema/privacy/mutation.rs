//! Recording page views; filing and answering data requests.

use super::types::{ConfirmedDataRequest, DataExport, PrivacyRequest, PrivacyRequestKind};
use crate::schema::ContextExt;
use crate::schema::account::query::parse_member_number;
use crate::schema::error::GqlResult;
use crate::schema::parse_id;
use crate::services::privacy::{address, export, page_views, requests};
use async_graphql::{Context, ID, Object};

#[derive(Default)]
pub struct PrivacyMutation;

#[Object]
impl PrivacyMutation {
    /// Records that the caller's web app showed page `path` (P14): time, IP, the member
    /// when logged in, and the path without its query string or fragment. Kept for
    /// `CPTN_LOG_RETENTION_MONTHS` (12). Always `true`. Audience: public.
    async fn record_page_view(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The page's path, starting with `/`, at most 300 characters.")] path: String,
    ) -> async_graphql::Result<bool> {
        page_views::record_page_view(ctx.state(), ctx.viewer(), ctx.meta(), &path)
            .await
            .gql()?;
        Ok(true)
    }

    /// Builds an archive of everything held about the caller (P23): a zip with `data.json`
    /// (every row about them, by table) and the files they uploaded; nothing about anyone
    /// else. Kept 24 hours; download it from `downloadPath` with the session's token.
    /// Asking again within ten minutes answers the same archive. Audience: member.
    async fn export_my_data(&self, ctx: &Context<'_>) -> async_graphql::Result<DataExport> {
        let row = export::export_my_data(ctx.state(), ctx.viewer(), ctx.meta())
            .await
            .gql()?;
        Ok(DataExport(row))
    }

    /// Someone without an account (a relay sender, a subscriber, a phone or mail-in buyer)
    /// asks, by e-mail address, for what is held under it (`EXPORT`) or for its erasure
    /// (`ERASURE`): a confirmation link is mailed to the address, and nothing happens
    /// without it. Always `true`; limited per IP and per address. Audience: public.
    async fn request_data_by_email(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The address.")] email: String,
        #[graphql(desc = "`EXPORT` or `ERASURE`.")] kind: PrivacyRequestKind,
    ) -> async_graphql::Result<bool> {
        address::request(ctx.state(), ctx.viewer(), ctx.meta(), &email, kind.into())
            .await
            .gql()?;
        Ok(true)
    }

    /// Confirms a data request with the token of the link mailed to the address: an export
    /// answers with what is held under it, an erasure joins the staff queue (due in 30
    /// days). `NOT_FOUND` for an unknown or used token. Audience: public (the holder of the
    /// link).
    async fn confirm_data_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `token` of the link.")] token: String,
    ) -> async_graphql::Result<ConfirmedDataRequest> {
        let confirmed = address::confirm(ctx.state(), ctx.viewer(), ctx.meta(), &token)
            .await
            .gql()?;
        Ok(ConfirmedDataRequest(confirmed))
    }

    /// Asks for the caller's personal data to be erased (P23). Staff answer within 30 days
    /// (`dueAt`); the erasure leaves a tombstone with the member number, certification
    /// history and credit ledger, kept for a return. `CONFLICT` while one is open.
    /// Audience: member.
    async fn request_erasure(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Anything staff should know, at most 2,000 characters.")] message: Option<String>,
    ) -> async_graphql::Result<PrivacyRequest> {
        let row = requests::request_erasure(ctx.state(), ctx.viewer(), ctx.meta(), message.as_deref().unwrap_or(""))
            .await
            .gql()?;
        Ok(PrivacyRequest {
            row,
            requester: ctx.viewer().member_id(),
        })
    }

    /// A returning trainer, registered anew, asks to be linked to their old member number:
    /// staff check their identity and move this login onto it, with its certification
    /// history and credits. `CONFLICT` while one is open. Audience: member.
    async fn request_relink(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The old member number, e.g. `CPTN-000123`.")] old_member_number: String,
        #[graphql(desc = "How staff can check it is you, at most 2,000 characters.")] message: Option<String>,
    ) -> async_graphql::Result<PrivacyRequest> {
        let old = parse_member_number(&old_member_number)
            .map_err(|_| crate::error::Error::invalid("oldMemberNumber", "A member number looks like CPTN-000123."))
            .gql()?;
        let row = requests::request_relink(
            ctx.state(),
            ctx.viewer(),
            ctx.meta(),
            old,
            message.as_deref().unwrap_or(""),
        )
        .await
        .gql()?;
        Ok(PrivacyRequest {
            row,
            requester: ctx.viewer().member_id(),
        })
    }

    /// Completes an erasure request: the member is wiped to a tombstone (as the retention
    /// rule does) and a wipe receipt written. Audience: staff.
    async fn complete_erasure_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request's id.")] id: ID,
    ) -> async_graphql::Result<PrivacyRequest> {
        let id = parse_id(&id, "id", "Not a request id.")?;
        let row = requests::complete_erasure(ctx.state(), ctx.viewer(), ctx.meta(), id)
            .await
            .gql()?;
        Ok(PrivacyRequest { row, requester: None })
    }

    /// Completes a relink request once the person's identity is checked outside the
    /// system: their new login moves onto the old member number's tombstone (its
    /// certification history and ledger untouched) and the new, empty account goes; they
    /// log in again. Audience: staff.
    async fn link_returning_member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request's id.")] id: ID,
    ) -> async_graphql::Result<PrivacyRequest> {
        let id = parse_id(&id, "id", "Not a request id.")?;
        let row = requests::link_returning_member(ctx.state(), ctx.viewer(), ctx.meta(), id)
            .await
            .gql()?;
        Ok(PrivacyRequest { row, requester: None })
    }

    /// Refuses a data request with a reason the requester reads. Audience: staff.
    async fn refuse_privacy_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request's id.")] id: ID,
        #[graphql(desc = "Why, at most 2,000 characters.")] reason: String,
    ) -> async_graphql::Result<PrivacyRequest> {
        let id = parse_id(&id, "id", "Not a request id.")?;
        let row = requests::refuse(ctx.state(), ctx.viewer(), ctx.meta(), id, &reason)
            .await
            .gql()?;
        Ok(PrivacyRequest { row, requester: None })
    }
}
