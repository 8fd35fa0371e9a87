//! The course catalogue (`graphql/catalogue.graphql`).

use super::{ApiError, DateTime, NaiveDate, run};

graphql_operations!(
    "graphql/catalogue.graphql",
    PublicCourses,
    MemberCourses,
    CoursePage,
    Enrol,
    CourseEditor,
    ProviderList,
    CreateProvider,
    CreateCourse,
    UpdateCourse,
    RetireCourse,
    CreateWorkshop,
    RetireWorkshop,
    CourseRoster,
    CompleteEnrolment,
);

/// A course as the catalogue page shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct CourseCard {
    pub code: String,
    pub title: String,
    pub description: String,
    pub provider: String,
    pub online: bool,
    pub hours: String,
    pub cec: String,
    pub approved: bool,
    pub public_price: String,
    pub has_member_price: bool,
    /// Only for members.
    pub member_price: Option<String>,
}

macro_rules! card_from {
    ($($module:ident),*) => {$(
        impl From<$module::CourseCardFields> for CourseCard {
            fn from(c: $module::CourseCardFields) -> Self {
                Self {
                    code: c.code,
                    title: c.title,
                    description: c.description,
                    provider: c.provider.name,
                    online: c.delivery == $module::CourseDelivery::ONLINE,
                    hours: c.hours,
                    cec: c.cec,
                    approved: c.approved,
                    public_price: c.public_price.formatted,
                    has_member_price: c.has_member_price,
                    member_price: None,
                }
            }
        }
    )*};
}

card_from!(public_courses, member_courses, course_page);

/// A page of the catalogue: `member` asks for member prices too.
pub async fn courses(
    member: bool,
    query: Option<String>,
    online_only: bool,
    after: Option<String>,
) -> Result<(Vec<CourseCard>, Option<String>), ApiError> {
    if member {
        let variables = member_courses::Variables {
            query: query.clone(),
            delivery: online_only.then_some(member_courses::CourseDelivery::ONLINE),
            after,
        };
        let found = run::<MemberCourses>(variables).await?.courses;
        let next = found
            .page_info
            .has_next_page
            .then_some(found.page_info.end_cursor)
            .flatten();
        let cards = found
            .edges
            .into_iter()
            .map(|e| {
                let price = e.node.member_price.formatted.clone();
                let mut card = CourseCard::from(e.node.course_card_fields);
                card.member_price = Some(price);
                card
            })
            .collect();
        Ok((cards, next))
    } else {
        let variables = public_courses::Variables {
            query,
            delivery: online_only.then_some(public_courses::CourseDelivery::ONLINE),
            after,
        };
        let found = run::<PublicCourses>(variables).await?.courses;
        let next = found
            .page_info
            .has_next_page
            .then_some(found.page_info.end_cursor)
            .flatten();
        Ok((found.edges.into_iter().map(|e| e.node.into()).collect(), next))
    }
}

/// A dated session as the course page lists it.
pub type WorkshopSlot = course_page::CoursePageCourseWorkshops;

/// One course with its workshops.
pub async fn course_page(code: String) -> Result<(CourseCard, Vec<WorkshopSlot>), ApiError> {
    let course = run::<CoursePage>(course_page::Variables { code }).await?.course;
    Ok((course.course_card_fields.into(), course.workshops))
}

/// Enrols the member; answers what they owe.
pub async fn enrol(course: String, workshop: Option<String>) -> Result<String, ApiError> {
    let enrolled = run::<Enrol>(enrol::Variables { course, workshop }).await?.enrol;
    Ok(enrolled.price.formatted)
}

/// A course as the staff editor loads it.
pub type EditedCourse = course_editor::CourseEditorCourse;
/// One enrolment of a course's roster.
pub type RosterEntry = course_roster::CourseRosterCourseEnrolmentsEdgesNode;
pub use course_roster::EnrolmentStatus;

