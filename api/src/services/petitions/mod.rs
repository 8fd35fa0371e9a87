//! Petitions (P22): a member asks credit for a course that is not approved, with evidence
//! (PDF, PNG or JPEG by content, through `services::storage`), completed at most
//! `CPTN_PETITION_MAX_AGE_MONTHS` before filing, for at most `CPTN_PETITION_MAX_CEC`. The
//! review fee (`CPTN_PETITION_FEE`) is owed first; once it is paid the petition reaches the
//! staff queue. Staff approve it (possibly for less than asked: the credit goes to the
//! ledger, for the cycle of the completion date), reject it with a reason, or ask for more
//! information (the member's answer sends it back to the queue). Every step is audited and
//! the member is e-mailed through the outbox. Only approved petitions write credit, so only
//! they count toward renewal.

pub mod evidence;

use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::db::certification::NewEntry;
use crate::db::petitions::{NewPetition, Step};
use crate::error::{Error, Result};
use crate::page::{Page, PageRequest};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::certification::ledger::append_credit;
use crate::services::mail::{self, Mail, MailHeaders, Recipient};
use crate::services::storage::FileKind;
use crate::state::AppState;
use chrono::{Months, NaiveDate};
use entity::enums::{AuditKind, CecSource, FeePurpose, MessageKind, PetitionStatus};
use entity::{fee, petition};
use sea_orm::ConnectionTrait;
use shared::cec::{format_tenths, parse_tenths};
use shared::validate::bounded_text;

pub use evidence::{evidence, evidence_link};

/// A petition and its fee.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PetitionView {
    pub petition: petition::Model,
    pub fee: fee::Model,
    /// The petitioner's member number and legal name.
    pub member_number: i64,
    pub member_name: String,
}

/// What the member fills in.
pub struct PetitionInput {
    pub title: String,
    pub provider_name: String,
    pub completed_on: NaiveDate,
    /// Hours, one decimal.
    pub hours: String,
    /// CEC asked for, one decimal.
    pub requested_cec: String,
}

/// The caller files a petition with its evidence. `VALIDATION` names the field that is
/// wrong (the completion date too old or in the future, too much credit asked, evidence
/// not a PDF, PNG or JPEG or above 10 MiB). The fee is owed at once.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn file(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    input: PetitionInput,
    evidence: &[u8],
) -> Result<PetitionView> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?.member_id;
    let rules = &state.settings.certification;
    let today = state.now().date_naive();
    let oldest = today
        .checked_sub_months(Months::new(rules.petition_max_age_months))
        .unwrap_or(NaiveDate::MIN);
    if input.completed_on > today {
        return Err(Error::invalid(
            "completedOn",
            "The completion date cannot be in the future.",
        ));
    }
    if input.completed_on < oldest {
        return Err(Error::invalid(
            "completedOn",
            format!(
                "A petition is filed within {} months of completing the course (on or after {oldest}).",
                rules.petition_max_age_months
            ),
        ));
    }
    let hours_tenths = parse_tenths(&input.hours)
        .filter(|h| (1..=1000).contains(h))
        .ok_or_else(|| Error::invalid("hours", "Hours are between 0.1 and 100, with one decimal."))?;
    let requested_tenths = parse_tenths(&input.requested_cec)
        .filter(|c| (1..=rules.petition_max_tenths).contains(c))
        .ok_or_else(|| {
            Error::invalid(
                "requestedCec",
                format!(
                    "A petition asks for 0.1 to {} CEC, with one decimal.",
                    format_tenths(rules.petition_max_tenths)
                ),
            )
        })?;
    let title = bounded_text("title", &input.title, 200, true, false)?;
    let provider_name = bounded_text("providerName", &input.provider_name, 160, true, false)?;
    let stored = state
        .storage
        .save(FileKind::PetitionEvidence, "evidence", evidence)
        .await?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let fee = db::fees::insert(write.conn(), me, FeePurpose::Petition, rules.petition_fee, write.now()).await?;
    let petition = db::petitions::insert(
        write.conn(),
        NewPetition {
            member_id: me,
            title,
            provider_name,
            completed_on: input.completed_on,
            hours_tenths,
            requested_tenths,
            evidence_file: stored.name().to_owned(),
            evidence_type: stored.content_type().mime().to_owned(),
            fee_id: fee.id,
        },
        write.now(),
    )
    .await?;
    let line = crate::services::orders::cart::CartLine {
        description: format!("Petition review: {}", petition.title),
        course_id: None,
        workshop_id: None,
    };
    crate::services::orders::cart::put_fee_in_cart(write.conn(), state, &fee, line, meta.ip_string(), write.now())
        .await?;
    write
        .commit(
            AuditRecord::new(AuditKind::PetitionFiled)
                .about(me)
                .detail(format!("petition {}, fee {}", petition.id, fee.id)),
        )
        .await?;
    stored.keep();
    view(&state.db, petition.id).await
}

