//! Subscribing, confirming, unsubscribing; lists and campaigns for staff.

use super::types::{Campaign, MailingList};
use crate::schema::ContextExt;
use crate::schema::error::GqlResult;
use crate::schema::parse_id;
use crate::services::newsletters::{self, campaigns};
use async_graphql::{Context, ID, InputObject, Object};

/// A new newsletter list.
#[derive(InputObject)]
pub struct MailingListInput {
    /// The slug: 3 to 80 of `a-z`, `0-9` and single hyphens.
    pub slug: String,
    /// The name, 1 to 120 characters.
    pub name: String,
    /// What it sends and how often, at most 2,000 characters.
    pub description: String,
    /// The partner it is run for, if any (we send its mail; it never gets addresses).
    pub partner_name: Option<String>,
}

/// A campaign's text.
#[derive(InputObject)]
pub struct CampaignInput {
    /// The list it goes to.
    pub list_slug: String,
    /// The subject, 1 to 200 characters.
    pub subject: String,
    /// The text (plain, links as written), 1 to 50,000 characters.
    pub body: String,
}

#[derive(Default)]
pub struct NewsletterMutation;

#[Object]
impl NewsletterMutation {
    /// Asks to subscribe an address to a list (P17): a confirmation link is mailed to it,
    /// and nothing is sent before it is opened (double opt-in). The request is recorded
    /// with its time, IP and the wording version. Always `true`, whatever the address's
    /// state; limited per IP. Audience: public.
    async fn subscribe(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The list's slug.")] list_slug: String,
        #[graphql(desc = "The address to subscribe.")] email: String,
    ) -> async_graphql::Result<bool> {
        newsletters::subscribe(ctx.state(), ctx.viewer(), ctx.meta(), &list_slug, &email)
            .await
            .gql()?;
        Ok(true)
    }

    /// Confirms a subscription with the token of the link mailed to the address (consent
    /// given, recorded with time and IP). `NOT_FOUND` for an unknown or used token.
    /// Audience: public.
    async fn confirm_subscription(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `token` of the confirmation link.")] token: String,
    ) -> async_graphql::Result<MailingList> {
        let list = newsletters::confirm(ctx.state(), ctx.viewer(), ctx.meta(), &token)
            .await
            .gql()?;
        Ok(MailingList(list))
    }

    /// Unsubscribes with the token of a message's unsubscribe link (no login). Doing it
    /// twice is fine. `NOT_FOUND` for a token we did not make. Audience: public.
    async fn unsubscribe(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The token at the end of the unsubscribe link.")] token: String,
    ) -> async_graphql::Result<MailingList> {
        let list = newsletters::unsubscribe(ctx.state(), ctx.viewer(), ctx.meta(), &token)
            .await
            .gql()?;
        Ok(MailingList(list))
    }

    /// Creates a newsletter list. Audience: staff.
    async fn create_mailing_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The list.")] input: MailingListInput,
    ) -> async_graphql::Result<MailingList> {
        let list = newsletters::create_list(
            ctx.state(),
            ctx.viewer(),
            ctx.meta(),
            newsletters::ListInput {
                slug: input.slug,
                name: input.name,
                description: input.description,
                partner_name: input.partner_name,
            },
        )
        .await
        .gql()?;
        Ok(MailingList(list))
    }

    /// Writes a new campaign draft, or rewrites draft `id` (`CONFLICT` once sent).
    /// Audience: staff.
    async fn save_campaign(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The draft to rewrite; none for a new one.")] id: Option<ID>,
        #[graphql(desc = "The campaign's text.")] input: CampaignInput,
    ) -> async_graphql::Result<Campaign> {
        let id = id.map(|id| parse_id(&id, "id", "Not a campaign id.")).transpose()?;
        let saved = campaigns::save(
            ctx.state(),
            ctx.viewer(),
            ctx.meta(),
            id,
            campaigns::CampaignInput {
                list_slug: input.list_slug,
                subject: input.subject,
                body: input.body,
            },
        )
        .await
        .gql()?;
        Ok(Campaign(saved))
    }

    /// Queues a draft to every confirmed address of its list, each message with its own
    /// one-click unsubscribe link (RFC 8058); the outbox sends them. `CONFLICT` when it
    /// was sent already. Audience: staff.
    async fn send_campaign(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The draft.")] id: ID,
    ) -> async_graphql::Result<Campaign> {
        let id = parse_id(&id, "id", "Not a campaign id.")?;
        let sent = campaigns::send(ctx.state(), ctx.viewer(), ctx.meta(), id).await.gql()?;
        Ok(Campaign(sent))
    }
}
