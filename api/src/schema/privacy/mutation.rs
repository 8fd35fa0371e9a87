//! Recording page views.

use crate::schema::ContextExt;
use crate::schema::error::GqlResult;
use crate::services::privacy::page_views;
use async_graphql::{Context, Object};

#[derive(Default)]
pub struct PrivacyMutation;

#[Object]
impl PrivacyMutation {
    /// Records that the caller's web app showed page `path` (P14): time, IP, the member
    /// when logged in, and the path without its query string or fragment. Kept for
    /// `CPTN_LOG_RETENTION_MONTHS` (12). Always `true`. Audience: public.
    async fn record_page_view(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The page's path, starting with `/`, at most 300 characters.")] path: String,
    ) -> async_graphql::Result<bool> {
        page_views::record_page_view(ctx.state(), ctx.viewer(), ctx.meta(), &path)
            .await
            .gql()?;
        Ok(true)
    }
}