/// A petition's fee was paid (inside the payment's transaction): it joins the staff queue.
#[tracing::instrument(skip_all)]
pub async fn complete_paid_petition<C: ConnectionTrait>(
    conn: &C,
    fee: &fee::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<AuditRecord> {
    let petition = db::petitions::paid_by(conn, fee.id).await?.ok_or(Error::NotFound)?;
    db::petitions::advance(
        conn,
        petition.id,
        PetitionStatus::AwaitingPayment,
        PetitionStatus::InReview,
        Step::default(),
        now,
    )
    .await?;
    Ok(AuditRecord::new(AuditKind::PetitionFiled)
        .about(petition.member_id)
        .detail(format!("petition {} paid: in the staff queue", petition.id)))
}

/// Staff: approves petition `id` (in the queue) for `granted` CEC (at most what was asked;
/// `None`: what was asked). The credit is written to the ledger.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn approve(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    id: i64,
    granted: Option<&str>,
) -> Result<PetitionView> {
    let me = authz::require(viewer, Audience::Staff, Subject::NOBODY)?.member_id;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let petition = reviewable(write.conn(), me, id).await?;
    let granted = match granted.map(str::trim).filter(|g| !g.is_empty()) {
        None => petition.requested_tenths,
        Some(text) => parse_tenths(text)
            .filter(|g| (1..=petition.requested_tenths).contains(g))
            .ok_or_else(|| {
                Error::invalid(
                    "grantedCec",
                    format!(
                        "Grant between 0.1 and the {} CEC asked for.",
                        format_tenths(petition.requested_tenths)
                    ),
                )
            })?,
    };
    let entry = append_credit(
        write.conn(),
        state,
        NewEntry {
            member_id: petition.member_id,
            cycle_id: None,
            tenths: granted,
            source: CecSource::Petition,
            reason: None,
            reverses_id: None,
            earned_on: petition.completed_on,
            recorded_by: Some(me),
            course_id: None,
            petition_id: Some(petition.id),
        },
        write.now(),
    )
    .await?;
    let step = Step {
        granted_tenths: Some(granted),
        decided_by: Some(me),
        cec_entry_id: Some(entry.id),
        ..Step::default()
    };
    advance_from_queue(write.conn(), &petition, PetitionStatus::Approved, step, write.now()).await?;
    let body = format!(
        "Your petition for \"{}\" is approved: {} CEC were added to your credit ledger.\n\n{}/account",
        petition.title,
        format_tenths(granted),
        state.settings.public_url
    );
    tell_member(&write, &petition, "Your petition is approved", body, meta).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::PetitionApproved)
                .about(petition.member_id)
                .detail(format!(
                    "petition {id}: {} CEC, entry {}",
                    format_tenths(granted),
                    entry.id
                )),
        )
        .await?;
    state.wake_mailer();
    view(&state.db, id).await
}

