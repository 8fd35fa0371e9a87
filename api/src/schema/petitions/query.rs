//! One petition, and the staff queue.

use super::types::{Petition, PetitionConnection, PetitionStatus};
use crate::schema::error::GqlResult;
use crate::schema::pagination::page_request;
use crate::schema::{ContextExt, parse_id};
use crate::services::petitions;
use async_graphql::{Context, ID, Object};

#[derive(Default)]
pub struct PetitionQuery;

#[Object]
impl PetitionQuery {
    /// One petition: the caller's own, or anyone's for staff; `NOT_FOUND` otherwise.
    /// Audience: owner, staff.
    async fn petition(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The petition's id.")] id: ID,
    ) -> async_graphql::Result<Petition> {
        let id = parse_id(&id, "id", "No such petition.")?;
        let view = petitions::petition(ctx.state(), ctx.viewer(), id).await.gql()?;
        Ok(Petition(view))
    }

    /// The petitions in one state, oldest first: by default the review queue
    /// (`IN_REVIEW`). Audience: staff.
    async fn petition_queue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which petitions (default: those waiting for review).")] status: Option<PetitionStatus>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last petition of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<PetitionConnection> {
        let request = page_request(Petition::CURSOR_LIST, first, after.as_deref()).gql()?;
        let status = status.map_or(entity::enums::PetitionStatus::InReview, Into::into);
        let page = petitions::queue(ctx.state(), ctx.viewer(), status, request)
            .await
            .gql()?;
        Ok(Petition::connection(&request, page))
    }
}
