//! Directory mutations: the member's profile and photo, and the contact relay.

use super::types::{MyProfile, ProfileInput};
use crate::schema::ContextExt;
use crate::schema::account::query::parse_member_number;
use crate::schema::error::GqlResult;
use crate::services::directory::{self, ContactMessage};
use crate::services::storage::FileKind;
use async_graphql::{Context, Object, Upload};
use std::io::Read;

#[derive(Default)]
pub struct DirectoryMutation;

fn parse_optional_number(raw: Option<&str>) -> async_graphql::Result<Option<i64>> {
    Ok(raw.map(parse_member_number).transpose().gql()?.map(|n| n.0))
}

/// Directory mutations.
#[Object]
impl DirectoryMutation {
    /// Creates or updates the caller's public profile. Audience: owner.
    async fn save_my_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The profile as the editor shows it.")] input: ProfileInput,
    ) -> async_graphql::Result<MyProfile> {
        let input = directory::ProfileInput {
            slug: input.slug,
            display_name: input.display_name,
            city: input.city,
            region: input.region,
            country: input.country,
            bio: input.bio,
            languages: input.languages,
            specialties: input.specialties,
            show_phone: input.show_phone,
        };
        let view = directory::save_my_profile(ctx.state(), ctx.viewer(), ctx.meta(), input)
            .await
            .gql()?;
        Ok(MyProfile(view))
    }

    /// Shows or hides the record's phone number on the caller's public profile (P5).
    /// Audience: owner.
    async fn set_phone_showcase(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "True to show the phone number to everyone.")] show: bool,
    ) -> async_graphql::Result<MyProfile> {
        let view = directory::set_phone_showcase(ctx.state(), ctx.viewer(), ctx.meta(), show)
            .await
            .gql()?;
        Ok(MyProfile(view))
    }

    /// Replaces the caller's profile photo. Send it with the GraphQL multipart request
    /// spec; PNG, JPEG or WebP (judged by content), at most 5 MiB. Audience: owner.
    async fn upload_profile_photo(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The image file.")] file: Upload,
    ) -> async_graphql::Result<MyProfile> {
        let mut bytes = Vec::new();
        let value = file.value(ctx)?;
        let limit = FileKind::ProfilePhoto.max_bytes() as u64 + 1;
        value.into_read().take(limit).read_to_end(&mut bytes)?;
        let view = directory::set_photo(ctx.state(), ctx.viewer(), ctx.meta(), bytes)
            .await
            .gql()?;
        Ok(MyProfile(view))
    }

    /// Hides a profile from search and its page, keeping its search rank (P6).
    /// Audience: owner; staff with `memberNumber`.
    async fn disable_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Staff only: the member whose profile to hide.")] member_number: Option<String>,
    ) -> async_graphql::Result<MyProfile> {
        let number = parse_optional_number(member_number.as_deref())?;
        let view = directory::set_profile_status(ctx.state(), ctx.viewer(), ctx.meta(), number, false)
            .await
            .gql()?;
        Ok(MyProfile(view))
    }

    /// Lists a hidden profile again, at the rank it had. Audience: owner; staff with
    /// `memberNumber`.
    async fn enable_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Staff only: the member whose profile to show.")] member_number: Option<String>,
    ) -> async_graphql::Result<MyProfile> {
        let number = parse_optional_number(member_number.as_deref())?;
        let view = directory::set_profile_status(ctx.state(), ctx.viewer(), ctx.meta(), number, true)
            .await
            .gql()?;
        Ok(MyProfile(view))
    }

    /// Deletes a profile and its uploaded files for good (P7); the member record stays.
    /// Audience: owner (with password); staff with `memberNumber`.
    async fn delete_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The owner's password, to confirm.")] password: Option<String>,
        #[graphql(desc = "Staff only: the member whose profile to delete.")] member_number: Option<String>,
    ) -> async_graphql::Result<bool> {
        let number = parse_optional_number(member_number.as_deref())?;
        directory::delete_profile(ctx.state(), ctx.viewer(), ctx.meta(), password, number)
            .await
            .gql()?;
        Ok(true)
    }

    /// Sends a message to a trainer through the relay: it is e-mailed to them with your
    /// address as `Reply-To` and your IP address in it (P13), without revealing their
    /// address to you (P4). Limited per IP (`RATE_LIMITED`). Audience: public.
    async fn contact_trainer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The trainer's profile slug.")] profile_slug: String,
        #[graphql(desc = "Your name.")] sender_name: String,
        #[graphql(desc = "Your e-mail address, for the trainer's reply.")] sender_email: String,
        #[graphql(desc = "The message, at most 5,000 characters.")] message: String,
    ) -> async_graphql::Result<bool> {
        let input = ContactMessage {
            profile_slug,
            sender_name,
            sender_email,
            message,
        };
        directory::contact_trainer(ctx.state(), ctx.viewer(), ctx.meta(), input)
            .await
            .gql()?;
        Ok(true)
    }
}
