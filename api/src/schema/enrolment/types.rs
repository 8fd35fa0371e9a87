//! Enrolment types.

use crate::authz::Audience;
use crate::page::{Page, PageRequest};
use crate::schema::catalogue::types::Workshop;
use crate::schema::certification::types::{Fee, MoneyAmount};
use crate::schema::guard::readable_by;
use crate::schema::pagination::plain_connection;
use crate::services::enrolment::EnrolmentView;
use async_graphql::connection::Connection;
use async_graphql::{Enum, ID, Object};
use shared::MemberNumber;
use shared::cec::format_tenths;

/// Where an enrolment stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::EnrolmentStatus")]
pub enum EnrolmentStatus {
    /// The seat is held; its fee is owed.
    AwaitingPayment,
    /// Paid (or free): the member takes the course.
    Enrolled,
    /// Completion is recorded.
    Completed,
}

pub struct Enrolment(pub EnrolmentView);

impl Enrolment {
    pub const CURSOR_LIST: &'static str = "enrolments";

    pub fn connection(request: &PageRequest<i64>, page: Page<EnrolmentView>) -> EnrolmentConnection {
        plain_connection(Self::CURSOR_LIST, request, page, |view| view.enrolment.id, Enrolment)
    }
}

/// A page of enrolments.
pub type EnrolmentConnection = Connection<String, Enrolment>;

/// A member's place in a course (and one of its workshops). Audience: owner, the course's
/// provider, staff.
#[Object]
impl Enrolment {
    /// Stable identifier (completion is recorded by it). Audience: owner, the course's
    /// provider, staff.
    async fn id(&self) -> ID {
        ID(self.0.enrolment.id.to_string())
    }

    /// The course's code. Audience: owner, the course's provider, staff.
    async fn course_code(&self) -> &str {
        &self.0.course.code
    }

    /// The course's title. Audience: owner, the course's provider, staff.
    async fn course_title(&self) -> &str {
        &self.0.course.title
    }

    /// True when completing the course earns credit directly; otherwise its credit needs
    /// a petition. Audience: owner, the course's provider, staff.
    async fn course_approved(&self) -> bool {
        self.0.course.approval == entity::enums::CourseApproval::Approved
    }

    /// The course's length in hours, e.g. `"7.5"`. Audience: owner, the course's provider,
    /// staff.
    async fn course_hours(&self) -> String {
        format_tenths(self.0.course.hours_tenths)
    }

    /// The workshop, for a dated session. Audience: owner, the course's provider, staff.
    async fn workshop(&self) -> Option<Workshop> {
        self.0.workshop.clone().map(Workshop)
    }

    /// Where it stands. Audience: owner, the course's provider, staff.
    async fn status(&self) -> EnrolmentStatus {
        self.0.enrolment.status.into()
    }

    /// What the member is charged (the member price when there is one). Audience: owner,
    /// the course's provider, staff.
    async fn price(&self) -> MoneyAmount {
        MoneyAmount(shared::Money::from_cents(self.0.enrolment.price_cents))
    }

    /// The fee owed for it; none for a free course. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.0.enrolment.member_id)")]
    async fn fee(&self) -> Option<Fee> {
        self.0.fee.clone().map(Fee)
    }

    /// When the member enrolled (UTC). Audience: owner, the course's provider, staff.
    async fn enrolled_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.enrolment.enrolled_at
    }

    /// The day the course was completed, once recorded. Audience: owner, the course's
    /// provider, staff.
    async fn completed_on(&self) -> Option<chrono::NaiveDate> {
        self.0.enrolment.completed_on
    }

    /// True when completion credited the ledger. Audience: owner, the course's provider,
    /// staff.
    async fn credited(&self) -> bool {
        self.0.enrolment.cec_entry_id.is_some()
    }

    /// The enrolled member's number. Audience: owner, the course's provider, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.0.subject())")]
    async fn member_number(&self) -> String {
        MemberNumber(self.0.member.member_number).to_string()
    }

    /// The enrolled member's legal name (as on their certificate). Audience: owner, the
    /// course's provider, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.0.subject())")]
    async fn member_name(&self) -> &str {
        &self.0.member.legal_name
    }
}
