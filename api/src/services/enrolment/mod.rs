//! Enrolment and completion (issue 13): a member enrols once per course, in one of its
//! workshops when it has dated sessions (an in-person course always does). A course with a
//! price owes a fee (the member price when there is one, P21) and waits as
//! `awaiting_payment`; its seat is held meanwhile. Staff, or a `provider` account of the
//! course's provider, record completion; completing an approved course credits the ledger
//! once, for the cycle the completion date falls in.

use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::db::certification::NewEntry;
use crate::db::enrolment::NewEnrolment;
use crate::error::{Error, Result, conflict_on_unique};
use crate::page::{Page, PageRequest};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::certification::ledger::append_credit;
use crate::services::orders::cart::CartLine;
use crate::state::AppState;
use chrono::NaiveDate;
use entity::enums::{AuditKind, CecSource, CourseApproval, CourseDelivery, EnrolmentStatus, FeePurpose};
use entity::{course, enrolment, fee, member, workshop};
use sea_orm::ConnectionTrait;
use shared::Money;

/// An enrolment with what it is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnrolmentView {
    pub enrolment: enrolment::Model,
    pub course: course::Model,
    pub workshop: Option<workshop::Model>,
    pub fee: Option<fee::Model>,
    /// The enrolled member (number and name), for staff and the course's provider.
    pub member: member::Model,
}

impl EnrolmentView {
    /// Who may read it: the member, the course's provider, staff.
    pub fn subject(&self) -> Subject {
        Subject::of_course(Some(self.enrolment.member_id), self.course.provider_id)
    }
}

/// The caller enrols in the current course `code`, in workshop `workshop_id` when given
/// (required for an in-person course). A priced course's fee goes in the caller's cart
/// (`services::orders`), whose hold keeps the seat. `CONFLICT` when already enrolled or
/// when the workshop has no seat left; `VALIDATION` for a workshop of another course,
/// cancelled or already begun.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn enrol(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    code: &str,
    workshop_id: Option<i64>,
) -> Result<EnrolmentView> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?.member_id;
    let (course, workshop) = offering(state, code, workshop_id).await?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let (enrolment, fee) = enrol_member(write.conn(), me, &course, workshop.as_ref(), write.now()).await?;
    if let Some(fee) = &fee {
        let line = cart_line(&course, workshop.as_ref());
        crate::services::orders::cart::put_fee_in_cart(write.conn(), state, fee, line, meta.ip_string(), write.now())
            .await?;
    }
    write
        .commit(
            AuditRecord::new(AuditKind::Enrolled)
                .about(me)
                .detail(format!("enrolment {} in course {}", enrolment.id, course.code)),
        )
        .await?;
    view_of(&state.db, enrolment.id).await
}

/// The order line of an enrolment.
pub(crate) fn cart_line(course: &course::Model, workshop: Option<&workshop::Model>) -> CartLine {
    let when = workshop.map_or(String::new(), |w| {
        format!(", {} {}", w.starts_at.format("%Y-%m-%d"), w.location)
    });
    CartLine {
        description: format!("{} {}{when}", course.code, course.title),
        course_id: Some(course.id),
        workshop_id: workshop.map(|w| w.id),
    }
}

/// The current course `code` and its workshop `workshop_id` (required for an in-person
/// course), checked: the workshop belongs to the course, is not cancelled, has not begun.
pub(crate) async fn offering(
    state: &AppState,
    code: &str,
    workshop_id: Option<i64>,
) -> Result<(course::Model, Option<workshop::Model>)> {
    let course = db::catalogue::course_by_code(&state.db, code.trim().to_uppercase().as_str())
        .await?
        .filter(|c| c.retired_at.is_none())
        .ok_or(Error::NotFound)?;
    let workshop = match workshop_id {
        Some(id) => {
            let workshop = db::enrolment::find_workshop(&state.db, id)
                .await?
                .filter(|w| w.course_id == course.id && w.retired_at.is_none())
                .ok_or_else(|| Error::invalid("workshop", "This course has no such workshop."))?;
            if workshop.starts_at <= state.now() {
                return Err(Error::invalid("workshop", "This workshop has already begun."));
            }
            Some(workshop)
        }
        None if course.delivery == CourseDelivery::InPerson => {
            return Err(Error::invalid("workshop", "Choose one of the course's workshops."));
        }
        None => None,
    };
    Ok((course, workshop))
}

