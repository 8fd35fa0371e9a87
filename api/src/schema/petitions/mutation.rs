//! Filing a petition, answering staff, and the staff's decisions.

use super::types::{Petition, PetitionInput};
use crate::schema::error::GqlResult;
use crate::schema::{ContextExt, parse_id};
use crate::services::petitions;
use crate::services::storage::FileKind;
use async_graphql::{Context, ID, Object, Upload};
use std::io::Read;

#[derive(Default)]
pub struct PetitionMutation;

fn petition_id(id: &ID) -> async_graphql::Result<i64> {
    parse_id(id, "petitionId", "No such petition.")
}

#[Object]
impl PetitionMutation {
    /// Files a petition for credit from a course that is not approved, with its evidence
    /// (send it with the GraphQL multipart request spec: PDF, PNG or JPEG judged by
    /// content, at most 10 MiB). The review fee is owed at once; the petition reaches the
    /// staff queue when it is paid. Audience: member.
    async fn file_petition(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The course and the credit asked for.")] input: PetitionInput,
        #[graphql(desc = "A certificate or transcript.")] evidence: Upload,
    ) -> async_graphql::Result<Petition> {
        let mut bytes = Vec::new();
        let limit = FileKind::PetitionEvidence.max_bytes() as u64 + 1;
        evidence.value(ctx)?.into_read().take(limit).read_to_end(&mut bytes)?;
        let input = petitions::PetitionInput {
            title: input.title,
            provider_name: input.provider_name,
            completed_on: input.completed_on,
            hours: input.hours,
            requested_cec: input.requested_cec,
        };
        let view = petitions::file(ctx.state(), ctx.viewer(), ctx.meta(), input, &bytes)
            .await
            .gql()?;
        Ok(Petition(view))
    }

    /// Answers staff's question on the caller's petition; it returns to the queue.
    /// `CONFLICT` when no question is waiting. Audience: owner.
    async fn answer_petition(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The petition's id.")] petition_id: ID,
        #[graphql(desc = "The answer, 1 to 4000 characters.")] answer: String,
    ) -> async_graphql::Result<Petition> {
        let id = self::petition_id(&petition_id)?;
        let view = petitions::answer(ctx.state(), ctx.viewer(), ctx.meta(), id, &answer)
            .await
            .gql()?;
        Ok(Petition(view))
    }

    /// Approves a petition in the queue, for the credit asked or less; the credit goes to
    /// the member's ledger for the cycle of the completion date, and they are e-mailed.
    /// Audience: staff.
    async fn approve_petition(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The petition's id.")] petition_id: ID,
        #[graphql(desc = "The credit granted, e.g. `\"0.5\"`; omitted: what was asked.")] granted_cec: Option<String>,
    ) -> async_graphql::Result<Petition> {
        let id = self::petition_id(&petition_id)?;
        let view = petitions::approve(ctx.state(), ctx.viewer(), ctx.meta(), id, granted_cec.as_deref())
            .await
            .gql()?;
        Ok(Petition(view))
    }

    /// Rejects a petition in the queue; the member is e-mailed the reason. Audience: staff.
    async fn reject_petition(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The petition's id.")] petition_id: ID,
        #[graphql(desc = "Why, 1 to 2000 characters; the member reads it.")] reason: String,
    ) -> async_graphql::Result<Petition> {
        let id = self::petition_id(&petition_id)?;
        let view = petitions::reject(ctx.state(), ctx.viewer(), ctx.meta(), id, &reason)
            .await
            .gql()?;
        Ok(Petition(view))
    }

    /// Asks the member for more information on a petition in the queue (e-mailed to them);
    /// it leaves the queue until they answer. Audience: staff.
    async fn ask_petition_information(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The petition's id.")] petition_id: ID,
        #[graphql(desc = "The question, 1 to 2000 characters.")] question: String,
    ) -> async_graphql::Result<Petition> {
        let id = self::petition_id(&petition_id)?;
        let view = petitions::ask_information(ctx.state(), ctx.viewer(), ctx.meta(), id, &question)
            .await
            .gql()?;
        Ok(Petition(view))
    }
}
