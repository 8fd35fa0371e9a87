//! The one guard constructor for GraphQL fields.

use super::Audience;
use crate::auth::Viewer;
use crate::error::Error;
use crate::schema::error::to_graphql;

/// Whose data a field holds.
#[derive(Clone, Copy, Debug, Default)]
pub struct Subject {
    /// The member the data is about.
    pub member_id: Option<i64>,
    /// True when the caller proved to be that member within this very request (the
    /// `login` and `register` payloads, before any token exists): they read as the owner.
    pub proven_in_request: bool,
}

impl From<i64> for Subject {
    fn from(member_id: i64) -> Self {
        Some(member_id).into()
    }
}

impl From<Option<i64>> for Subject {
    fn from(member_id: Option<i64>) -> Self {
        Self {
            member_id,
            proven_in_request: false,
        }
    }
}

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
        let proven_owner = self.subject.proven_in_request && self.audience <= Audience::Owner;
        if proven_owner || self.audience.admits(viewer, self.subject.member_id) {
            Ok(())
        } else if viewer.member_id().is_none() {
            Err(to_graphql(Error::Unauthenticated))
        } else {
            Err(to_graphql(Error::Forbidden))
        }
    }
}