/// Enrols member `member_id` inside the caller's transaction: the enrolment, its fee at
/// the member price (P21: every account holder is a member) and the workshop seat.
pub(crate) async fn enrol_member<C: ConnectionTrait>(
    conn: &C,
    member_id: i64,
    course: &course::Model,
    workshop: Option<&workshop::Model>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(enrolment::Model, Option<fee::Model>)> {
    let price = Money::from_cents(course.member_price_cents.unwrap_or(course.public_price_cents));
    let fee = if price.cents > 0 {
        Some(db::fees::insert(conn, member_id, FeePurpose::Enrolment, price, now).await?)
    } else {
        None
    };
    let enrolment = db::enrolment::insert_enrolment(
        conn,
        NewEnrolment {
            member_id,
            course_id: course.id,
            workshop_id: workshop.map(|w| w.id),
            fee_id: fee.as_ref().map(|f| f.id),
            status: if fee.is_some() {
                EnrolmentStatus::AwaitingPayment
            } else {
                EnrolmentStatus::Enrolled
            },
            price_cents: price.cents,
        },
        now,
    )
    .await
    .map_err(|e| conflict_on_unique(e, "course", "Already enrolled in this course."))?;
    if let Some(workshop) = workshop {
        take_seat(conn, workshop.id).await?;
    }
    Ok((enrolment, fee))
}

/// Takes a seat in workshop `id`: `CONFLICT` when none is left.
pub(crate) async fn take_seat<C: ConnectionTrait>(conn: &C, id: i64) -> Result<()> {
    if db::enrolment::take_seat(conn, id).await? {
        Ok(())
    } else {
        Err(Error::Conflict {
            field: Some("workshop"),
            message: "No seats are left in this workshop.".to_owned(),
        })
    }
}

/// A fee for an enrolment was paid (inside the payment's transaction): the member is in.
#[tracing::instrument(skip_all)]
pub async fn complete_paid_enrolment<C: ConnectionTrait>(conn: &C, fee: &fee::Model) -> Result<AuditRecord> {
    let enrolment = db::enrolment::enrolment_paid_by(conn, fee.id)
        .await?
        .ok_or(Error::NotFound)?;
    db::enrolment::mark_enrolled(conn, enrolment.id).await?;
    Ok(AuditRecord::new(AuditKind::Enrolled)
        .about(enrolment.member_id)
        .detail(format!("enrolment {} paid", enrolment.id)))
}

/// Staff, or a provider account of the course's provider: records that the member of
/// `enrolment_id` completed the course on `completed_on`. An approved course credits the
/// ledger once. `CONFLICT` when the fee is unpaid or completion was already recorded.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn complete(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    enrolment_id: i64,
    completed_on: NaiveDate,
) -> Result<EnrolmentView> {
    authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let view = view_of(&state.db, enrolment_id).await?;
    let me = authz::require(viewer, Audience::Provider, view.subject())?.member_id;
    crate::services::certification::not_on_oneself(me, view.enrolment.member_id)?;
    let today = state.now().date_naive();
    if completed_on > today {
        return Err(Error::invalid("completedOn", "A completion cannot be in the future."));
    }
    let began = view
        .workshop
        .as_ref()
        .map_or(view.enrolment.enrolled_at, |w| w.starts_at)
        .date_naive();
    if completed_on < began {
        return Err(Error::invalid(
            "completedOn",
            format!("The course cannot be completed before {began}."),
        ));
    }
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    if !db::enrolment::mark_completed(write.conn(), enrolment_id, completed_on, me).await? {
        let current = db::enrolment::find_enrolment(write.conn(), enrolment_id)
            .await?
            .ok_or(Error::NotFound)?;
        return Err(Error::Conflict {
            field: Some("enrolmentId"),
            message: match current.status {
                EnrolmentStatus::AwaitingPayment => "Its fee is not paid yet.",
                _ => "Its completion is already recorded.",
            }
            .to_owned(),
        });
    }
    let course = &view.course;
    let credit = if course.approval == CourseApproval::Approved && course.cec_tenths > 0 {
        let entry = append_credit(
            write.conn(),
            state,
            NewEntry {
                member_id: view.enrolment.member_id,
                cycle_id: None,
                tenths: course.cec_tenths,
                source: CecSource::Course,
                reason: None,
                reverses_id: None,
                earned_on: completed_on,
                recorded_by: Some(me),
                course_id: Some(course.id),
                petition_id: None,
            },
            write.now(),
        )
        .await?;
        db::enrolment::set_credit(write.conn(), enrolment_id, entry.id).await?;
        format!(", entry {}", entry.id)
    } else {
        String::new()
    };
    write
        .commit(
            AuditRecord::new(AuditKind::EnrolmentCompleted)
                .about(view.enrolment.member_id)
                .detail(format!("enrolment {enrolment_id} of course {}{credit}", course.code)),
        )
        .await?;
    view_of(&state.db, enrolment_id).await
}

