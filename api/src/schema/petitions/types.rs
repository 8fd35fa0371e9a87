//! Petition types.

use crate::authz::Audience;
use crate::page::{Page, PageRequest};
use crate::schema::ContextExt;
use crate::schema::certification::types::Fee;
use crate::schema::error::GqlResult;
use crate::schema::guard::readable_by;
use crate::schema::pagination::plain_connection;
use crate::services::petitions::PetitionView;
use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object};
use shared::MemberNumber;
use shared::cec::format_tenths;

/// Where a petition stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::PetitionStatus")]
pub enum PetitionStatus {
    /// Filed; its fee is owed before staff review it.
    AwaitingPayment,
    /// In the staff queue.
    InReview,
    /// Staff asked a question (`staffNote`); the member's answer sends it back to the queue.
    NeedsInformation,
    /// Approved: its credit is in the ledger.
    Approved,
    /// Rejected; `staffNote` says why.
    Rejected,
    /// Its fee was refunded: it left the queue (an approved credit not yet used for a
    /// renewal was reversed).
    Withdrawn,
}

pub struct Petition(pub PetitionView);

impl Petition {
    pub const CURSOR_LIST: &'static str = "petitions";

    pub fn connection(request: &PageRequest<i64>, page: Page<PetitionView>) -> PetitionConnection {
        plain_connection(Self::CURSOR_LIST, request, page, |view| view.petition.id, Petition)
    }

    fn owner(&self) -> i64 {
        self.0.petition.member_id
    }
}

/// A page of petitions.
pub type PetitionConnection = Connection<String, Petition>;

/// A member's request for credit from a course that is not approved. Audience: owner,
/// staff.
#[Object]
impl Petition {
    /// Stable identifier. Audience: owner, staff.
    async fn id(&self) -> ID {
        ID(self.0.petition.id.to_string())
    }

    /// The course's title. Audience: owner, staff.
    async fn title(&self) -> &str {
        &self.0.petition.title
    }

    /// Who gave the course. Audience: owner, staff.
    async fn provider_name(&self) -> &str {
        &self.0.petition.provider_name
    }

    /// When the course was completed. Audience: owner, staff.
    async fn completed_on(&self) -> chrono::NaiveDate {
        self.0.petition.completed_on
    }

    /// The course's length in hours, e.g. `"7.0"`. Audience: owner, staff.
    async fn hours(&self) -> String {
        format_tenths(self.0.petition.hours_tenths)
    }

    /// The credit asked for, e.g. `"0.7"`. Audience: owner, staff.
    async fn requested_cec(&self) -> String {
        format_tenths(self.0.petition.requested_tenths)
    }

    /// The credit approved, once approved. Audience: owner, staff.
    async fn granted_cec(&self) -> Option<String> {
        self.0.petition.granted_tenths.map(format_tenths)
    }

    /// Where it stands. Audience: owner, staff.
    async fn status(&self) -> PetitionStatus {
        self.0.petition.status.into()
    }

    /// Staff's question (while it needs information) or reason (once rejected).
    /// Audience: owner, staff.
    async fn staff_note(&self) -> Option<&str> {
        self.0.petition.staff_note.as_deref()
    }

    /// The member's answer to staff's question. Audience: owner, staff.
    async fn member_answer(&self) -> Option<&str> {
        self.0.petition.member_answer.as_deref()
    }

    /// The review fee. Audience: owner, staff.
    async fn fee(&self) -> Fee {
        Fee(self.0.fee.clone())
    }

    /// When it was filed (UTC). Audience: owner, staff.
    async fn filed_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.petition.filed_at
    }

    /// When it was approved or rejected (UTC). Audience: owner, staff.
    async fn decided_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.petition.decided_at
    }

    /// The petitioner's member number. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn member_number(&self) -> String {
        MemberNumber(self.0.member_number).to_string()
    }

    /// The petitioner's legal name. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn member_name(&self) -> &str {
        &self.0.member_name
    }

    /// The evidence's media type (`application/pdf`, `image/png`, `image/jpeg`).
    /// Audience: owner, staff.
    async fn evidence_type(&self) -> &str {
        &self.0.petition.evidence_type
    }

    /// A link to the evidence file, working for five minutes (relative to the API's
    /// origin). Asking for it is a staff read, audited. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn evidence_url(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        crate::services::petitions::evidence_link(ctx.state(), ctx.viewer(), ctx.meta(), &self.0.petition)
            .await
            .gql()
    }
}

/// A petition as the member files it.
#[derive(InputObject)]
pub struct PetitionInput {
    /// The course's title, 1 to 200 characters.
    pub title: String,
    /// Who gave it, 1 to 160 characters.
    pub provider_name: String,
    /// When it was completed: at most 6 months (`CPTN_PETITION_MAX_AGE_MONTHS`) before
    /// filing, not in the future.
    pub completed_on: chrono::NaiveDate,
    /// Its length in hours, one decimal, 0.1 to 100.
    pub hours: String,
    /// The credit asked for, one decimal, 0.1 to 0.7 (`CPTN_PETITION_MAX_CEC`).
    pub requested_cec: String,
}