/// A course as staff type it (the API's `CourseInput`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CourseForm {
    pub code: String,
    pub provider_slug: String,
    pub title: String,
    pub description: String,
    pub online: bool,
    pub hours: String,
    pub cec: String,
    pub approved: bool,
    pub public_price: String,
    pub member_price: String,
}

/// `9500` as `95.00`.
fn dollars(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

impl From<&EditedCourse> for CourseForm {
    fn from(c: &EditedCourse) -> Self {
        Self {
            code: c.code.clone(),
            provider_slug: c.provider.slug.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            online: c.delivery == course_editor::CourseDelivery::ONLINE,
            hours: c.hours.clone(),
            cec: c.cec.clone(),
            approved: c.approved,
            public_price: dollars(c.public_price.cents),
            member_price: if c.has_member_price {
                dollars(c.member_price.cents)
            } else {
                String::new()
            },
        }
    }
}

pub async fn edited_course(code: String) -> Result<EditedCourse, ApiError> {
    Ok(run::<CourseEditor>(course_editor::Variables { code }).await?.course)
}

/// Current providers (slug, name).
pub async fn providers() -> Result<Vec<(String, String)>, ApiError> {
    let data = run::<ProviderList>(provider_list::Variables).await?;
    Ok(data.course_providers.into_iter().map(|p| (p.slug, p.name)).collect())
}

pub async fn add_provider(name: String) -> Result<String, ApiError> {
    Ok(run::<CreateProvider>(create_provider::Variables { name })
        .await?
        .create_course_provider
        .slug)
}

macro_rules! course_input {
    ($module:ident, $form:expr) => {{
        let form = $form;
        let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        $module::CourseInput {
            provider_slug: form.provider_slug.clone(),
            title: form.title.clone(),
            description: form.description.clone(),
            delivery: if form.online {
                $module::CourseDelivery::ONLINE
            } else {
                $module::CourseDelivery::IN_PERSON
            },
            hours: form.hours.clone(),
            cec: optional(&form.cec),
            approved: form.approved,
            public_price: form.public_price.clone(),
            member_price: optional(&form.member_price),
        }
    }};
}

/// Saves a course: `new` creates it, otherwise its fields are replaced.
pub async fn save_course(form: CourseForm, new: bool) -> Result<(), ApiError> {
    if new {
        let input = course_input!(create_course, &form);
        run::<CreateCourse>(create_course::Variables { code: form.code, input }).await?;
    } else {
        let input = course_input!(update_course, &form);
        run::<UpdateCourse>(update_course::Variables { code: form.code, input }).await?;
    }
    Ok(())
}

pub async fn retire_a_course(code: String) -> Result<(), ApiError> {
    run::<RetireCourse>(retire_course::Variables { code }).await?;
    Ok(())
}

/// Adds a workshop; times are the `datetime-local` values, taken as UTC.
pub async fn add_workshop(
    code: String,
    starts_at: &str,
    ends_at: &str,
    location: String,
    capacity: i64,
) -> Result<(), ApiError> {
    let utc = |local: &str| {
        if local.len() == 16 {
            format!("{local}:00Z")
        } else {
            local.to_owned()
        }
    };
    let input = create_workshop::WorkshopInput {
        starts_at: utc(starts_at),
        ends_at: utc(ends_at),
        location,
        capacity,
    };
    run::<CreateWorkshop>(create_workshop::Variables { code, input }).await?;
    Ok(())
}

pub async fn cancel_workshop(id: String) -> Result<(), ApiError> {
    run::<RetireWorkshop>(retire_workshop::Variables { id }).await?;
    Ok(())
}

pub async fn roster_of(code: String) -> Result<Vec<RosterEntry>, ApiError> {
    let data = run::<CourseRoster>(course_roster::Variables { code }).await?;
    Ok(data.course_enrolments.edges.into_iter().map(|e| e.node).collect())
}

pub async fn mark_completed(id: String, on: String) -> Result<(), ApiError> {
    run::<CompleteEnrolment>(complete_enrolment::Variables { id, on }).await?;
    Ok(())
}
