//! Workshops: dated sessions of a course, with a place and a capacity. Staff create, change
//! and cancel them (cancelled ones stay for history); a capacity never drops below the
//! seats already taken.

use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::db::enrolment::WorkshopFields;
use crate::error::{Error, Result};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::enums::AuditKind;
use entity::workshop;
use shared::validate::bounded_text;

/// The most seats a workshop may have.
const MAX_CAPACITY: i32 = 10_000;

/// What staff type for a workshop.
pub struct WorkshopInput {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
    pub capacity: i32,
}

fn fields_of(input: &WorkshopInput) -> Result<WorkshopFields> {
    if input.ends_at <= input.starts_at {
        return Err(Error::invalid("endsAt", "A workshop ends after it starts."));
    }
    if input.ends_at - input.starts_at > chrono::Duration::days(31) {
        return Err(Error::invalid("endsAt", "A workshop lasts at most 31 days."));
    }
    if !(1..=MAX_CAPACITY).contains(&input.capacity) {
        return Err(Error::invalid(
            "capacity",
            format!("A workshop has between 1 and {MAX_CAPACITY} seats."),
        ));
    }
    let location = bounded_text("location", &input.location, 200, true, false)?;
    Ok(WorkshopFields {
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        location,
        capacity: input.capacity,
    })
}

/// Staff: adds a workshop to the current course `code`.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn create_workshop(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    code: &str,
    input: WorkshopInput,
) -> Result<workshop::Model> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let fields = fields_of(&input)?;
    if fields.starts_at <= state.now() {
        return Err(Error::invalid("startsAt", "A new workshop starts in the future."));
    }
    let course = db::catalogue::course_by_code(&state.db, code.trim().to_uppercase().as_str())
        .await?
        .filter(|c| c.retired_at.is_none())
        .ok_or(Error::NotFound)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let workshop = db::enrolment::insert_workshop(write.conn(), course.id, fields, write.now()).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::WorkshopCreated)
                .detail(format!("workshop {} of course {}", workshop.id, course.code)),
        )
        .await?;
    Ok(workshop)
}

/// Staff: changes a workshop's dates, place or capacity. `CONFLICT` when the capacity would
/// fall below the seats taken, or the workshop was cancelled.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn update_workshop(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    id: i64,
    input: WorkshopInput,
) -> Result<workshop::Model> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let fields = fields_of(&input)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let existing = db::enrolment::find_workshop(write.conn(), id)
        .await?
        .ok_or(Error::NotFound)?;
    if existing.retired_at.is_some() {
        return Err(cancelled());
    }
    let capacity = fields.capacity;
    if !db::enrolment::update_workshop(write.conn(), id, fields, write.now()).await? {
        return Err(Error::Conflict {
            field: Some("capacity"),
            message: format!(
                "{} seats are taken: the capacity cannot be below that (asked {capacity}).",
                existing.seats_taken
            ),
        });
    }
    write
        .commit(AuditRecord::new(AuditKind::WorkshopUpdated).detail(format!("workshop {id}")))
        .await?;
    db::enrolment::find_workshop(&state.db, id)
        .await?
        .ok_or(Error::NotFound)
}

/// Staff: cancels a workshop; it stays for history. `CONFLICT` when already cancelled.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn retire_workshop(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    id: i64,
) -> Result<workshop::Model> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let existing = db::enrolment::find_workshop(write.conn(), id)
        .await?
        .ok_or(Error::NotFound)?;
    if existing.retired_at.is_some() {
        return Err(cancelled());
    }
    db::enrolment::retire_workshop(write.conn(), id, write.now()).await?;
    write
        .commit(AuditRecord::new(AuditKind::WorkshopRetired).detail(format!("workshop {id}")))
        .await?;
    db::enrolment::find_workshop(&state.db, id)
        .await?
        .ok_or(Error::NotFound)
}

fn cancelled() -> Error {
    Error::Conflict {
        field: Some("id"),
        message: "This workshop is cancelled.".to_owned(),
    }
}

/// A course's workshops by start time: the current ones, and cancelled ones too for staff.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn workshops_of(state: &AppState, viewer: &Viewer, course_id: i64) -> Result<Vec<workshop::Model>> {
    let staff = authz::allows(viewer, Audience::Staff, Subject::NOBODY);
    Ok(db::enrolment::workshops_of(&state.db, course_id, staff).await?)
}
