//! Vulnerability report types.

use crate::page::{Page, PageRequest};
use crate::schema::ContextExt;
use crate::schema::error::GqlResult;
use crate::schema::pagination::plain_connection;
use crate::services::security::reports;
use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object};
use entity::vulnerability_report;

/// Where a vulnerability report stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::VulnerabilityReportStatus")]
pub enum VulnerabilityReportStatus {
    /// Waiting for staff.
    Received,
    /// A real vulnerability, new to us (it may earn a reward).
    Accepted,
    /// Real, but already reported or known.
    Duplicate,
    /// Not a vulnerability, or out of scope.
    Rejected,
}

/// A report as the reporter writes it.
#[derive(InputObject)]
pub struct VulnerabilityReportInput {
    /// Where we answer: the acknowledgement, the triage and any reward go here.
    pub email: String,
    /// What you found and what it lets an attacker do (1 to 20,000 characters; stored as
    /// written: describing an attack is fine).
    pub description: String,
    /// How to reproduce it (up to 20,000 characters).
    #[graphql(default)]
    pub steps: String,
}

pub struct ReportReceipt(pub vulnerability_report::Model);

/// What the reporter is told when their report is stored.
#[Object]
impl ReportReceipt {
    /// The report's number, to quote in any message about it. Audience: the reporter
    /// (public answer to their own mutation).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// When it was received. Audience: the reporter.
    async fn received_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.received_at
    }
}

pub struct VulnerabilityReport(pub vulnerability_report::Model);

impl VulnerabilityReport {
    pub const CURSOR_LIST: &'static str = "vulnerability-reports";

    pub fn connection(
        request: &PageRequest<i64>,
        page: Page<vulnerability_report::Model>,
    ) -> VulnerabilityReportConnection {
        plain_connection(Self::CURSOR_LIST, request, page, |row| row.id, VulnerabilityReport)
    }
}

/// A page of vulnerability reports.
pub type VulnerabilityReportConnection = Connection<String, VulnerabilityReport>;

/// A vulnerability report, as staff see it (the queries that return reports are
/// staff-only).
#[Object]
impl VulnerabilityReport {
    /// The report's number. Audience: staff.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The reporter's address. Audience: staff.
    async fn reporter_email(&self) -> &str {
        &self.0.reporter_email
    }

    /// What the reporter found. Audience: staff.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// How to reproduce it. Audience: staff.
    async fn steps(&self) -> &str {
        &self.0.steps
    }

    /// Where it stands. Audience: staff.
    async fn status(&self) -> VulnerabilityReportStatus {
        self.0.status.into()
    }

    /// When it was received. Audience: staff.
    async fn received_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.received_at
    }

    /// When staff triaged it. Audience: staff.
    async fn triaged_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.triaged_at
    }

    /// What staff told the reporter with the triage. Audience: staff.
    async fn triage_note(&self) -> Option<&str> {
        self.0.triage_note.as_deref()
    }

    /// The address the report came from. Audience: staff.
    async fn reporter_ip(&self) -> Option<&str> {
        self.0.reporter_ip.as_deref()
    }

    /// Requests from the reporter's address the SQL-injection tripwire refused
    /// (`INJECTION_BLOCKED` audit rows): what staff look at, with the audit trail, before
    /// confirming good faith for a reward. Audience: staff.
    async fn blocked_attempts(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        reports::blocked_attempts(ctx.state(), ctx.viewer(), &self.0)
            .await
            .gql()
    }

    /// A link to the attachment (works five minutes), when one was sent. Audience: staff.
    async fn attachment_url(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        reports::attachment_link(ctx.state(), ctx.viewer(), &self.0).await.gql()
    }

    /// The reward coupon's code, once rewarded. Audience: staff.
    async fn reward_coupon(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        reports::reward_code(ctx.state(), ctx.viewer(), &self.0).await.gql()
    }
}
