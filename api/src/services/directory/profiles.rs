//! Public profiles: the member's own editor, staff moderation, hiding without losing
//! rank (P6), the phone showcase (P5) and deletion with the profile's files (P7).

use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::db::profiles::PublicProfileRow;
use crate::error::{Error, Result, conflict_on_unique};
use crate::services::accounts;
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::storage::FileKind;
use crate::state::AppState;
use entity::enums::{AuditKind, ProfileStatus};
use entity::{directory_profile, specialty};
use shared::validate::{bounded_text, slug as parse_slug, slugify};

/// What a member types into the profile editor.
pub struct ProfileInput {
    pub slug: Option<String>,
    pub display_name: String,
    pub city: String,
    pub region: String,
    pub country: String,
    pub bio: String,
    pub languages: Vec<String>,
    pub specialties: Vec<String>,
    pub show_phone: bool,
}

/// A profile with its specialties.
pub struct ProfileView {
    pub profile: directory_profile::Model,
    pub specialties: Vec<specialty::Model>,
}

/// Creates or updates the caller's profile. The slug is made from the display name the
/// first time (with a number added when taken) and kept after that unless given.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn save_my_profile(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    input: ProfileInput,
) -> Result<ProfileView> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let display_name = bounded_text("displayName", &input.display_name, 120, true, false)?;
    let city = bounded_text("city", &input.city, 100, true, false)?;
    let region = bounded_text("region", &input.region, 100, false, false)?;
    let country = bounded_text("country", &input.country, 100, true, false)?;
    let bio = bounded_text("bio", &input.bio, 4000, false, true)?;
    let mut languages = Vec::new();
    for language in &input.languages {
        let language = bounded_text("languages", language, 40, false, false)?;
        if !language.is_empty() && !language.contains(',') && !languages.contains(&language) {
            languages.push(language);
        }
    }
    let languages = languages.join(", ");
    if languages.chars().count() > 200 {
        return Err(Error::invalid("languages", "List at most a few languages."));
    }
    let mut wanted: Vec<String> = input.specialties.iter().map(|s| s.trim().to_owned()).collect();
    wanted.sort();
    wanted.dedup();
    if wanted.len() > shared::validate::MAX_PROFILE_SPECIALTIES {
        return Err(Error::invalid(
            "specialties",
            format!(
                "Choose at most {} specialties.",
                shared::validate::MAX_PROFILE_SPECIALTIES
            ),
        ));
    }
    let requested_slug = input.slug.as_deref().map(|s| parse_slug("slug", s)).transpose()?;

    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let txn = write.conn();
    let specialties = db::profiles::specialties_by_slug(txn, &wanted).await?;
    if specialties.len() != wanted.len() {
        return Err(Error::invalid("specialties", "Choose specialties from the list."));
    }
    let existing = db::profiles::find_by_member(txn, me.member_id).await?;
    let slug = match (requested_slug, &existing) {
        (Some(slug), _) => {
            if db::profiles::slug_taken(txn, &slug, me.member_id).await? {
                return Err(Error::Conflict {
                    field: Some("slug"),
                    message: "Another profile already uses this address.".to_owned(),
                });
            }
            slug
        }
        (None, Some(found)) => found.slug.clone(),
        (None, None) => free_slug(txn, &display_name, me.member_id).await?,
    };
    let fields = db::profiles::ProfileFields {
        slug,
        display_name,
        city,
        region,
        country,
        bio,
        languages,
        show_phone: input.show_phone,
    };
    let ids: Vec<i64> = specialties.iter().map(|s| s.id).collect();
    let profile = db::profiles::upsert(txn, me.member_id, fields, &ids, write.now())
        .await
        .map_err(|e| conflict_on_unique(e, "slug", "Another profile already uses this address."))?;
    if existing.is_none() {
        // A new profile shows the member's certification from the start.
        crate::services::certification::refresh_directory(txn, state, me.member_id).await?;
    }
    let detail = if existing.is_some() { "updated" } else { "created" };
    write
        .commit(
            AuditRecord::new(AuditKind::ProfileSaved)
                .about(me.member_id)
                .detail(detail),
        )
        .await?;
    state.typos.forget_all();
    let mut specialties = specialties;
    specialties.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(ProfileView { profile, specialties })
}

