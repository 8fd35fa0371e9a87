//! Data subjects' requests (P3, P23): a member asks for their personal data to be erased,
//! or, returning after their account was wiped, to be linked to their old member number.
//! Each request waits in the staff queue with a due date 30 days out; the `retention` job
//! flags the overdue ones. Staff complete an erasure with the same wipe as the retention
//! rule (the tombstone keeps member number, certification history and ledger, for a
//! return), and a relink by moving the new login onto the tombstone's row after checking
//! the person's identity outside the system; or refuse, with a reason the member reads.

use super::erasure;
use super::retention::REQUEST_DUE_DAYS;
use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::error::{Error, Result};
use crate::page::{Page, PageRequest};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::certification::cycles;
use crate::state::AppState;
use entity::enums::{AuditKind, PrivacyRequestKind, PrivacyRequestStatus, WipeReason};
use entity::{member, privacy_request, wipe_receipt};
use shared::MemberNumber;

/// The longest message or reason kept with a request.
const MAX_TEXT: usize = 2000;

fn conflict(message: impl Into<String>) -> Error {
    Error::Conflict {
        field: None,
        message: message.into(),
    }
}

async fn caller(state: &AppState, viewer: &Viewer) -> Result<member::Model> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    db::members::find_by_id(&state.db, me.member_id)
        .await?
        .ok_or(Error::Unauthenticated)
}

/// Files a request of `kind` for the caller; one open request of each kind at a time.
async fn file(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    kind: PrivacyRequestKind,
    claimed: Option<MemberNumber>,
    message: &str,
) -> Result<privacy_request::Model> {
    let me = caller(state, viewer).await?;
    let message = shared::validate::text_without_card("message", message, MAX_TEXT, false, true)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    if db::privacy::open_request_of(write.conn(), me.member_number, kind)
        .await?
        .is_some()
    {
        return Err(conflict("You have a request of this kind open already."));
    }
    let now = write.now();
    let request = db::privacy::insert_request(
        write.conn(),
        db::privacy::NewRequest {
            kind,
            member_number: me.member_number,
            claimed_number: claimed.map(|n| n.0),
            message: &message,
            created_at: now,
            due_at: now + chrono::Duration::days(REQUEST_DUE_DAYS),
        },
    )
    .await?;
    let audit = match kind {
        PrivacyRequestKind::Erasure => AuditKind::ErasureRequested,
        PrivacyRequestKind::Relink => AuditKind::RelinkRequested,
        PrivacyRequestKind::Export => AuditKind::AddressRequestFiled,
    };
    write
        .commit(
            AuditRecord::new(audit)
                .about(me.id)
                .detail(format!("request {}", request.id)),
        )
        .await?;
    Ok(request)
}

/// The caller asks for their personal data to be erased.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn request_erasure(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    message: &str,
) -> Result<privacy_request::Model> {
    file(state, viewer, meta, PrivacyRequestKind::Erasure, None, message).await
}

/// The caller, a returning member with a new account, asks to be linked to `old_number`.
/// Whether that number is a tombstone is not said here (that would tell anyone which
/// numbers were wiped): staff see it in the queue.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn request_relink(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    old_number: MemberNumber,
    message: &str,
) -> Result<privacy_request::Model> {
    let me = caller(state, viewer).await?;
    if old_number.0 == me.member_number {
        return Err(Error::invalid("oldMemberNumber", "This is your current member number."));
    }
    file(
        state,
        viewer,
        meta,
        PrivacyRequestKind::Relink,
        Some(old_number),
        message,
    )
    .await
}

/// The caller's requests, newest first (a completed relink's too, now under the old number).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn my_requests(state: &AppState, viewer: &Viewer) -> Result<Vec<privacy_request::Model>> {
    let me = caller(state, viewer).await?;
    Ok(db::privacy::requests_of(&state.db, me.member_number).await?)
}

/// Staff: the queue, oldest first, optionally in one status.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn queue(
    state: &AppState,
    viewer: &Viewer,
    status: Option<PrivacyRequestStatus>,
    request: PageRequest<i64>,
) -> Result<Page<privacy_request::Model>> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let rows = db::privacy::request_queue(&state.db, status, request.after, request.limit_plus_one()).await?;
    Ok(Page::from_rows(rows, request.first))
}

/// The open request `id` of `kind`, inside the write.
async fn open_request<C: sea_orm::ConnectionTrait>(
    conn: &C,
    id: i64,
    kind: PrivacyRequestKind,
) -> Result<privacy_request::Model> {
    let request = db::privacy::find_request(conn, id).await?.ok_or(Error::NotFound)?;
    if request.kind != kind {
        return Err(Error::invalid("id", "This request is of another kind."));
    }
    if request.status != PrivacyRequestStatus::Open {
        return Err(conflict("This request is closed already."));
    }
    Ok(request)
}

