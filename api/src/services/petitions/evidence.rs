//! A petition's evidence file, shown to its member and to staff. A browser cannot send the
//! bearer token with a link it opens, so the API hands out a link signed for one petition
//! that works for five minutes (HMAC-SHA256 under the server's signing secret, compared
//! in constant time); handing it to staff is the audited read.

use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience};
use crate::db;
use crate::error::{Error, Result};
use crate::services::audit::{self, Actor};
use crate::services::storage::{ContentType, FileKind};
use crate::state::AppState;
use entity::enums::AuditKind;
use entity::petition;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a link works.
const LINK_SECONDS: i64 = 300;

fn mac(state: &AppState, petition_id: i64, expires: i64) -> Hmac<Sha256> {
    // Every server makes and checks the same links (the key is shared through the
    // key-encryption key), so a link works whichever server the download reaches.
    let mut mac = crate::services::signing::link_mac(&state.settings.key_encryption_key, "cptn evidence link");
    mac.update(format!("cptn-evidence-link:{petition_id}:{expires}").as_bytes());
    mac
}

/// A link to the evidence of `petition` for its member or staff (staff reads are
/// audited). Links use the system clock, like tokens.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn evidence_link(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    petition: &petition::Model,
) -> Result<String> {
    authz::require(viewer, Audience::Owner, petition.member_id)?;
    let actor = Actor::new(viewer, meta, state.now());
    audit::record_staff_read(&state.db, viewer, &actor, AuditKind::EvidenceViewed, petition.member_id).await?;
    let expires = chrono::Utc::now().timestamp() + LINK_SECONDS;
    let signature = mac(state, petition.id, expires).finalize().into_bytes().iter().fold(
        String::with_capacity(64),
        |mut hex, b| {
            use std::fmt::Write;
            let _ = write!(hex, "{b:02x}");
            hex
        },
    );
    Ok(format!(
        "/evidence/{}?expires={expires}&signature={signature}",
        petition.id
    ))
}

/// The evidence bytes behind a signed link; `NOT_FOUND` for an expired, altered or unknown
/// link (nothing tells them apart).
#[tracing::instrument(skip_all)]
pub async fn evidence(
    state: &AppState,
    petition_id: i64,
    expires: i64,
    signature: &str,
) -> Result<(Vec<u8>, ContentType)> {
    if expires < chrono::Utc::now().timestamp() {
        return Err(Error::NotFound);
    }
    let bytes = shared::hex::decode(signature).ok_or(Error::NotFound)?;
    mac(state, petition_id, expires)
        .verify_slice(&bytes)
        .map_err(|_| Error::NotFound)?;
    let petition = db::petitions::find(&state.db, petition_id)
        .await?
        .ok_or(Error::NotFound)?;
    state
        .storage
        .read(FileKind::PetitionEvidence, &petition.evidence_file)
        .await?
        .ok_or(Error::NotFound)
}