async fn free_slug<C: sea_orm::ConnectionTrait>(conn: &C, name: &str, member_id: i64) -> Result<String> {
    let base = match slugify(name) {
        s if s.len() >= 3 => s,
        s => format!("trainer-{s}").trim_end_matches('-').to_owned(),
    };
    for n in 1..1000 {
        let candidate = if n == 1 { base.clone() } else { format!("{base}-{n}") };
        if !db::profiles::slug_taken(conn, &candidate, member_id).await? {
            return Ok(candidate);
        }
    }
    Err(Error::Conflict {
        field: Some("slug"),
        message: "Choose an address for your profile.".to_owned(),
    })
}

/// The caller's own profile (or a member's, for staff), with specialties.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn profile_of(state: &AppState, viewer: &Viewer, member_id: i64) -> Result<Option<ProfileView>> {
    authz::require(viewer, Audience::Owner, member_id)?;
    let Some(profile) = db::profiles::find_by_member(&state.db, member_id).await? else {
        return Ok(None);
    };
    let specialties = db::profiles::specialties_of(&state.db, &[profile.id])
        .await?
        .remove(&profile.id)
        .unwrap_or_default();
    Ok(Some(ProfileView { profile, specialties }))
}

/// The active profile at `slug`; `NOT_FOUND` for a missing or disabled one (P6).
#[tracing::instrument(skip_all)]
pub async fn public_profile(state: &AppState, slug: &str) -> Result<PublicProfileRow> {
    db::profiles::public_by_slug(&state.reads, slug.trim())
        .await?
        .ok_or(Error::NotFound)
}

/// The managed list of specialties.
#[tracing::instrument(skip_all)]
pub async fn specialties(state: &AppState) -> Result<Vec<specialty::Model>> {
    Ok(db::profiles::all_specialties(&state.reads).await?)
}

/// The profile a call acts on: the caller's own, or (staff only) the member numbered `number`.
pub(super) async fn target_profile(
    state: &AppState,
    viewer: &Viewer,
    number: Option<i64>,
) -> Result<(directory_profile::Model, i64)> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let member_id = match number {
        None => me.member_id,
        Some(number) => {
            authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
            db::members::find_by_number(&state.db, number)
                .await?
                .ok_or(Error::NotFound)?
                .id
        }
    };
    let profile = db::profiles::find_by_member(&state.db, member_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((profile, me.member_id))
}

/// Shows or hides the phone number on the public profile (P5).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn set_phone_showcase(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    show: bool,
) -> Result<ProfileView> {
    let (profile, _) = target_profile(state, viewer, None).await?;
    // The flag and the public copy of the phone change together.
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    db::profiles::set_show_phone(write.conn(), profile.id, show, write.now()).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::PhoneShowcaseChanged)
                .about(profile.member_id)
                .detail(if show { "shown" } else { "hidden" }),
        )
        .await?;
    profile_of(state, viewer, profile.member_id)
        .await?
        .ok_or(Error::NotFound)
}

/// Hides (`enabled = false`) or shows a profile. Its search rank is kept (P6).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn set_profile_status(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    number: Option<i64>,
    enabled: bool,
) -> Result<ProfileView> {
    let (profile, _) = target_profile(state, viewer, number).await?;
    let (status, kind) = if enabled {
        (ProfileStatus::Active, AuditKind::ProfileEnabled)
    } else {
        (ProfileStatus::Disabled, AuditKind::ProfileDisabled)
    };
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    db::profiles::set_chosen_status(write.conn(), profile.id, status, write.now()).await?;
    write.commit(AuditRecord::new(kind).about(profile.member_id)).await?;
    state.typos.forget_all();
    profile_of(state, viewer, profile.member_id)
        .await?
        .ok_or(Error::NotFound)
}

/// Deletes a profile and its uploaded files (P7); the member record stays. The owner must
/// re-enter their password (the account's password budget and audit apply); staff name
/// the member instead.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn delete_profile(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    password: Option<String>,
    number: Option<i64>,
) -> Result<()> {
    authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    if number.is_none() {
        accounts::confirm_own_password(state, viewer, meta, password, "deleteProfile").await?;
    }
    let (profile, _) = target_profile(state, viewer, number).await?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    db::search::unindex(write.conn(), profile.id).await?;
    db::profiles::delete(write.conn(), profile.id).await?;
    write
        .commit(AuditRecord::new(AuditKind::ProfileDeleted).about(profile.member_id))
        .await?;
    state.typos.forget_all();
    // The file goes after the rows are gone for good.
    if let Some(file) = profile.photo_file {
        state.storage.remove(FileKind::ProfilePhoto, &file).await;
    }
    Ok(())
}
