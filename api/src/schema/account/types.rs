//! GraphQL types of the private member record.

use crate::authz::{Audience, Subject};
use crate::schema::ContextExt;
use crate::schema::audit::types::{AuditEvent, AuditEventConnection};
use crate::schema::certification::types::{CecEntry, CecEntryConnection, Certification};
use crate::schema::directory::types::MyProfile;
use crate::schema::enrolment::types::{Enrolment, EnrolmentConnection};
use crate::schema::error::GqlResult;
use crate::schema::guard::readable_by;
use crate::schema::pagination::page_request;
use crate::schema::petitions::types::{Petition, PetitionConnection};
use crate::services;
use crate::services::audit::Actor;
use async_graphql::{Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::member;
use shared::MemberNumber;

pub struct Member {
    model: member::Model,
    /// Set for the `login` payload: the caller just proved to be this member.
    proven_in_request: bool,
}

impl Member {
    /// A member record as read by the viewer of this request.
    pub fn new(model: member::Model) -> Self {
        Self {
            model,
            proven_in_request: false,
        }
    }

    /// The record of the member who just logged in in this request.
    pub fn of_caller(model: member::Model) -> Self {
        Self {
            model,
            proven_in_request: true,
        }
    }

    fn subject(&self) -> Subject {
        Subject {
            member_id: Some(self.model.id),
            proven_in_request: self.proven_in_request,
            course_provider_id: None,
        }
    }
}

/// What a member may do.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "shared::Role")]
pub enum MemberRole {
    /// A trainer: manages their own record and profile.
    Member,
    /// A member account linked to one course provider: also marks completion of that
    /// provider's courses (`linkCourseProvider`).
    Provider,
    /// Staff: handles orders, petitions, data requests and account problems.
    Staff,
    /// Admin: everything staff does, plus roles and retention settings.
    Admin,
}

/// Whether the account can log in.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::MemberStatus")]
pub enum MemberStatus {
    /// Can log in (once its e-mail address is confirmed).
    Active,
    /// Cannot log in; every session was ended and every public trace hidden when it was
    /// disabled.
    Disabled,
}

/// A member's private record. Reachable only by the member (`me`) and by staff; every
/// field is guarded on the server.
#[Object]
impl Member {
    /// The permanent member number, e.g. `CPTN-000123`; never reused.
    /// Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn member_number(&self) -> String {
        MemberNumber(self.model.member_number).to_string()
    }

    /// E-mail address used to log in. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn email(&self) -> &str {
        &self.model.email
    }

    /// Whether the member confirmed the e-mail address (an account logs in only then).
    /// Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn email_confirmed(&self) -> bool {
        self.model.email_confirmed_at.is_some()
    }

    /// Legal name, as on certificates. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn legal_name(&self) -> &str {
        &self.model.legal_name
    }

    /// What the member may do. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn role(&self) -> MemberRole {
        self.model.role.into()
    }

    /// Whether the account can log in. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn status(&self) -> MemberStatus {
        self.model.status.into()
    }

    /// When the account was created (UTC). Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }

    /// Phone number; shown publicly only while the profile showcases it.
    /// Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn phone(&self) -> Option<&str> {
        self.model.phone.as_deref()
    }

    /// Postal address. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn address(&self) -> MemberAddress {
        MemberAddress {
            street_address: self.model.street_address.clone(),
            city: self.model.address_city.clone(),
            region: self.model.address_region.clone(),
            postal_code: self.model.postal_code.clone(),
            country: self.model.address_country.clone(),
        }
    }

    /// Date of birth. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn date_of_birth(&self) -> Option<chrono::NaiveDate> {
        self.model.date_of_birth
    }

    /// The member's directory profile with its settings, if they made one.
    /// Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn profile(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<Option<MyProfile>> {
        let view = services::directory::profile_of(ctx.state(), ctx.viewer(), self.model.id)
            .await
            .gql()?;
        Ok(view.map(MyProfile))
    }

    /// Every login attempt on this account, newest first: successes, wrong passwords,
    /// attempts while disabled, unconfirmed or rate-limited, with time, IP and browser.
    /// Staff reading another member's history is audited. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn login_history(
        &self,
        ctx: &async_graphql::Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last event of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<AuditEventConnection> {
        let request = page_request(AuditEvent::CURSOR_LIST, first, after.as_deref()).gql()?;
        let state = ctx.state();
        let actor = Actor::new(ctx.viewer(), ctx.meta(), state.now());
        let page = services::audit::login_history(&state.db, ctx.viewer(), &actor, self.model.id, request)
            .await
            .gql()?;
        Ok(AuditEvent::connection(&request, page))
    }

    /// The member's certification: status, the cycle that counts, its credit.
    /// Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn certification(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<Certification> {
        let view = services::certification::certification_of(ctx.state(), ctx.viewer(), self.model.id)
            .await
            .gql()?;
        Ok(Certification(view))
    }

    /// The member's continuing-education credit ledger, newest first. Staff reading
    /// another member's ledger is audited. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn ledger(
        &self,
        ctx: &async_graphql::Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last entry of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<CecEntryConnection> {
        let request = page_request(CecEntry::CURSOR_LIST, first, after.as_deref()).gql()?;
        let page = services::certification::ledger_of(ctx.state(), ctx.viewer(), ctx.meta(), self.model.id, request)
            .await
            .gql()?;
        Ok(CecEntry::connection(&request, page))
    }

    /// The member's enrolments in courses and workshops, newest first.
    /// Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn enrolments(
        &self,
        ctx: &async_graphql::Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last enrolment of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<EnrolmentConnection> {
        let request = page_request(Enrolment::CURSOR_LIST, first, after.as_deref()).gql()?;
        let page = services::enrolment::enrolments_of_member(ctx.state(), ctx.viewer(), self.model.id, request)
            .await
            .gql()?;
        Ok(Enrolment::connection(&request, page))
    }

    /// The member's petitions for credit, newest first. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn petitions(
        &self,
        ctx: &async_graphql::Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last petition of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<PetitionConnection> {
        let request = page_request(Petition::CURSOR_LIST, first, after.as_deref()).gql()?;
        let page = services::petitions::petitions_of_member(ctx.state(), ctx.viewer(), self.model.id, request)
            .await
            .gql()?;
        Ok(Petition::connection(&request, page))
    }

    /// The member's orders (their cart included), newest first, with receipts.
    /// Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.subject())")]
    async fn orders(
        &self,
        ctx: &async_graphql::Context<'_>,
        #[graphql(desc = "Page size, 1 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last order of the previous page.")] after: Option<String>,
    ) -> async_graphql::Result<crate::schema::orders::types::OrderConnection> {
        use crate::schema::orders::types::Order;
        let request = page_request(Order::CURSOR_LIST, first, after.as_deref()).gql()?;
        let page = services::orders::orders_of_member(ctx.state(), ctx.viewer(), self.model.id, request)
            .await
            .gql()?;
        Ok(Order::connection(&request, page))
    }
}

