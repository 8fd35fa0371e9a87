//! Profile photos: stored through `services::storage` (random names, sniffed types, 5 MiB),
//! served only while the profile is public.

use super::profiles::{ProfileView, profile_of, target_profile};
use crate::auth::{RequestMeta, Viewer};
use crate::db;
use crate::error::{Error, Result};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::storage::{ContentType, FileKind};
use crate::state::AppState;
use entity::enums::AuditKind;

/// Stores a new profile photo and replaces the old one (whose file is removed after the
/// commit). PNG, JPEG or WebP by content, at most 5 MiB.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn set_photo(state: &AppState, viewer: &Viewer, meta: &RequestMeta, bytes: Vec<u8>) -> Result<ProfileView> {
    let (profile, _) = target_profile(state, viewer, None).await?;
    let file = state.storage.save(FileKind::ProfilePhoto, "file", &bytes).await?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let previous = db::profiles::set_photo(write.conn(), &profile, file.name(), write.now()).await?;
    write
        .commit(AuditRecord::new(AuditKind::ProfilePhotoReplaced).about(profile.member_id))
        .await?;
    file.keep();
    if let Some(old) = previous {
        state.storage.remove(FileKind::ProfilePhoto, &old).await;
    }
    profile_of(state, viewer, profile.member_id)
        .await?
        .ok_or(Error::NotFound)
}

/// The bytes and type of a photo, when it belongs to an active profile; `NOT_FOUND`
/// otherwise (a hidden profile's photo is hidden too).
#[tracing::instrument(skip_all)]
pub async fn public_photo(state: &AppState, file: &str) -> Result<(Vec<u8>, ContentType)> {
    if crate::services::storage::parse_name(FileKind::ProfilePhoto, file).is_none()
        || !db::profiles::photo_is_public(&state.db, file).await?
    {
        return Err(Error::NotFound);
    }
    state
        .storage
        .read(FileKind::ProfilePhoto, file)
        .await?
        .ok_or(Error::NotFound)
}
