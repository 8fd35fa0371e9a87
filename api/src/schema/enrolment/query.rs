//! Who is enrolled in a course.

use super::types::{Enrolment, EnrolmentConnection};
use crate::schema::ContextExt;
use crate::schema::error::GqlResult;
use crate::schema::pagination::page_request;
use crate::services::enrolment;
use async_graphql::{Context, Object};

#[derive(Default)]
pub struct EnrolmentQuery;

#[Object]
impl EnrolmentQuery {
    /// The enrolments in a course, oldest first. Audience: staff; a provider account for
    /// its own provider's courses.
    async fn course_enrolments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The course's code.")] course: String,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last enrolment of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<EnrolmentConnection> {
        let request = page_request(Enrolment::CURSOR_LIST, first, after.as_deref()).gql()?;
        let page = enrolment::enrolments_of_course(ctx.state(), ctx.viewer(), &course, request)
            .await
            .gql()?;
        Ok(Enrolment::connection(&request, page))
    }
}
