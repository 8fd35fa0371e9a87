//! Reporting a vulnerability, and staff's triage and rewards.

use super::types::{ReportReceipt, VulnerabilityReport, VulnerabilityReportInput, VulnerabilityReportStatus};
use crate::schema::error::GqlResult;
use crate::schema::{ContextExt, parse_id};
use crate::services::security::reports;
use crate::services::storage::FileKind;
use async_graphql::{Context, ID, Object, Upload};
use std::io::Read;

#[derive(Default)]
pub struct SecurityMutation;

fn report_id(id: &ID) -> async_graphql::Result<i64> {
    parse_id(id, "id", "No such report.")
}

#[Object]
impl SecurityMutation {
    /// Reports a security vulnerability (see SECURITY.md for scope and rewards), with an
    /// optional attachment sent by the GraphQL multipart request spec (PDF, PNG or JPEG
    /// judged by content, at most 5 MiB). The address is sent an acknowledgement.
    /// `RATE_LIMITED` after five reports from one address in an hour. Audience: public.
    async fn report_vulnerability(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The report.")] input: VulnerabilityReportInput,
        #[graphql(desc = "A screenshot or write-up (optional).")] attachment: Option<Upload>,
    ) -> async_graphql::Result<ReportReceipt> {
        let bytes = match attachment {
            Some(upload) => {
                let mut bytes = Vec::new();
                let limit = FileKind::ReportAttachment.max_bytes() as u64 + 1;
                upload.value(ctx)?.into_read().take(limit).read_to_end(&mut bytes)?;
                Some(bytes)
            }
            None => None,
        };
        let input = reports::ReportInput {
            email: input.email,
            description: input.description,
            steps: input.steps,
        };
        let row = reports::report(ctx.state(), ctx.viewer(), ctx.meta(), input, bytes.as_deref())
            .await
            .gql()?;
        Ok(ReportReceipt(row))
    }

    /// Triages a report: `ACCEPTED`, `DUPLICATE` or `REJECTED`, with a note the reporter is
    /// sent. `CONFLICT` once the report was rewarded. Audience: staff.
    async fn triage_vulnerability_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The report's number.")] id: ID,
        #[graphql(desc = "The outcome.")] status: VulnerabilityReportStatus,
        #[graphql(desc = "A note for the reporter (up to 4,000 characters).", default)] note: String,
    ) -> async_graphql::Result<VulnerabilityReport> {
        let id = report_id(&id)?;
        let row = reports::triage(ctx.state(), ctx.viewer(), ctx.meta(), id, status.into(), &note)
            .await
            .gql()?;
        Ok(VulnerabilityReport(row))
    }

    /// Rewards an accepted report's reporter with a single-use 20% workshop coupon, e-mailed
    /// to them. `noMaliciousActivityConfirmed` must be true: staff looked at the logs
    /// (`blockedAttempts`, the audit trail for the reporter's address) and found no
    /// malicious act. `CONFLICT` when the report is not accepted or was rewarded.
    /// Audience: staff.
    async fn reward_vulnerability_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The report's number.")] id: ID,
        #[graphql(desc = "Staff confirm the logs show no malicious act by the reporter.")]
        no_malicious_activity_confirmed: bool,
    ) -> async_graphql::Result<VulnerabilityReport> {
        let id = report_id(&id)?;
        let (row, _) = reports::reward(
            ctx.state(),
            ctx.viewer(),
            ctx.meta(),
            id,
            no_malicious_activity_confirmed,
        )
        .await
        .gql()?;
        Ok(VulnerabilityReport(row))
    }
}
