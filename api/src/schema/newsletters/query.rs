//! Reading lists, one's subscriptions and campaigns.

use super::types::{Campaign, CampaignConnection, MailingList, Subscription};
use crate::schema::ContextExt;
use crate::schema::error::GqlResult;
use crate::schema::pagination::page_request;
use crate::services::newsletters::{self, campaigns};
use async_graphql::{Context, Object};

#[derive(Default)]
pub struct NewsletterQuery;

#[Object]
impl NewsletterQuery {
    /// The newsletter lists open to subscription, by name. Audience: public.
    async fn mailing_lists(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<MailingList>> {
        let lists = newsletters::lists(ctx.state()).await.gql()?;
        Ok(lists.into_iter().map(MailingList).collect())
    }

    /// The caller's subscriptions (their address's), with their consent history.
    /// Audience: member (their own).
    async fn my_subscriptions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Subscription>> {
        let mine = newsletters::my_subscriptions(ctx.state(), ctx.viewer()).await.gql()?;
        Ok(mine.into_iter().map(Subscription).collect())
    }

    /// Newsletter campaigns, newest first. Audience: staff.
    async fn campaigns(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last campaign of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<CampaignConnection> {
        let request = page_request(Campaign::CURSOR_LIST, first, after.as_deref()).gql()?;
        let page = campaigns::campaigns(ctx.state(), ctx.viewer(), request).await.gql()?;
        Ok(Campaign::connection(&request, page))
    }

    /// A campaign as a subscriber will read it (sample address and link), before it is
    /// saved or sent. Audience: staff.
    async fn campaign_preview(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The list's slug.")] list_slug: String,
        #[graphql(desc = "The subject.")] subject: String,
        #[graphql(desc = "The text.")] body: String,
    ) -> async_graphql::Result<String> {
        campaigns::preview(
            ctx.state(),
            ctx.viewer(),
            campaigns::CampaignInput {
                list_slug,
                subject,
                body,
            },
        )
        .await
        .gql()
    }
}