/// Staff: completes erasure request `id`: a member's with the wipe of P3 (and its
/// receipt), an address's by erasing what is held under it.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn complete_erasure(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    id: i64,
) -> Result<privacy_request::Model> {
    let me = authz::require(viewer, Audience::Staff, Subject::NOBODY)?.member_id;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let request = open_request(write.conn(), id, PrivacyRequestKind::Erasure).await?;
    let now = write.now();
    if let Some(address) = request.email.clone() {
        let attachments = super::address::erase(write.conn(), &address).await?;
        // The requests' own copies go too: the record says what was done, not for whom.
        db::privacy::forget_request_address(write.conn(), &address).await?;
        db::privacy::close_request(
            write.conn(),
            id,
            PrivacyRequestStatus::Completed,
            Some(me),
            "What we held under your address was erased.",
            now,
        )
        .await?;
        write
            .commit(AuditRecord::new(AuditKind::AddressErased).detail(format!("erasure request {id}")))
            .await?;
        erasure::Freed::of_report_attachments(attachments).remove(state).await;
        return reread(state, id).await;
    }
    let member = db::privacy::requester(write.conn(), &request)
        .await?
        .ok_or(Error::NotFound)?;
    let freed = erasure::wipe(write.conn(), &member, WipeReason::ErasureRequest, Some(id), now).await?;
    db::privacy::close_request(
        write.conn(),
        id,
        PrivacyRequestStatus::Completed,
        Some(me),
        "Your personal data was erased. Your member number, certification history and credit ledger are kept for a return.",
        now,
    )
    .await?;
    write
        .commit(
            AuditRecord::new(AuditKind::MemberWiped)
                .about(member.id)
                .detail(format!("erasure request {id}")),
        )
        .await?;
    freed.remove(state).await;
    reread(state, id).await
}

/// Staff: completes relink request `id`: the requester's new login moves onto the
/// tombstone of the number they claimed (their identity checked outside the system), and
/// their new row goes. `CONFLICT` when the claimed number is not a tombstone or the new
/// account holds records of its own (certification, credit, fees, orders, enrolments,
/// petitions).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn link_returning_member(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    id: i64,
) -> Result<privacy_request::Model> {
    let me = authz::require(viewer, Audience::Staff, Subject::NOBODY)?.member_id;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let request = open_request(write.conn(), id, PrivacyRequestKind::Relink).await?;
    let claimed = request.claimed_number.ok_or(Error::NotFound)?;
    let new = db::privacy::requester(write.conn(), &request)
        .await?
        .filter(|m| m.wiped_at.is_none())
        .ok_or_else(|| conflict("The requester's account is gone."))?;
    let tombstone = db::members::find_by_number(write.conn(), claimed)
        .await?
        .filter(|m| m.wiped_at.is_some())
        .ok_or_else(|| conflict(format!("{} is not a wiped account.", MemberNumber(claimed))))?;
    if db::privacy::holds_records(write.conn(), new.id).await? {
        return Err(conflict(
            "The new account holds records of its own (certification, credit, fees, orders, enrolments or petitions): it cannot be dropped.",
        ));
    }
    let now = write.now();
    db::privacy::move_login(write.conn(), &new, tombstone.id, now).await?;
    cycles::refresh_directory(write.conn(), state, tombstone.id).await?;
    let outcome = format!(
        "Your login now holds member number {}, with its certification history and credits.",
        MemberNumber(claimed)
    );
    db::privacy::close_request(
        write.conn(),
        id,
        PrivacyRequestStatus::Completed,
        Some(me),
        &outcome,
        now,
    )
    .await?;
    write
        .commit(
            AuditRecord::new(AuditKind::MemberRelinked)
                .about(tombstone.id)
                .detail(format!(
                    "request {id}: {} moved onto {}",
                    MemberNumber(new.member_number),
                    MemberNumber(claimed)
                )),
        )
        .await?;
    reread(state, id).await
}

/// Staff: refuses request `id` with a reason the requester reads.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn refuse(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    id: i64,
    reason: &str,
) -> Result<privacy_request::Model> {
    let me = authz::require(viewer, Audience::Staff, Subject::NOBODY)?.member_id;
    let reason = shared::validate::text_without_card("reason", reason, MAX_TEXT, true, true)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let request = db::privacy::find_request(write.conn(), id)
        .await?
        .ok_or(Error::NotFound)?;
    let now = write.now();
    if !db::privacy::close_request(write.conn(), id, PrivacyRequestStatus::Refused, Some(me), &reason, now).await? {
        return Err(conflict("This request is closed already."));
    }
    let member = db::privacy::requester(write.conn(), &request).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::PrivacyRequestRefused)
                .about(member.map(|m| m.id))
                .detail(format!("request {id}")),
        )
        .await?;
    reread(state, id).await
}

async fn reread(state: &AppState, id: i64) -> Result<privacy_request::Model> {
    db::privacy::find_request(&state.db, id).await?.ok_or(Error::NotFound)
}

/// Staff: the wipe receipts of member number `number`, oldest first (kept after a purge).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn wipe_receipts(
    state: &AppState,
    viewer: &Viewer,
    number: MemberNumber,
) -> Result<Vec<wipe_receipt::Model>> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    Ok(db::privacy::receipts_of(&state.db, number.0).await?)
}
