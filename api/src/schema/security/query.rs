//! Staff's view of vulnerability reports.

use super::types::{VulnerabilityReport, VulnerabilityReportConnection, VulnerabilityReportStatus};
use crate::schema::error::GqlResult;
use crate::schema::pagination::page_request;
use crate::schema::{ContextExt, parse_id};
use crate::services::security::reports;
use async_graphql::{Context, ID, Object};

#[derive(Default)]
pub struct SecurityQuery;

#[Object]
impl SecurityQuery {
    /// Vulnerability reports, newest first, in one state or all. Audience: staff.
    async fn vulnerability_reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only reports in this state (default: all).")] status: Option<VulnerabilityReportStatus>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last report of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<VulnerabilityReportConnection> {
        let request = page_request(VulnerabilityReport::CURSOR_LIST, first, after.as_deref()).gql()?;
        let page = reports::reports(ctx.state(), ctx.viewer(), status.map(Into::into), request)
            .await
            .gql()?;
        Ok(VulnerabilityReport::connection(&request, page))
    }

    /// One vulnerability report. Audience: staff.
    async fn vulnerability_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The report's number.")] id: ID,
    ) -> async_graphql::Result<VulnerabilityReport> {
        let id = parse_id(&id, "id", "No such report.")?;
        let row = reports::report_by_id(ctx.state(), ctx.viewer(), id).await.gql()?;
        Ok(VulnerabilityReport(row))
    }
}
