//! Catalogue types.

use crate::authz::{Audience, Subject};
use crate::page::{Page, PageRequest};
use crate::schema::ContextExt;
use crate::schema::certification::types::MoneyAmount;
use crate::schema::error::GqlResult;
use crate::schema::guard::readable_by;
use crate::schema::pagination::CursorKey;
use crate::schema::pagination::plain_connection;
use crate::services::catalogue::{CourseKey, CourseView};
use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use shared::Money;
use shared::cec::format_tenths;

/// How a course is taught.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::CourseDelivery")]
pub enum CourseDelivery {
    /// Online, at the member's pace or live.
    Online,
    /// In a room, with an instructor.
    InPerson,
}

pub struct CourseProvider(pub entity::course_provider::Model);

/// An organisation that gives continuing-education courses. Audience: public.
#[Object]
impl CourseProvider {
    /// Its address in the catalogue, e.g. `canfit-academy`. Audience: public.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Its name. Audience: public.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// True once retired (its courses left the catalogue with it). Audience: public.
    async fn retired(&self) -> bool {
        self.0.retired_at.is_some()
    }
}

pub struct Course(pub CourseView);

impl Course {
    pub const CURSOR_LIST: &'static str = "courses";

    pub fn connection(
        list: &str,
        request: &PageRequest<CourseKey>,
        page: Page<(CourseKey, CourseView)>,
    ) -> CourseConnection {
        plain_connection(list, request, page, |(key, _)| key.clone(), |(_, view)| Course(view))
    }
}

impl CursorKey for CourseKey {
    fn encode(&self) -> String {
        match self {
            CourseKey::Title { title, id } => format!("t{id}:{title}"),
            CourseKey::Score { score, id } => format!("s{id}:{:016x}", score.to_bits()),
        }
    }

    fn decode(text: &str) -> Option<Self> {
        let (kind, rest) = text.split_at_checked(1)?;
        let (id, value) = rest.split_once(':')?;
        let id = id.parse().ok()?;
        match kind {
            "t" => Some(CourseKey::Title {
                title: value.to_owned(),
                id,
            }),
            "s" => {
                let score = f64::from_bits(u64::from_str_radix(value, 16).ok()?);
                score.is_finite().then_some(CourseKey::Score { score, id })
            }
            _ => None,
        }
    }
}

/// A page of courses: by title, or best matches first.
pub type CourseConnection = Connection<String, Course>;

/// A continuing-education course. Audience: public (the member price: members).
#[Object]
impl Course {
    /// The catalogue code, e.g. `NUT-201`. Audience: public.
    async fn code(&self) -> &str {
        &self.0.course.code
    }

    /// Title. Audience: public.
    async fn title(&self) -> &str {
        &self.0.course.title
    }

    /// What it covers. Audience: public.
    async fn description(&self) -> &str {
        &self.0.course.description
    }

    /// Who gives it. Audience: public.
    async fn provider(&self) -> CourseProvider {
        CourseProvider(self.0.provider.clone())
    }

    /// Online or in person. Audience: public.
    async fn delivery(&self) -> CourseDelivery {
        self.0.course.delivery.into()
    }

    /// Length in hours, e.g. `"7.5"`. Audience: public.
    async fn hours(&self) -> String {
        format_tenths(self.0.course.hours_tenths)
    }

    /// Continuing-education credit it is worth, e.g. `"0.7"`. Audience: public.
    async fn cec(&self) -> String {
        format_tenths(self.0.course.cec_tenths)
    }

    /// True when completing it earns credit directly; otherwise its credit needs an approved
    /// petition. Audience: public.
    async fn approved(&self) -> bool {
        self.0.course.approval == entity::enums::CourseApproval::Approved
    }

    /// What anyone pays. Audience: public.
    async fn public_price(&self) -> MoneyAmount {
        MoneyAmount(Money::from_cents(self.0.course.public_price_cents))
    }

