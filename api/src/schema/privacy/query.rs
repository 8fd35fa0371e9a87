//! Reading retention periods, the retention report, data requests and wipe receipts.

use super::types::{
    DataExport, EmailSignatureCheck, PrivacyRequest, PrivacyRequestConnection, PrivacyRequestStatus, RetentionPeriod,
    RetentionRuleCount, WipeReceipt,
};
use crate::schema::ContextExt;
use crate::schema::account::query::parse_member_number;
use crate::schema::error::GqlResult;
use crate::schema::pagination::page_request;
use crate::services::mail_signature;
use crate::services::privacy::{export, requests, retention};
use async_graphql::{Context, Object};

#[derive(Default)]
pub struct PrivacyQuery;

#[Object]
impl PrivacyQuery {
    /// Every retention period in force, with the setting that sets it (P3, P8, P9): what
    /// the `retention` job applies. Audience: admin.
    async fn retention_policy(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RetentionPeriod>> {
        let periods = retention::policy(ctx.state(), ctx.viewer()).gql()?;
        Ok(periods.into_iter().map(Into::into).collect())
    }

    /// What each retention rule would do if the `retention` job ran now (its dry run):
    /// counts, no personal data. Audience: admin.
    async fn retention_report(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RetentionRuleCount>> {
        let report = retention::report(ctx.state(), ctx.viewer()).await.gql()?;
        Ok(report.into_iter().map(Into::into).collect())
    }

    /// The caller's data requests, newest first. Audience: member (their own).
    async fn my_privacy_requests(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PrivacyRequest>> {
        let rows = requests::my_requests(ctx.state(), ctx.viewer()).await.gql()?;
        let requester = ctx.viewer().member_id();
        Ok(rows.into_iter().map(|row| PrivacyRequest { row, requester }).collect())
    }

    /// Checks a signed e-mail from CPTN Network (P15): paste the whole message, or just its
    /// signature block. `VALID` comes with the message as we sent it; `TAMPERED` means it
    /// changed after we sent it. Limited per client IP (`RATE_LIMITED`). Audience: public.
    async fn verify_email_signature(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The message with its signature block, or the block alone.")] text: String,
    ) -> async_graphql::Result<EmailSignatureCheck> {
        let check = mail_signature::check(ctx.state(), ctx.meta(), &text).await.gql()?;
        Ok(check.into())
    }

    /// The caller's data export archives still kept (24 hours), newest first. Audience:
    /// member (their own).
    async fn my_data_exports(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DataExport>> {
        let rows = export::my_exports(ctx.state(), ctx.viewer()).await.gql()?;
        Ok(rows.into_iter().map(DataExport).collect())
    }

    /// The data request queue, oldest (first due) first. Audience: staff.
    async fn privacy_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only requests in this status (all without).")] status: Option<PrivacyRequestStatus>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last request of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<PrivacyRequestConnection> {
        let request = page_request(PrivacyRequest::CURSOR_LIST, first, after.as_deref()).gql()?;
        let page = requests::queue(ctx.state(), ctx.viewer(), status.map(Into::into), request)
            .await
            .gql()?;
        Ok(PrivacyRequest::connection(&request, page))
    }

    /// The wipe receipts of a member number, oldest first; kept after the tombstone is
    /// purged. Audience: staff.
    async fn wipe_receipts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The member number, e.g. `CPTN-000123`.")] member_number: String,
    ) -> async_graphql::Result<Vec<WipeReceipt>> {
        let number = parse_member_number(&member_number).gql()?;
        let rows = requests::wipe_receipts(ctx.state(), ctx.viewer(), number).await.gql()?;
        Ok(rows.into_iter().map(WipeReceipt).collect())
    }
}
