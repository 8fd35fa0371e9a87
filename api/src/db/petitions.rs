//! Petitions for credit from courses that are not approved (P22).

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::PetitionStatus;
use entity::petition;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// A petition as the member files it.
pub struct NewPetition {
    pub member_id: i64,
    pub title: String,
    pub provider_name: String,
    pub completed_on: NaiveDate,
    pub hours_tenths: i32,
    pub requested_tenths: i32,
    pub evidence_file: String,
    pub evidence_type: String,
    pub fee_id: i64,
}

pub async fn insert<C: ConnectionTrait>(
    conn: &C,
    new: NewPetition,
    now: DateTime<Utc>,
) -> Result<petition::Model, DbErr> {
    petition::ActiveModel {
        member_id: Set(new.member_id),
        title: Set(new.title),
        provider_name: Set(new.provider_name),
        completed_on: Set(new.completed_on),
        hours_tenths: Set(new.hours_tenths),
        requested_tenths: Set(new.requested_tenths),
        evidence_file: Set(new.evidence_file),
        evidence_type: Set(new.evidence_type),
        fee_id: Set(new.fee_id),
        status: Set(PetitionStatus::AwaitingPayment),
        filed_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
}

pub async fn find<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<petition::Model>, DbErr> {
    petition::Entity::find_by_id(id).one(conn).await
}

pub async fn paid_by<C: ConnectionTrait>(conn: &C, fee_id: i64) -> Result<Option<petition::Model>, DbErr> {
    petition::Entity::find()
        .filter(petition::Column::FeeId.eq(fee_id))
        .one(conn)
        .await
}

/// What a step of the review changes.
#[derive(Default)]
pub struct Step {
    pub staff_note: Option<String>,
    pub member_answer: Option<String>,
    pub granted_tenths: Option<i32>,
    pub decided_by: Option<i64>,
    pub cec_entry_id: Option<i64>,
}

/// Moves a petition from `from` to `to` with `step`'s fields; `false` when it was no
/// longer in `from` (one conditional update, so two reviewers cannot both decide it).
pub async fn advance<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    from: PetitionStatus,
    to: PetitionStatus,
    step: Step,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = petition::Entity::update_many()
        .col_expr(petition::Column::Status, Expr::val(to))
        .col_expr(petition::Column::UpdatedAt, Expr::val(now));
    if let Some(note) = step.staff_note {
        update = update.col_expr(petition::Column::StaffNote, Expr::val(note));
    }
    if let Some(answer) = step.member_answer {
        update = update.col_expr(petition::Column::MemberAnswer, Expr::val(answer));
    }
    if let Some(granted) = step.granted_tenths {
        update = update.col_expr(petition::Column::GrantedTenths, Expr::val(granted));
    }
    if let Some(by) = step.decided_by {
        update = update
            .col_expr(petition::Column::DecidedBy, Expr::val(by))
            .col_expr(petition::Column::DecidedAt, Expr::val(now));
    }
    if let Some(entry) = step.cec_entry_id {
        update = update.col_expr(petition::Column::CecEntryId, Expr::val(entry));
    }
    let updated = update
        .filter(petition::Column::Id.eq(id))
        .filter(petition::Column::Status.eq(from))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// A member's petitions, newest first, after id `after`.
pub async fn of_member<C: ConnectionTrait>(
    conn: &C,
    member_id: i64,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<petition::Model>, DbErr> {
    let mut query = petition::Entity::find().filter(petition::Column::MemberId.eq(member_id));
    if let Some(after) = after {
        query = query.filter(petition::Column::Id.lt(after));
    }
    query.order_by_desc(petition::Column::Id).limit(limit).all(conn).await
}

/// Petitions in `status`, oldest first (the queue's order), after id `after`.
pub async fn in_status<C: ConnectionTrait>(
    conn: &C,
    status: PetitionStatus,
    after: Option<i64>,
    limit: u64,
) -> Result<Vec<petition::Model>, DbErr> {
    let mut query = petition::Entity::find().filter(petition::Column::Status.eq(status));
    if let Some(after) = after {
        query = query.filter(petition::Column::Id.gt(after));
    }
    query.order_by_asc(petition::Column::Id).limit(limit).all(conn).await
}

/// Which of `files` a petition names (the `files` job keeps them).
pub async fn evidence_in_use<C: ConnectionTrait>(
    conn: &C,
    files: &[String],
) -> Result<std::collections::HashSet<String>, DbErr> {
    let mut used = std::collections::HashSet::new();
    // Bounded `IN` lists: SQLite allows at most 32,766 parameters in one statement.
    for chunk in files.chunks(500) {
        let rows: Vec<String> = petition::Entity::find()
            .select_only()
            .column(petition::Column::EvidenceFile)
            .filter(petition::Column::EvidenceFile.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(conn)
            .await?;
        used.extend(rows);
    }
    Ok(used)
}
