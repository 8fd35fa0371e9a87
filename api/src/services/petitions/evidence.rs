//! A petition's evidence file, shown to its member and to staff. A browser cannot send the
//! bearer token with a link it opens, so the API hands out a link signed for one petition
//! that works for five minutes on any server (`signing::signed_link`); handing it to staff is the audited read.

use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience};
use crate::db;
use crate::error::{Error, Result};
use crate::services::audit::{self, Actor};
use crate::services::signing::{link_holds, signed_link};
use crate::services::storage::{ContentType, FileKind};
use crate::state::AppState;
use entity::enums::AuditKind;
use entity::petition;

/// Where evidence links point (`http::evidence`).
const EVIDENCE_LINKS: &str = "/evidence";

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
    Ok(signed_link(
        &state.settings.key_encryption_key,
        EVIDENCE_LINKS,
        petition.id,
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
    if !link_holds(
        &state.settings.key_encryption_key,
        EVIDENCE_LINKS,
        petition_id,
        expires,
        signature,
    ) {
        return Err(Error::NotFound);
    }
    let petition = db::petitions::find(&state.db, petition_id)
        .await?
        .ok_or(Error::NotFound)?;
    state
        .storage
        .read(FileKind::PetitionEvidence, &petition.evidence_file)
        .await?
        .ok_or(Error::NotFound)
}
