//! The one guard constructor for GraphQL fields.

use super::Audience;
use crate::auth::Viewer;
use crate::error::Error;
use crate::schema::error::to_graphql;

/// Refuses the field unless the viewer belongs to `audience` for data owned by `owner`.
pub struct AudienceGuard {
    audience: Audience,
    owner: Option<i64>,
}

/// `#[graphql(guard = "readable_by(Audience::Owner, self.member_id)")]`
pub fn readable_by(audience: Audience, owner: impl Into<Option<i64>>) -> AudienceGuard {
    AudienceGuard {
        audience,
        owner: owner.into(),
    }
}

impl async_graphql::Guard for AudienceGuard {
    async fn check(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<()> {
        let viewer = ctx.data_opt::<Viewer>().unwrap_or(&Viewer::Anonymous);
        if self.audience.admits(viewer, self.owner) {
            Ok(())
        } else if viewer.member_id().is_none() {
            Err(to_graphql(Error::Unauthenticated))
        } else {
            Err(to_graphql(Error::Forbidden))
        }
    }
}