/// A new account.
#[derive(InputObject)]
pub struct RegisterInput {
    /// E-mail address; unique, compared case-insensitively.
    pub email: String,
    /// 8 to 128 characters; common passwords are refused.
    pub password: String,
    /// Legal name, as it should appear on certificates.
    pub legal_name: String,
}

/// The answer to `register` and `resendConfirmation`: the same whatever the address, so
/// that it tells nobody which addresses have accounts.
#[derive(SimpleObject)]
pub struct CheckYourInbox {
    /// Always true: the request was taken. Audience: public.
    pub accepted: bool,
    /// What to tell the person: look for our e-mail. Audience: public.
    pub message: String,
}

impl Default for CheckYourInbox {
    fn default() -> Self {
        Self {
            accepted: true,
            message: "Check your inbox: we sent a message to this address. Follow the link in it to confirm \
                      your address, then log in."
                .to_owned(),
        }
    }
}

/// A session: the access token to send as `Authorization: Bearer <token>`.
#[derive(SimpleObject)]
pub struct LoginPayload {
    /// The access token (JWT). Keep it in memory or `sessionStorage`, never in a cookie.
    /// Audience: the member who logged in.
    pub token: String,
    /// When the token stops working (15 minutes); call `renewToken` before then.
    /// Audience: the member who logged in.
    pub expires_at: DateTime<Utc>,
    /// The member who logged in. Audience: owner.
    pub member: Member,
}

impl From<services::accounts::SignedIn> for LoginPayload {
    fn from(signed: services::accounts::SignedIn) -> Self {
        Self {
            token: signed.token.token,
            expires_at: signed.token.expires_at,
            member: Member::of_caller(signed.member),
        }
    }
}

/// The private contact fields of the member record; every field is replaced, and an
/// omitted or empty one is cleared.
#[derive(InputObject, Default)]
pub struct MemberRecordInput {
    /// Phone number, 7 to 15 digits.
    pub phone: Option<String>,
    /// Street and number.
    pub street_address: Option<String>,
    /// City of the postal address.
    pub city: Option<String>,
    /// Province or region of the postal address.
    pub region: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Country of the postal address.
    pub country: Option<String>,
    /// Date of birth.
    pub date_of_birth: Option<chrono::NaiveDate>,
}

/// A postal address from the member record. Audience: owner, staff.
#[derive(SimpleObject)]
pub struct MemberAddress {
    /// Street and number. Audience: owner, staff.
    pub street_address: Option<String>,
    /// City. Audience: owner, staff.
    pub city: Option<String>,
    /// Province or region. Audience: owner, staff.
    pub region: Option<String>,
    /// Postal code. Audience: owner, staff.
    pub postal_code: Option<String>,
    /// Country. Audience: owner, staff.
    pub country: Option<String>,
}
