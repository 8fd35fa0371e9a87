//! The GraphQL side of `authz`: the one guard constructor for fields. It asks
//! `authz::allows`, the same check the services use.

use crate::auth::Viewer;
use crate::authz::{self, Audience, Subject};
use crate::error::Error;
use crate::schema::error::to_graphql;

/// Refuses the field unless the viewer belongs to `audience` for data of `subject`.
pub struct AudienceGuard {
    audience: Audience,
    subject: Subject,
}

/// `#[graphql(guard = "readable_by(Audience::Owner, self.member_id)")]`
pub fn readable_by(audience: Audience, subject: impl Into<Subject>) -> AudienceGuard {
    AudienceGuard {
        audience,
        subject: subject.into(),
    }
}

impl async_graphql::Guard for AudienceGuard {
    async fn check(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<()> {
        let viewer = ctx.data_opt::<Viewer>().unwrap_or(&Viewer::Anonymous);
        if authz::allows(viewer, self.audience, self.subject) {
            Ok(())
        } else if viewer.member_id().is_none() {
            Err(to_graphql(Error::Unauthenticated))
        } else {
            Err(to_graphql(Error::Forbidden))
        }
    }
}
