//! Staff catalogue editing.

use super::types::{Course, CourseInput, CourseProvider, Workshop, WorkshopInput};
use crate::schema::error::GqlResult;
use crate::schema::{ContextExt, parse_id};
use crate::services::catalogue;
use async_graphql::{Context, ID, Object};

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

    /// Renames a course provider (its slug stays); its courses are found by the new name.
    /// `CONFLICT` when another provider has the name. Audience: staff.
    async fn update_course_provider(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The provider's slug.")] slug: String,
        #[graphql(desc = "The new name, 1 to 160 characters.")] name: String,
    ) -> async_graphql::Result<CourseProvider> {
        let provider = catalogue::update_provider(ctx.state(), ctx.viewer(), ctx.meta(), &slug, &name)
            .await
            .gql()?;
        Ok(CourseProvider(provider))
    }

    /// Retires a course provider and its current courses: they leave the catalogue and
    /// stay for history. `CONFLICT` when already retired. Audience: staff.
    async fn retire_course_provider(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The provider's slug.")] slug: String,
    ) -> async_graphql::Result<CourseProvider> {
        let provider = catalogue::retire_provider(ctx.state(), ctx.viewer(), ctx.meta(), &slug)
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

    /// Adds a dated session to a current course. Audience: staff.
    async fn create_workshop(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The course's code.")] code: String,
        #[graphql(desc = "The workshop.")] input: WorkshopInput,
    ) -> async_graphql::Result<Workshop> {
        let workshop = catalogue::create_workshop(ctx.state(), ctx.viewer(), ctx.meta(), &code, input.into())
            .await
            .gql()?;
        Ok(Workshop(workshop))
    }

    /// Changes a workshop's dates, place or capacity. `CONFLICT` when the capacity would
    /// fall below the seats taken or the workshop is cancelled. Audience: staff.
    async fn update_workshop(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The workshop's id.")] id: ID,
        #[graphql(desc = "The workshop as it should be.")] input: WorkshopInput,
    ) -> async_graphql::Result<Workshop> {
        let id = parse_id(&id, "id", "No such workshop.")?;
        let workshop = catalogue::update_workshop(ctx.state(), ctx.viewer(), ctx.meta(), id, input.into())
            .await
            .gql()?;
        Ok(Workshop(workshop))
    }

    /// Cancels a workshop; it stays for history. `CONFLICT` when already cancelled.
    /// Audience: staff.
    async fn retire_workshop(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The workshop's id.")] id: ID,
    ) -> async_graphql::Result<Workshop> {
        let id = parse_id(&id, "id", "No such workshop.")?;
        let workshop = catalogue::retire_workshop(ctx.state(), ctx.viewer(), ctx.meta(), id)
            .await
            .gql()?;
        Ok(Workshop(workshop))
    }
}
