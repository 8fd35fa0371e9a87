//! Directory queries.

use super::types::{PublicProfile, Specialty};
use crate::schema::ContextExt;
use crate::schema::error::GqlResult;
use crate::services::directory;
use async_graphql::{Context, Object};

#[derive(Default)]
pub struct DirectoryQuery;

/// Directory queries.
#[Object]
impl DirectoryQuery {
    /// A trainer's public profile by its address. `NOT_FOUND` when there is none or it is
    /// disabled. Audience: public.
    async fn profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The profile's slug, e.g. `maya-okafor`.")] slug: String,
    ) -> async_graphql::Result<PublicProfile> {
        Ok(PublicProfile(
            directory::public_profile(ctx.state(), &slug).await.gql()?,
        ))
    }

    /// The managed list of specialties, by name. Audience: public.
    async fn specialties(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Specialty>> {
        let list = directory::specialties(ctx.state()).await.gql()?;
        Ok(list.into_iter().map(Into::into).collect())
    }
}
