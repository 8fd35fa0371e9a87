//! Newsletter types.

use crate::page::{Page, PageRequest};
use crate::schema::ContextExt;
use crate::schema::pagination::plain_connection;
use crate::services::newsletters::{self, MySubscription};
use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{campaign, consent_event, mailing_list};

/// A mailing list row.
pub struct MailingList(pub mailing_list::Model);

/// A newsletter list. Audience: public.
#[Object]
impl MailingList {
    /// Its slug, e.g. `monthly-news`. Audience: public.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// Its name. Audience: public.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What it sends and how often. Audience: public.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The partner it is run for, if any: we send its mail, it never receives addresses.
    /// Audience: public.
    async fn partner_name(&self) -> Option<&str> {
        self.0.partner_name.as_deref()
    }

    /// What a subscriber agrees to, shown on the form and recorded with its version.
    /// Audience: public.
    async fn consent_wording(&self) -> String {
        newsletters::consent_wording(&self.0)
    }

    /// The version of the wording recorded with each consent. Audience: public.
    async fn wording_version(&self) -> &'static str {
        newsletters::WORDING_VERSION
    }
}

/// Where a subscription stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::SubscriptionStatus")]
pub enum SubscriptionStatus {
    /// Waiting for the address to confirm.
    Pending,
    /// Confirmed: receives the list's campaigns.
    Confirmed,
    /// Unsubscribed.
    Unsubscribed,
}

/// What a consent record records.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::ConsentAction")]
pub enum ConsentAction {
    /// Subscription asked for.
    Requested,
    /// Consent given (the address confirmed).
    Confirmed,
    /// Consent withdrawn (unsubscribed).
    Unsubscribed,
}

/// One consent record: the evidence of a request, a confirmation or an unsubscription.
/// Audience: owner.
#[derive(SimpleObject)]
pub struct ConsentRecord {
    /// What happened. Audience: owner.
    pub action: ConsentAction,
    /// When (UTC). Audience: owner.
    pub at: DateTime<Utc>,
    /// From which IP address. Audience: owner.
    pub ip: Option<String>,
    /// The version of the wording agreed to. Audience: owner.
    pub wording_version: String,
}

impl From<consent_event::Model> for ConsentRecord {
    fn from(c: consent_event::Model) -> Self {
        Self {
            action: c.action.into(),
            at: c.occurred_at,
            ip: c.ip,
            wording_version: c.wording_version,
        }
    }
}

/// A subscription with its list and consent records.
pub struct Subscription(pub MySubscription);

/// One of the caller's newsletter subscriptions. Audience: owner.
#[Object]
impl Subscription {
    /// The list. Audience: owner.
    async fn list(&self) -> MailingList {
        MailingList(self.0.list.clone())
    }

    /// The address subscribed. Audience: owner.
    async fn email(&self) -> &str {
        &self.0.subscription.email
    }

    /// Where it stands. Audience: owner.
    async fn status(&self) -> SubscriptionStatus {
        self.0.subscription.status.into()
    }

    /// Its consent history, oldest first. Audience: owner.
    async fn consent_history(&self) -> Vec<ConsentRecord> {
        self.0.consent.iter().cloned().map(Into::into).collect()
    }

    /// The token that unsubscribes it (`unsubscribe(token:)`). Audience: owner.
    async fn unsubscribe_token(&self) -> &str {
        &self.0.unsubscribe_token
    }
}

/// Where a campaign stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::CampaignStatus")]
pub enum CampaignStatus {
    /// Being written.
    Draft,
    /// Queued to every confirmed address.
    Queued,
}

/// A campaign row.
pub struct Campaign(pub campaign::Model);

impl Campaign {
    pub const CURSOR_LIST: &'static str = "campaigns";

    pub fn connection(request: &PageRequest<i64>, page: Page<campaign::Model>) -> CampaignConnection {
        plain_connection(Self::CURSOR_LIST, request, page, |c| c.id, Campaign)
    }
}

/// A page of campaigns.
pub type CampaignConnection = Connection<String, Campaign>;

/// A newsletter campaign. Audience: staff.
#[Object]
impl Campaign {
    /// Its id. Audience: staff.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The list it goes to. Audience: staff.
    async fn list(&self, ctx: &Context<'_>) -> async_graphql::Result<MailingList> {
        use crate::schema::error::GqlResult;
        let list = newsletters::campaigns::list_of(ctx.state(), &self.0).await.gql()?;
        Ok(MailingList(list))
    }

    /// Its subject. Audience: staff.
    async fn subject(&self) -> &str {
        &self.0.subject
    }

    /// Its text (plain). Audience: staff.
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// Draft or queued. Audience: staff.
    async fn status(&self) -> CampaignStatus {
        self.0.status.into()
    }

    /// How many messages were queued. Audience: staff.
    async fn recipients(&self) -> i32 {
        self.0.recipients
    }

    /// When it was queued (UTC). Audience: staff.
    async fn queued_at(&self) -> Option<DateTime<Utc>> {
        self.0.queued_at
    }

    /// When it was last changed (UTC). Audience: staff.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
