//! The public certification register.

use super::types::{CertificationCheck, MemberDashboard};
use crate::schema::ContextExt;
use crate::schema::account::query::parse_member_number;
use crate::schema::error::GqlResult;
use crate::services::certification;
use async_graphql::{Context, Object};

#[derive(Default)]
pub struct CertificationQuery;

#[Object]
impl CertificationQuery {
    /// Verifies a trainer's certification, as a client or employer would: the member number
    /// and the last name must both match (the same `NOT_FOUND` answers a wrong name, an
    /// unknown number and a closed account). Answers only the status and the expiry month.
    /// Limited per IP (`RATE_LIMITED`). Audience: public.
    async fn certification_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The member number, e.g. `CPTN-000123`.")] member_number: String,
        #[graphql(desc = "The trainer's last name, as on their certificate (case and accents do not matter).")]
        last_name: String,
    ) -> async_graphql::Result<CertificationCheck> {
        let number = parse_member_number(&member_number).gql()?;
        let found = certification::verify(ctx.state(), ctx.viewer(), ctx.meta(), number.0, &last_name)
            .await
            .gql()?;
        Ok(found.into())
    }

    /// The caller's dashboard in one read: the status and dates of the cycle that counts,
    /// its credit against the requirement, the renewal's fee once asked for, and the
    /// latest 20 ledger entries with the titles of what they credit. Audience: owner.
    async fn my_dashboard(&self, ctx: &Context<'_>) -> async_graphql::Result<MemberDashboard> {
        let dashboard = certification::my_dashboard(ctx.state(), ctx.viewer()).await.gql()?;
        Ok(MemberDashboard(dashboard))
    }
}