/// Staff: rejects petition `id` (in the queue) for `reason`, which the member reads.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn reject(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    id: i64,
    reason: &str,
) -> Result<PetitionView> {
    let me = authz::require(viewer, Audience::Staff, Subject::NOBODY)?.member_id;
    let reason = bounded_text("reason", reason, 2000, true, true)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let petition = reviewable(write.conn(), me, id).await?;
    let step = Step {
        staff_note: Some(reason.clone()),
        decided_by: Some(me),
        ..Step::default()
    };
    advance_from_queue(write.conn(), &petition, PetitionStatus::Rejected, step, write.now()).await?;
    let body = format!(
        "Your petition for \"{}\" was not approved.\n\nThe reviewer's reason:\n{reason}\n\n{}/account",
        petition.title, state.settings.public_url
    );
    tell_member(&write, &petition, "Your petition was not approved", body, meta).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::PetitionRejected)
                .about(petition.member_id)
                .detail(format!("petition {id}")),
        )
        .await?;
    state.wake_mailer();
    view(&state.db, id).await
}

/// Staff: asks the member of petition `id` (in the queue) for more information; it leaves
/// the queue until they answer.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn ask_information(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    id: i64,
    question: &str,
) -> Result<PetitionView> {
    let me = authz::require(viewer, Audience::Staff, Subject::NOBODY)?.member_id;
    let question = bounded_text("question", question, 2000, true, true)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let petition = reviewable(write.conn(), me, id).await?;
    let step = Step {
        staff_note: Some(question.clone()),
        ..Step::default()
    };
    advance_from_queue(
        write.conn(),
        &petition,
        PetitionStatus::NeedsInformation,
        step,
        write.now(),
    )
    .await?;
    let body = format!(
        "The reviewer of your petition for \"{}\" asks:\n{question}\n\nAnswer it in your account: {}/account",
        petition.title, state.settings.public_url
    );
    tell_member(
        &write,
        &petition,
        "Your petition: a question from the reviewer",
        body,
        meta,
    )
    .await?;
    write
        .commit(
            AuditRecord::new(AuditKind::PetitionInformationRequested)
                .about(petition.member_id)
                .detail(format!("petition {id}")),
        )
        .await?;
    state.wake_mailer();
    view(&state.db, id).await
}

/// The member answers staff's question on their petition `id`; it returns to the queue.
/// `CONFLICT` when no question is waiting.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn answer(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    id: i64,
    answer: &str,
) -> Result<PetitionView> {
    authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let answer = bounded_text("answer", answer, 4000, true, true)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let petition = db::petitions::find(write.conn(), id).await?.ok_or(Error::NotFound)?;
    // Only its owner answers; anyone else learns nothing about it.
    if viewer.member_id() != Some(petition.member_id) {
        return Err(Error::NotFound);
    }
    let step = Step {
        member_answer: Some(answer),
        ..Step::default()
    };
    let moved = db::petitions::advance(
        write.conn(),
        id,
        PetitionStatus::NeedsInformation,
        PetitionStatus::InReview,
        step,
        write.now(),
    )
    .await?;
    if !moved {
        return Err(Error::Conflict {
            field: Some("petitionId"),
            message: "No question is waiting for an answer on this petition.".to_owned(),
        });
    }
    write
        .commit(
            AuditRecord::new(AuditKind::PetitionAnswered)
                .about(petition.member_id)
                .detail(format!("petition {id}")),
        )
        .await?;
    view(&state.db, id).await
}

/// Petition `id` when it is in the queue and not the reviewer's own.
async fn reviewable<C: ConnectionTrait>(conn: &C, reviewer: i64, id: i64) -> Result<petition::Model> {
    let petition = db::petitions::find(conn, id).await?.ok_or(Error::NotFound)?;
    crate::services::certification::not_on_oneself(reviewer, petition.member_id)?;
    if petition.status != PetitionStatus::InReview {
        return Err(not_in_queue(petition.status));
    }
    Ok(petition)
}

