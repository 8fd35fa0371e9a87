//! Security (`graphql/security.graphql`): the public vulnerability report form and the
//! staff screen that lists, triages and rewards reports.

use super::{ApiError, run};

type DateTime = super::DateTime;

/// Where a vulnerability report stands (one type for every operation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VulnerabilityReportStatus {
    Received,
    Accepted,
    Duplicate,
    Rejected,
    /// A state this build does not know yet (a newer server).
    #[serde(other)]
    Unknown,
}

impl VulnerabilityReportStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Received => "Received, waiting for triage",
            Self::Accepted => "Accepted",
            Self::Duplicate => "Duplicate",
            Self::Rejected => "Rejected",
            Self::Unknown => "Unknown",
        }
    }
}

graphql_operations!(
    "graphql/security.graphql",
    extern_enums("VulnerabilityReportStatus"),
    ReportVulnerability,
    VulnerabilityReports,
    TriageVulnerabilityReport,
    RewardVulnerabilityReport,
);

/// A report as the staff screen shows it.
pub type VulnerabilityReport = vulnerability_reports::ReportFields;

/// What the reporter writes.
pub struct NewVulnerabilityReport {
    pub email: String,
    pub description: String,
    pub steps: String,
}

/// Files a report (text only); its number.
pub async fn report_vulnerability(report: NewVulnerabilityReport) -> Result<String, ApiError> {
    let input = report_vulnerability::VulnerabilityReportInput {
        email: report.email,
        description: report.description,
        steps: report.steps,
    };
    Ok(run::<ReportVulnerability>(report_vulnerability::Variables { input })
        .await?
        .report_vulnerability
        .id)
}

/// A page of reports, newest first, in `status` or all; with the cursor of the next page
/// when there is one.
pub async fn vulnerability_reports(
    status: Option<VulnerabilityReportStatus>,
    after: Option<String>,
) -> Result<(Vec<VulnerabilityReport>, Option<String>), ApiError> {
    let found = run::<VulnerabilityReports>(vulnerability_reports::Variables { status, after })
        .await?
        .vulnerability_reports;
    let next = found
        .page_info
        .has_next_page
        .then_some(found.page_info.end_cursor)
        .flatten();
    Ok((found.edges.into_iter().map(|e| e.node).collect(), next))
}

/// What a triage or a reward changed on a report.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportOutcome {
    pub id: String,
    pub status: VulnerabilityReportStatus,
    pub triaged_at: Option<DateTime>,
    pub triage_note: Option<String>,
    pub reward_coupon: Option<String>,
}

impl ReportOutcome {
    /// Writes the outcome into the listed report it is about.
    pub fn apply_to(&self, reports: &mut [VulnerabilityReport]) {
        if let Some(report) = reports.iter_mut().find(|r| r.id == self.id) {
            report.status = self.status;
            report.triaged_at.clone_from(&self.triaged_at);
            report.triage_note.clone_from(&self.triage_note);
            report.reward_coupon.clone_from(&self.reward_coupon);
        }
    }
}

macro_rules! outcome_from {
    ($($module:ident),*) => {$(
        impl From<$module::ReportOutcome> for ReportOutcome {
            fn from(r: $module::ReportOutcome) -> Self {
                Self {
                    id: r.id,
                    status: r.status,
                    triaged_at: r.triaged_at,
                    triage_note: r.triage_note,
                    reward_coupon: r.reward_coupon,
                }
            }
        }
    )*};
}

outcome_from!(triage_vulnerability_report, reward_vulnerability_report);

/// Triages a report (accepted, duplicate or rejected), with a note e-mailed to the reporter.
pub async fn triage_vulnerability_report(
    id: String,
    status: VulnerabilityReportStatus,
    note: String,
) -> Result<ReportOutcome, ApiError> {
    Ok(
        run::<TriageVulnerabilityReport>(triage_vulnerability_report::Variables { id, status, note })
            .await?
            .triage_vulnerability_report
            .into(),
    )
}

/// Rewards an accepted report's reporter with a coupon; `confirmed`: staff found no
/// malicious act in the logs.
pub async fn reward_vulnerability_report(id: String, confirmed: bool) -> Result<ReportOutcome, ApiError> {
    Ok(
        run::<RewardVulnerabilityReport>(reward_vulnerability_report::Variables { id, confirmed })
            .await?
            .reward_vulnerability_report
            .into(),
    )
}
