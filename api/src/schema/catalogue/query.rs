//! The public catalogue.

use super::types::{Course, CourseConnection, CourseDelivery, CourseProvider};
use crate::schema::ContextExt;
use crate::schema::error::GqlResult;
use crate::schema::pagination::{list_for, page_request};
use crate::services::catalogue::{self, CatalogueQuery};
use async_graphql::{Context, Object};

#[derive(Default)]
pub struct CourseCatalogueQuery;

#[Object]
impl CourseCatalogueQuery {
    /// Current courses, filtered by provider, delivery and approval: with `query`, the
    /// best matches first (titles and codes weigh most, then providers, then descriptions;
    /// the last word may be a prefix and small typos are forgiven, as in the directory);
    /// without, by title. Audience: public.
    #[allow(
        clippy::too_many_arguments,
        reason = "each is an argument of the public GraphQL field"
    )]
    async fn courses(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Words to search for, e.g. `nutrition`.")] query: Option<String>,
        #[graphql(desc = "Only this provider's courses (its slug).")] provider: Option<String>,
        #[graphql(desc = "Only courses taught this way.")] delivery: Option<CourseDelivery>,
        #[graphql(desc = "Only approved (`true`) or not approved (`false`) courses.")] approved: Option<bool>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last course of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<CourseConnection> {
        if query.as_deref().is_some_and(|q| q.chars().count() > 200) {
            return Err(crate::error::Error::invalid("query", "Type at most 200 characters.")).gql();
        }
        let approved_text = approved.map(|a| a.to_string());
        let delivery_text = delivery.map(|d| format!("{d:?}"));
        let list = list_for(
            Course::CURSOR_LIST,
            &[
                query.as_deref(),
                provider.as_deref(),
                delivery_text.as_deref(),
                approved_text.as_deref(),
            ],
        );
        let request = page_request(&list, first, after.as_deref()).gql()?;
        let page = catalogue::courses(
            ctx.state(),
            CatalogueQuery {
                text: query,
                provider_slug: provider,
                delivery: delivery.map(Into::into),
                approved,
                page: request.clone(),
            },
        )
        .await
        .gql()?;
        Ok(Course::connection(&list, &request, page))
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
