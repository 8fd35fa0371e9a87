//! The course catalogue: providers and courses.

use chrono::{DateTime, Utc};
use entity::enums::{CourseApproval, CourseDelivery};
use entity::{course, course_provider as provider};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

pub async fn insert_provider<C: ConnectionTrait>(
    conn: &C,
    slug: String,
    name: String,
    now: DateTime<Utc>,
) -> Result<provider::Model, DbErr> {
    provider::ActiveModel {
        slug: Set(slug),
        name: Set(name),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
}

pub async fn provider_by_slug<C: ConnectionTrait>(conn: &C, slug: &str) -> Result<Option<provider::Model>, DbErr> {
    provider::Entity::find()
        .filter(provider::Column::Slug.eq(slug))
        .one(conn)
        .await
}

/// Providers by name; retired ones only when asked.
pub async fn providers<C: ConnectionTrait>(conn: &C, with_retired: bool) -> Result<Vec<provider::Model>, DbErr> {
    let mut query = provider::Entity::find();
    if !with_retired {
        query = query.filter(provider::Column::RetiredAt.is_null());
    }
    query.order_by_asc(provider::Column::Name).all(conn).await
}

pub async fn providers_by_id<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Vec<provider::Model>, DbErr> {
    provider::Entity::find()
        .filter(provider::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await
}

/// A course's editable fields.
pub struct CourseFields {
    pub provider_id: i64,
    /// For the search index (not a column of `course`).
    pub provider_name: String,
    pub title: String,
    pub description: String,
    pub delivery: CourseDelivery,
    pub hours_tenths: i32,
    pub cec_tenths: i32,
    pub approval: CourseApproval,
    pub public_price_cents: i64,
    pub member_price_cents: Option<i64>,
}

pub async fn insert_course<C: ConnectionTrait>(
    conn: &C,
    code: String,
    fields: CourseFields,
    now: DateTime<Utc>,
) -> Result<course::Model, DbErr> {
    course::ActiveModel {
        code: Set(code),
        provider_id: Set(fields.provider_id),
        title: Set(fields.title),
        description: Set(fields.description),
        delivery: Set(fields.delivery),
        hours_tenths: Set(fields.hours_tenths),
        cec_tenths: Set(fields.cec_tenths),
        approval: Set(fields.approval),
        public_price_cents: Set(fields.public_price_cents),
        member_price_cents: Set(fields.member_price_cents),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
}

pub async fn update_course<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    fields: CourseFields,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    course::ActiveModel {
        id: Set(id),
        provider_id: Set(fields.provider_id),
        title: Set(fields.title),
        description: Set(fields.description),
        delivery: Set(fields.delivery),
        hours_tenths: Set(fields.hours_tenths),
        cec_tenths: Set(fields.cec_tenths),
        approval: Set(fields.approval),
        public_price_cents: Set(fields.public_price_cents),
        member_price_cents: Set(fields.member_price_cents),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(conn)
    .await?;
    Ok(())
}

pub async fn retire_course<C: ConnectionTrait>(conn: &C, id: i64, now: DateTime<Utc>) -> Result<(), DbErr> {
    course::Entity::update_many()
        .col_expr(course::Column::RetiredAt, Expr::val(now))
        .col_expr(course::Column::UpdatedAt, Expr::val(now))
        .filter(course::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn course_by_code<C: ConnectionTrait>(conn: &C, code: &str) -> Result<Option<course::Model>, DbErr> {
    course::Entity::find()
        .filter(course::Column::Code.eq(code))
        .one(conn)
        .await
}

/// What the public catalogue lists.
#[derive(Default)]
pub struct CourseFilter {
    pub provider_id: Option<i64>,
    pub delivery: Option<CourseDelivery>,
    pub approval: Option<CourseApproval>,
}

/// Current courses (not retired) matching `filter`, by title then id, after `(title, id)`.
pub async fn courses<C: ConnectionTrait>(
    conn: &C,
    filter: &CourseFilter,
    after: Option<(String, i64)>,
    limit: u64,
) -> Result<Vec<course::Model>, DbErr> {
    let mut query = course::Entity::find().filter(course::Column::RetiredAt.is_null());
    if let Some(provider) = filter.provider_id {
        query = query.filter(course::Column::ProviderId.eq(provider));
    }
    if let Some(delivery) = filter.delivery {
        query = query.filter(course::Column::Delivery.eq(delivery));
    }
    if let Some(approval) = filter.approval {
        query = query.filter(course::Column::Approval.eq(approval));
    }
    if let Some((title, id)) = after {
        query = query.filter(
            Condition::any().add(course::Column::Title.gt(title.clone())).add(
                Condition::all()
                    .add(course::Column::Title.eq(title))
                    .add(course::Column::Id.gt(id)),
            ),
        );
    }
    query
        .order_by_asc(course::Column::Title)
        .order_by_asc(course::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

pub async fn courses_by_id<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Vec<course::Model>, DbErr> {
    course::Entity::find()
        .filter(course::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await
}

pub async fn rename_provider<C: ConnectionTrait>(conn: &C, id: i64, name: String) -> Result<(), DbErr> {
    provider::Entity::update_many()
        .col_expr(provider::Column::Name, Expr::val(name))
        .filter(provider::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Retires a provider and its current courses.
pub async fn retire_provider<C: ConnectionTrait>(conn: &C, id: i64, now: DateTime<Utc>) -> Result<(), DbErr> {
    provider::Entity::update_many()
        .col_expr(provider::Column::RetiredAt, Expr::val(now))
        .filter(provider::Column::Id.eq(id))
        .exec(conn)
        .await?;
    course::Entity::update_many()
        .col_expr(course::Column::RetiredAt, Expr::val(now))
        .col_expr(course::Column::UpdatedAt, Expr::val(now))
        .filter(course::Column::ProviderId.eq(id))
        .filter(course::Column::RetiredAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Every course of a provider (to reindex them under its new name).
pub async fn courses_of_provider<C: ConnectionTrait>(conn: &C, provider_id: i64) -> Result<Vec<course::Model>, DbErr> {
    course::Entity::find()
        .filter(course::Column::ProviderId.eq(provider_id))
        .all(conn)
        .await
}