/// Moves `petition` out of the queue; `CONFLICT` when another reviewer moved it first.
async fn advance_from_queue<C: ConnectionTrait>(
    conn: &C,
    petition: &petition::Model,
    to: PetitionStatus,
    step: Step,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    if db::petitions::advance(conn, petition.id, PetitionStatus::InReview, to, step, now).await? {
        Ok(())
    } else {
        Err(not_in_queue(petition.status))
    }
}

fn not_in_queue(status: PetitionStatus) -> Error {
    let why = match status {
        PetitionStatus::AwaitingPayment => "its fee is not paid yet",
        PetitionStatus::NeedsInformation => "it waits for the member's answer",
        PetitionStatus::Approved | PetitionStatus::Rejected | PetitionStatus::InReview => "it is already decided",
        PetitionStatus::Withdrawn => "its fee was refunded",
    };
    Error::Conflict {
        field: Some("petitionId"),
        message: format!("This petition is not in the queue: {why}."),
    }
}

/// Queues the e-mail that tells the member what became of their petition.
async fn tell_member(
    write: &AuditedWrite,
    petition: &petition::Model,
    subject: &str,
    body: String,
    meta: &RequestMeta,
) -> Result<()> {
    mail::queue(
        write.conn(),
        write.now(),
        Mail {
            kind: MessageKind::PetitionUpdate,
            to: Recipient::Member(petition.member_id),
            subject: subject.to_owned(),
            body,
            headers: MailHeaders::automatic(),
            sender_ip: meta.ip_string(),
        },
    )
    .await?;
    Ok(())
}

async fn view<C: ConnectionTrait>(conn: &C, id: i64) -> Result<PetitionView> {
    let petition = db::petitions::find(conn, id).await?.ok_or(Error::NotFound)?;
    views_of(conn, vec![petition]).await?.pop().ok_or(Error::NotFound)
}

async fn views_of<C: ConnectionTrait>(conn: &C, rows: Vec<petition::Model>) -> Result<Vec<PetitionView>> {
    let fee_ids: Vec<i64> = rows.iter().map(|p| p.fee_id).collect();
    let member_ids: Vec<i64> = rows.iter().map(|p| p.member_id).collect();
    let fees = db::fees::by_ids(conn, &fee_ids).await?;
    let members = db::members::find_by_ids(conn, &member_ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|petition| {
            let fee = fees.iter().find(|f| f.id == petition.fee_id)?.clone();
            let member = members.iter().find(|m| m.id == petition.member_id)?;
            Some(PetitionView {
                member_number: member.member_number,
                member_name: member.legal_name.clone(),
                petition,
                fee,
            })
        })
        .collect())
}

/// One petition: its member's, or anyone's for staff. `NOT_FOUND` for anyone else.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn petition(state: &AppState, viewer: &Viewer, id: i64) -> Result<PetitionView> {
    authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let found = view(&state.db, id).await?;
    if !authz::allows(viewer, Audience::Owner, found.petition.member_id) {
        return Err(Error::NotFound);
    }
    Ok(found)
}

/// A member's petitions, newest first: their own, or anyone's for staff.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn petitions_of_member(
    state: &AppState,
    viewer: &Viewer,
    member_id: i64,
    page: PageRequest<i64>,
) -> Result<Page<PetitionView>> {
    authz::require(viewer, Audience::Owner, member_id)?;
    let rows = db::petitions::of_member(&state.db, member_id, page.after, page.limit_plus_one()).await?;
    Ok(Page::from_rows(views_of(&state.db, rows).await?, page.first))
}

/// Staff: the petitions in `status` (the queue: `in_review`), oldest first.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn queue(
    state: &AppState,
    viewer: &Viewer,
    status: PetitionStatus,
    page: PageRequest<i64>,
) -> Result<Page<PetitionView>> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let rows = db::petitions::in_status(&state.db, status, page.after, page.limit_plus_one()).await?;
    Ok(Page::from_rows(views_of(&state.db, rows).await?, page.first))
}
