//! The GraphQL schema: the product integrators and the web app use. One folder per domain
//! (`query.rs`, `mutation.rs`, `types.rs`). Resolvers only translate: they read the viewer
//! and arguments, call a service, and wrap the result in a GraphQL type.
//!
//! Invariant: every field has a `///` doc (the SDL description) naming its audience
//! (`Audience: ...`); every field that carries personal data enforces it with
//! `guard::readable_by`, and every operation through a service's `authz::require`.
//! Invariant: no GraphQL type exposes an entity model directly.

pub mod account;
pub mod audit;
pub mod catalogue;
pub mod certification;
pub mod directory;
pub mod enrolment;
pub mod error;
pub mod guard;
pub mod limits;
pub mod newsletters;
pub mod orders;
pub mod pagination;
pub mod petitions;
pub mod plain;
pub mod privacy;
pub mod security;
pub mod tripwire;

use crate::auth::{RequestMeta, Viewer};
use crate::state::AppState;
use async_graphql::{Context, EmptySubscription, MergedObject, Schema};

/// The root query type.
#[derive(MergedObject, Default)]
pub struct Query(
    account::query::AccountQuery,
    audit::query::AuditQuery,
    catalogue::query::CourseCatalogueQuery,
    certification::query::CertificationQuery,
    directory::query::DirectoryQuery,
    enrolment::query::EnrolmentQuery,
    newsletters::query::NewsletterQuery,
    orders::query::OrderQuery,
    petitions::query::PetitionQuery,
    privacy::query::PrivacyQuery,
    security::query::SecurityQuery,
);

/// The root mutation type.
#[derive(MergedObject, Default)]
pub struct Mutation(
    account::mutation::AccountMutation,
    catalogue::mutation::CatalogueMutation,
    certification::mutation::CertificationMutation,
    directory::mutation::DirectoryMutation,
    enrolment::mutation::EnrolmentMutation,
    newsletters::mutation::NewsletterMutation,
    orders::mutation::OrderMutation,
    petitions::mutation::PetitionMutation,
    privacy::mutation::PrivacyMutation,
    security::mutation::SecurityMutation,
);

pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// Builds the schema. `state` is `None` only for printing the SDL. The depth and alias
/// limits are checked before async-graphql runs (`limits`), where introspection can be
/// told apart.
pub fn build(state: Option<AppState>) -> AppSchema {
    let mut builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription);
    if let Some(state) = state {
        builder = builder.data(state);
    }
    builder.finish()
}

/// The schema in SDL, as committed in `docs/schema.graphql`.
pub fn sdl() -> String {
    build(None).sdl()
}

/// Request-scoped context accessors.
pub(crate) trait ContextExt {
    fn state(&self) -> &AppState;
    fn viewer(&self) -> &Viewer;
    fn meta(&self) -> &RequestMeta;
}

static ANONYMOUS: Viewer = Viewer::Anonymous;

impl ContextExt for Context<'_> {
    fn state(&self) -> &AppState {
        // The schema used for serving is always built with state (`build(Some(..))`).
        self.data_unchecked::<AppState>()
    }

    fn viewer(&self) -> &Viewer {
        self.data_opt::<Viewer>().unwrap_or(&ANONYMOUS)
    }

    fn meta(&self) -> &RequestMeta {
        static NONE: RequestMeta = RequestMeta {
            ip: None,
            user_agent: None,
        };
        self.data_opt::<RequestMeta>().unwrap_or(&NONE)
    }
}

/// A row id from its GraphQL form; `VALIDATION` on `field` otherwise.
pub(crate) fn parse_id(id: &async_graphql::ID, field: &'static str, message: &str) -> async_graphql::Result<i64> {
    use crate::schema::error::GqlResult;
    id.parse::<i64>()
        .map_err(|_| crate::error::Error::invalid(field, message))
        .gql()
}
