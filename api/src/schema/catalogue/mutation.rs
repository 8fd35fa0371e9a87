//! Staff catalogue editing.

use super::types::{Course, CourseInput, CourseProvider};
use crate::schema::ContextExt;
use crate::schema::error::GqlResult;
use crate::services::catalogue;
use async_graphql::{Context, Object};

#[derive(Default)]
pub struct CatalogueMutation;

#[Object]
impl CatalogueMutation {
    /// Adds a course provider; its slug is made from its name. `CONFLICT` when the name is
    /// taken. Audience: staff.
    async fn create_course_provider(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The provider's name, 1 to 160 characters.")] name: String,
    ) -> async_graphql::Result<CourseProvider> {
        let provider = catalogue::create_provider(ctx.state(), ctx.viewer(), ctx.meta(), &name)
            .await
            .gql()?;
        Ok(CourseProvider(provider))
    }

    /// Adds a course to the catalogue. `CONFLICT` on a code in use; `VALIDATION` names the
    /// field that is wrong. Audience: staff.
    async fn create_course(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The catalogue code, 2 to 32 letters, digits and dashes, e.g. `NUT-201`.")] code: String,
        #[graphql(desc = "The course.")] input: CourseInput,
    ) -> async_graphql::Result<Course> {
        let view = catalogue::create_course(ctx.state(), ctx.viewer(), ctx.meta(), &code, input.into())
            .await
            .gql()?;
        Ok(Course(view))
    }

    /// Replaces a course's fields (its code stays). Audience: staff.
    async fn update_course(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The course's code.")] code: String,
        #[graphql(desc = "The course as it should be.")] input: CourseInput,
    ) -> async_graphql::Result<Course> {
        let view = catalogue::update_course(ctx.state(), ctx.viewer(), ctx.meta(), &code, input.into())
            .await
            .gql()?;
        Ok(Course(view))
    }

    /// Retires a course: it leaves the public catalogue and stays for history. `CONFLICT`
    /// when already retired. Audience: staff.
    async fn retire_course(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The course's code.")] code: String,
    ) -> async_graphql::Result<Course> {
        let view = catalogue::retire_course(ctx.state(), ctx.viewer(), ctx.meta(), &code)
            .await
            .gql()?;
        Ok(Course(view))
    }
}
