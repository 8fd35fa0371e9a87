//! Account queries.

use super::types::Member;
use crate::schema::ContextExt;
use crate::schema::error::GqlResult;
use crate::services;
use async_graphql::{Context, Object};
use shared::MemberNumber;

#[derive(Default)]
pub struct AccountQuery;

/// Account queries.
#[Object]
impl AccountQuery {
    /// The logged-in member's own record, or null when the request carries no token.
    /// Audience: owner.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Member>> {
        let found = services::accounts::me(ctx.state(), ctx.viewer()).await.gql()?;
        Ok(found.map(Member::new))
    }

    /// A member looked up by member number (`CPTN-000123`); each lookup is audited.
    /// Audience: staff.
    async fn member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The member number, e.g. `CPTN-000123`.")] member_number: String,
    ) -> async_graphql::Result<Member> {
        let number = parse_member_number(&member_number).gql()?;
        let found = services::accounts::find_by_number(ctx.state(), ctx.viewer(), ctx.meta(), number.0)
            .await
            .gql()?;
        Ok(Member::new(found))
    }
}

pub(crate) fn parse_member_number(raw: &str) -> crate::error::Result<MemberNumber> {
    raw.parse()
        .map_err(|()| crate::error::Error::invalid("memberNumber", "A member number looks like CPTN-000123."))
}