    /// True when members pay less than the public price (the amount is for members).
    /// Audience: public.
    async fn has_member_price(&self) -> bool {
        self.0.course.member_price_cents.is_some()
    }

    /// What members pay (the public price when there is no member price). Audience: member
    /// (any logged-in member: P21, member rates after login).
    #[graphql(guard = "readable_by(Audience::Member, Subject::NOBODY)")]
    async fn member_price(&self) -> MoneyAmount {
        let course = &self.0.course;
        MoneyAmount(Money::from_cents(
            course.member_price_cents.unwrap_or(course.public_price_cents),
        ))
    }

    /// True once retired: it left the catalogue and stays for history (staff see it).
    /// Audience: public.
    async fn retired(&self) -> bool {
        self.0.course.retired_at.is_some()
    }

    /// Its dated sessions by start time (cancelled ones for staff only). Audience: public.
    async fn workshops(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Workshop>> {
        let list = crate::services::catalogue::workshops_of(ctx.state(), ctx.viewer(), self.0.course.id)
            .await
            .gql()?;
        Ok(list.into_iter().map(Workshop).collect())
    }
}

pub struct Workshop(pub entity::workshop::Model);

/// A dated session of a course, with a place and a number of seats. Audience: public.
#[Object]
impl Workshop {
    /// Stable identifier (enrol with it). Audience: public.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// When it starts (UTC). Audience: public.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }

    /// When it ends (UTC). Audience: public.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }

    /// Where it is held. Audience: public.
    async fn location(&self) -> &str {
        &self.0.location
    }

    /// How many seats it has. Audience: public.
    async fn capacity(&self) -> i32 {
        self.0.capacity
    }

    /// Seats still free (a seat is held while its fee is owed). Audience: public.
    async fn seats_left(&self) -> i32 {
        crate::services::enrolment::seats_left(&self.0)
    }

    /// True once cancelled (staff see cancelled workshops). Audience: public.
    async fn cancelled(&self) -> bool {
        self.0.retired_at.is_some()
    }
}

/// A workshop as staff write it.
#[derive(InputObject)]
pub struct WorkshopInput {
    /// When it starts (UTC; a new workshop starts in the future).
    pub starts_at: DateTime<Utc>,
    /// When it ends, after it starts and within 31 days.
    pub ends_at: DateTime<Utc>,
    /// Where it is held, 1 to 200 characters (a venue and city, or "Online").
    pub location: String,
    /// Seats, 1 to 10,000; never below the seats already taken.
    pub capacity: i32,
}

impl From<WorkshopInput> for crate::services::catalogue::WorkshopInput {
    fn from(input: WorkshopInput) -> Self {
        Self {
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            location: input.location,
            capacity: input.capacity,
        }
    }
}

/// A course as staff write it.
#[derive(InputObject)]
pub struct CourseInput {
    /// The provider's slug.
    pub provider_slug: String,
    /// Title, 1 to 200 characters.
    pub title: String,
    /// What it covers, at most 5000 characters.
    #[graphql(default)]
    pub description: String,
    /// Online or in person.
    pub delivery: CourseDelivery,
    /// Hours with one decimal, 0.1 to 100.
    pub hours: String,
    /// CEC value with one decimal (0.0 to 10.0); omitted: from the hours (`CPTN_CEC_PER_HOUR`).
    pub cec: Option<String>,
    /// True when completing it earns credit directly.
    pub approved: bool,
    /// Public price in dollars, e.g. `"95.00"`.
    pub public_price: String,
    /// Member price in dollars, at most the public price; omitted: none.
    pub member_price: Option<String>,
}

impl From<CourseInput> for crate::services::catalogue::CourseInput {
    fn from(input: CourseInput) -> Self {
        Self {
            provider_slug: input.provider_slug,
            title: input.title,
            description: input.description,
            delivery: input.delivery.into(),
            hours: input.hours,
            cec: input.cec,
            approved: input.approved,
            public_price: input.public_price,
            member_price: input.member_price,
        }
    }
}