/// One enrolment with its course, workshop, fee and member.
async fn view_of<C: ConnectionTrait>(conn: &C, id: i64) -> Result<EnrolmentView> {
    let enrolment = db::enrolment::find_enrolment(conn, id).await?.ok_or(Error::NotFound)?;
    views_of(conn, vec![enrolment]).await?.pop().ok_or(Error::NotFound)
}

/// Enrolments with what they are in, in the order given (four statements for any number).
async fn views_of<C: ConnectionTrait>(conn: &C, rows: Vec<enrolment::Model>) -> Result<Vec<EnrolmentView>> {
    let ids = |f: fn(&enrolment::Model) -> Option<i64>| -> Vec<i64> { rows.iter().filter_map(f).collect() };
    let courses = db::catalogue::courses_by_id(conn, &ids(|e| Some(e.course_id))).await?;
    let workshops = db::enrolment::workshops_by_id(conn, &ids(|e| e.workshop_id)).await?;
    let fees = db::fees::by_ids(conn, &ids(|e| e.fee_id)).await?;
    let members = db::members::find_by_ids(conn, &ids(|e| Some(e.member_id))).await?;
    Ok(rows
        .into_iter()
        .filter_map(|enrolment| {
            Some(EnrolmentView {
                course: courses.iter().find(|c| c.id == enrolment.course_id)?.clone(),
                workshop: workshops.iter().find(|w| Some(w.id) == enrolment.workshop_id).cloned(),
                fee: fees.iter().find(|f| Some(f.id) == enrolment.fee_id).cloned(),
                member: members.iter().find(|m| m.id == enrolment.member_id)?.clone(),
                enrolment,
            })
        })
        .collect())
}

/// A member's enrolments, newest first: their own, or anyone's for staff.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn enrolments_of_member(
    state: &AppState,
    viewer: &Viewer,
    member_id: i64,
    page: PageRequest<i64>,
) -> Result<Page<EnrolmentView>> {
    authz::require(viewer, Audience::Owner, member_id)?;
    let rows = db::enrolment::enrolments_of_member(&state.db, member_id, page.after, page.limit_plus_one()).await?;
    Ok(Page::from_rows(views_of(&state.db, rows).await?, page.first))
}

/// The enrolments in course `code`, oldest first: for staff and the course's provider.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn enrolments_of_course(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    page: PageRequest<i64>,
) -> Result<Page<EnrolmentView>> {
    authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let course = db::catalogue::course_by_code(&state.db, code.trim().to_uppercase().as_str())
        .await?
        .ok_or(Error::NotFound)?;
    authz::require(viewer, Audience::Provider, Subject::of_course(None, course.provider_id))?;
    let rows = db::enrolment::enrolments_of_course(&state.db, course.id, page.after, page.limit_plus_one()).await?;
    Ok(Page::from_rows(views_of(&state.db, rows).await?, page.first))
}

/// Seats a workshop has left.
pub fn seats_left(workshop: &workshop::Model) -> i32 {
    (workshop.capacity - workshop.seats_taken).max(0)
}
