//! The public catalogue.

use super::types::{Course, CourseConnection, CourseDelivery, CourseProvider};
use crate::schema::ContextExt;
use crate::schema::error::GqlResult;
use crate::schema::pagination::page_request;
use crate::services::catalogue::{self, CatalogueQuery};
use async_graphql::{Context, Object};

#[derive(Default)]
pub struct CourseCatalogueQuery;

#[Object]
impl CourseCatalogueQuery {
    /// Current courses by title, filtered by provider, delivery and approval. Audience: public.
    async fn courses(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this provider's courses (its slug).")] provider: Option<String>,
        #[graphql(desc = "Only courses taught this way.")] delivery: Option<CourseDelivery>,
        #[graphql(desc = "Only approved (`true`) or not approved (`false`) courses.")] approved: Option<bool>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last course of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<CourseConnection> {
        let request = page_request(Course::CURSOR_LIST, first, after.as_deref()).gql()?;
        let page = catalogue::courses(
            ctx.state(),
            CatalogueQuery {
                provider_slug: provider,
                delivery: delivery.map(Into::into),
                approved,
                page: request.clone(),
            },
        )
        .await
        .gql()?;
        Ok(Course::connection(&request, page))
    }

    /// One course by its code; a retired one only for staff. `NOT_FOUND` otherwise.
    /// Audience: public.
    async fn course(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The catalogue code, e.g. `NUT-201`.")] code: String,
    ) -> async_graphql::Result<Course> {
        let view = catalogue::course(ctx.state(), ctx.viewer(), &code).await.gql()?;
        Ok(Course(view))
    }

    /// The current course providers, by name. Audience: public.
    async fn course_providers(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CourseProvider>> {
        let list = catalogue::providers(ctx.state()).await.gql()?;
        Ok(list.into_iter().map(CourseProvider).collect())
    }
}
