//! Enrolling, and recording completion.

use super::types::Enrolment;
use crate::schema::error::GqlResult;
use crate::schema::{ContextExt, parse_id};
use crate::services::enrolment;
use async_graphql::{Context, ID, Object};

#[derive(Default)]
pub struct EnrolmentMutation;

#[Object]
impl EnrolmentMutation {
    /// Enrols the caller in a course, in one of its workshops when given (an in-person
    /// course needs one). The fee, at the member price when there is one, is owed at once
    /// and the seat held meanwhile. `CONFLICT` when already enrolled in the course or when
    /// no seat is left. Audience: member.
    async fn enrol(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The course's code, e.g. `NUT-201`.")] course: String,
        #[graphql(desc = "One of the course's workshops.")] workshop: Option<ID>,
    ) -> async_graphql::Result<Enrolment> {
        let workshop = match workshop {
            Some(id) => Some(parse_id(&id, "workshop", "This course has no such workshop.")?),
            None => None,
        };
        let view = enrolment::enrol(ctx.state(), ctx.viewer(), ctx.meta(), &course, workshop)
            .await
            .gql()?;
        Ok(Enrolment(view))
    }

    /// Records that the enrolled member completed the course; an approved course credits
    /// their ledger once. `CONFLICT` when the fee is unpaid or completion is already
    /// recorded. Audience: staff; a provider account for its own provider's courses.
    async fn complete_enrolment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The enrolment's id.")] enrolment_id: ID,
        #[graphql(desc = "The day the course was completed (not in the future).")] completed_on: chrono::NaiveDate,
    ) -> async_graphql::Result<Enrolment> {
        let id = parse_id(&enrolment_id, "enrolmentId", "No such enrolment.")?;
        let view = enrolment::complete(ctx.state(), ctx.viewer(), ctx.meta(), id, completed_on)
            .await
            .gql()?;
        Ok(Enrolment(view))
    }
}
