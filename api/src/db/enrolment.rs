//! Workshops (dated sessions of a course) and enrolments.

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::EnrolmentStatus;
use entity::{enrolment, workshop};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// A workshop's editable fields.
pub struct WorkshopFields {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
    pub capacity: i32,
}

pub async fn insert_workshop<C: ConnectionTrait>(
    conn: &C,
    course_id: i64,
    fields: WorkshopFields,
    now: DateTime<Utc>,
) -> Result<workshop::Model, DbErr> {
    workshop::ActiveModel {
        course_id: Set(course_id),
        starts_at: Set(fields.starts_at),
        ends_at: Set(fields.ends_at),
        location: Set(fields.location),
        capacity: Set(fields.capacity),
        seats_taken: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
}

/// Rewrites a workshop's fields unless its capacity would fall below the seats taken;
/// `false` then (one conditional update, so a seat taken meanwhile is counted).
pub async fn update_workshop<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    fields: WorkshopFields,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let updated = workshop::Entity::update_many()
        .col_expr(workshop::Column::StartsAt, Expr::val(fields.starts_at))
        .col_expr(workshop::Column::EndsAt, Expr::val(fields.ends_at))
        .col_expr(workshop::Column::Location, Expr::val(fields.location))
        .col_expr(workshop::Column::Capacity, Expr::val(fields.capacity))
        .col_expr(workshop::Column::UpdatedAt, Expr::val(now))
        .filter(workshop::Column::Id.eq(id))
        .filter(workshop::Column::SeatsTaken.lte(fields.capacity))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

pub async fn retire_workshop<C: ConnectionTrait>(conn: &C, id: i64, now: DateTime<Utc>) -> Result<(), DbErr> {
    workshop::Entity::update_many()
        .col_expr(workshop::Column::RetiredAt, Expr::val(now))
        .col_expr(workshop::Column::UpdatedAt, Expr::val(now))
        .filter(workshop::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn find_workshop<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<workshop::Model>, DbErr> {
    workshop::Entity::find_by_id(id).one(conn).await
}

/// A course's workshops by start time; cancelled ones only when asked.
pub async fn workshops_of<C: ConnectionTrait>(
    conn: &C,
    course_id: i64,
    with_retired: bool,
) -> Result<Vec<workshop::Model>, DbErr> {
    let mut query = workshop::Entity::find().filter(workshop::Column::CourseId.eq(course_id));
    if !with_retired {
        query = query.filter(workshop::Column::RetiredAt.is_null());
    }
    query
        .order_by_asc(workshop::Column::StartsAt)
        .order_by_asc(workshop::Column::Id)
        .all(conn)
        .await
}

/// Takes one seat if one is left: one conditional update, so of two requests racing for
/// the last seat exactly one gets it. `false` when the workshop is full.
pub async fn take_seat<C: ConnectionTrait>(conn: &C, id: i64) -> Result<bool, DbErr> {
    let updated = workshop::Entity::update_many()
        .col_expr(
            workshop::Column::SeatsTaken,
            Expr::col(workshop::Column::SeatsTaken).add(1),
        )
        .filter(workshop::Column::Id.eq(id))
        .filter(Expr::col(workshop::Column::SeatsTaken).lt(Expr::col(workshop::Column::Capacity)))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// A new enrolment.
pub struct NewEnrolment {
    pub member_id: i64,
    pub course_id: i64,
    pub workshop_id: Option<i64>,
    pub fee_id: Option<i64>,
    pub status: EnrolmentStatus,
    pub price_cents: i64,
}

/// Inserts an enrolment; a unique violation means the member is already enrolled.
pub async fn insert_enrolment<C: ConnectionTrait>(
    conn: &C,
    new: NewEnrolment,
    now: DateTime<Utc>,
) -> Result<enrolment::Model, DbErr> {
    enrolment::ActiveModel {
        member_id: Set(new.member_id),
        course_id: Set(new.course_id),
        workshop_id: Set(new.workshop_id),
        fee_id: Set(new.fee_id),
        status: Set(new.status),
        price_cents: Set(new.price_cents),
        enrolled_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
}

pub async fn find_enrolment<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<enrolment::Model>, DbErr> {
    enrolment::Entity::find_by_id(id).one(conn).await
}

pub async fn enrolment_paid_by<C: ConnectionTrait>(conn: &C, fee_id: i64) -> Result<Option<enrolment::Model>, DbErr> {
    enrolment::Entity::find()
        .filter(enrolment::Column::FeeId.eq(fee_id))
        .one(conn)
        .await
}

/// Moves an enrolment awaiting payment to enrolled.
pub async fn mark_enrolled<C: ConnectionTrait>(conn: &C, id: i64) -> Result<bool, DbErr> {
    let updated = enrolment::Entity::update_many()
        .col_expr(enrolment::Column::Status, Expr::val(EnrolmentStatus::Enrolled))
        .filter(enrolment::Column::Id.eq(id))
        .filter(enrolment::Column::Status.eq(EnrolmentStatus::AwaitingPayment))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Records completion if the enrolment is enrolled (paid) and not yet completed: `false`
/// otherwise, so two concurrent completions credit once.
pub async fn mark_completed<C: ConnectionTrait>(conn: &C, id: i64, on: NaiveDate, by: i64) -> Result<bool, DbErr> {
    let updated = enrolment::Entity::update_many()
        .col_expr(enrolment::Column::Status, Expr::val(EnrolmentStatus::Completed))
        .col_expr(enrolment::Column::CompletedOn, Expr::val(on))
        .col_expr(enrolment::Column::CompletedBy, Expr::val(by))
        .filter(enrolment::Column::Id.eq(id))
        .filter(enrolment::Column::Status.eq(EnrolmentStatus::Enrolled))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

pub async fn set_credit<C: ConnectionTrait>(conn: &C, id: i64, entry_id: i64) -> Result<(), DbErr> {
    enrolment::Entity::update_many()
        .col_expr(enrolment::Column::CecEntryId, Expr::val(entry_id))
        .filter(enrolment::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// A member's enrolments, newest first, after id `after`.
pub async fn enrolments_of_member<C: ConnectionTrait>(
    conn: &C,
    member_id: i64,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<enrolment::Model>, DbErr> {
    let mut query = enrolment::Entity::find().filter(enrolment::Column::MemberId.eq(member_id));
    if let Some(after) = after {
        query = query.filter(enrolment::Column::Id.lt(after));
    }
    query.order_by_desc(enrolment::Column::Id).limit(limit).all(conn).await
}

/// A course's enrolments, oldest first, after id `after`.
pub async fn enrolments_of_course<C: ConnectionTrait>(
    conn: &C,
    course_id: i64,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<enrolment::Model>, DbErr> {
    let mut query = enrolment::Entity::find().filter(enrolment::Column::CourseId.eq(course_id));
    if let Some(after) = after {
        query = query.filter(enrolment::Column::Id.gt(after));
    }
    query.order_by_asc(enrolment::Column::Id).limit(limit).all(conn).await
}

pub async fn workshops_by_id<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Vec<workshop::Model>, DbErr> {
    workshop::Entity::find()
        .filter(workshop::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await
}

/// Gives a seat back (its order lapsed, was cancelled or refunded).
pub async fn release_seat<C: ConnectionTrait>(conn: &C, id: i64) -> Result<(), DbErr> {
    workshop::Entity::update_many()
        .col_expr(
            workshop::Column::SeatsTaken,
            Expr::col(workshop::Column::SeatsTaken).sub(1),
        )
        .filter(workshop::Column::Id.eq(id))
        .filter(workshop::Column::SeatsTaken.gt(0))
        .exec(conn)
        .await?;
    Ok(())
}

/// Removes an enrolment (its order lapsed, was cancelled or refunded): the member may
/// enrol in the course again.
pub async fn delete_enrolment<C: ConnectionTrait>(conn: &C, id: i64) -> Result<(), DbErr> {
    enrolment::Entity::delete_by_id(id).exec(conn).await?;
    Ok(())
}
