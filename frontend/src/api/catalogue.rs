//! The course catalogue (`graphql/catalogue.graphql`).

use super::{ApiError, DateTime, run};

graphql_operations!(
    "graphql/catalogue.graphql",
    PublicCourses,
    MemberCourses,
    CoursePage,
    Enrol,
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
