//! Queries on the private member record.

use chrono::{DateTime, Utc};
use entity::enums::MemberStatus;
use entity::{counter, member};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use shared::Role;

const MEMBER_NUMBER_COUNTER: &str = "member_number";

/// Allocates the next member number. The counter only grows, so numbers are never reused;
/// call inside the transaction that inserts the member.
pub async fn next_member_number<C: ConnectionTrait>(conn: &C) -> Result<i64, DbErr> {
    counter::Entity::insert(counter::ActiveModel {
        name: Set(MEMBER_NUMBER_COUNTER.to_owned()),
        value: Set(0),
    })
    .on_conflict(OnConflict::column(counter::Column::Name).do_nothing().to_owned())
    .exec_without_returning(conn)
    .await?;
    counter::Entity::update_many()
        .col_expr(counter::Column::Value, Expr::col(counter::Column::Value).add(1))
        .filter(counter::Column::Name.eq(MEMBER_NUMBER_COUNTER))
        .exec(conn)
        .await?;
    let row = counter::Entity::find_by_id(MEMBER_NUMBER_COUNTER.to_owned())
        .one(conn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("member number counter".to_owned()))?;
    Ok(row.value)
}

/// Allocates `count` consecutive member numbers at once and returns the first (bulk
/// imports); same counter and guarantees as [`next_member_number`].
pub async fn reserve_member_numbers<C: ConnectionTrait>(conn: &C, count: i64) -> Result<i64, DbErr> {
    let first = next_member_number(conn).await?;
    counter::Entity::update_many()
        // An explicit value (the row is locked by the increment above): in `value + $1`
        // PostgreSQL would type the parameter as a 4-byte integer.
        .col_expr(counter::Column::Value, Expr::value(first + count - 1))
        .filter(counter::Column::Name.eq(MEMBER_NUMBER_COUNTER))
        .exec(conn)
        .await?;
    Ok(first)
}

/// The columns of a new member.
pub struct NewMember<'a> {
    pub member_number: i64,
    pub email: &'a str,
    pub password_hash: String,
    pub legal_name: &'a str,
    pub role: Role,
    /// Set for accounts made by staff tools and demo data; registrations confirm later.
    pub email_confirmed_at: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

pub async fn insert<C: ConnectionTrait>(conn: &C, new: NewMember<'_>) -> Result<member::Model, DbErr> {
    member_row(new).insert(conn).await
}

/// The row of a new active member.
fn member_row(new: NewMember<'_>) -> member::ActiveModel {
    member::ActiveModel {
        member_number: Set(new.member_number),
        email: Set(new.email.to_owned()),
        password_hash: Set(new.password_hash),
        legal_name: Set(new.legal_name.to_owned()),
        role: Set(new.role),
        status: Set(MemberStatus::Active),
        email_confirmed_at: Set(new.email_confirmed_at),
        created_at: Set(new.now),
        updated_at: Set(new.now),
        ..Default::default()
    }
}

pub async fn find_by_email<C: ConnectionTrait>(conn: &C, email: &str) -> Result<Option<member::Model>, DbErr> {
    member::Entity::find()
        .filter(member::Column::Email.eq(email))
        .one(conn)
        .await
}

pub async fn find_by_id<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<member::Model>, DbErr> {
    member::Entity::find_by_id(id).one(conn).await
}

pub async fn find_by_number<C: ConnectionTrait>(conn: &C, number: i64) -> Result<Option<member::Model>, DbErr> {
    member::Entity::find()
        .filter(member::Column::MemberNumber.eq(number))
        .one(conn)
        .await
}

pub async fn set_status<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    status: MemberStatus,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    update_column(conn, id, member::Column::Status, Expr::value(status), now).await
}

/// Records a successful login.
pub async fn set_last_login<C: ConnectionTrait>(conn: &C, id: i64, at: DateTime<Utc>) -> Result<(), DbErr> {
    member::Entity::update_many()
        .col_expr(member::Column::LastLoginAt, Expr::value(at))
        .filter(member::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Sets an account's role and the course provider it acts for (only a `provider` has one).
pub async fn set_role<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    role: Role,
    course_provider_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    member::Entity::update_many()
        .col_expr(member::Column::Role, Expr::value(role))
        .col_expr(member::Column::CourseProviderId, Expr::value(course_provider_id))
        .col_expr(member::Column::UpdatedAt, Expr::value(now))
        .filter(member::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Sets the password hash and legal name an account confirms with.
pub async fn set_credentials<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    password_hash: String,
    legal_name: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    member::Entity::update_many()
        .col_expr(member::Column::PasswordHash, Expr::value(password_hash))
        .col_expr(member::Column::LegalName, Expr::value(legal_name))
        .col_expr(member::Column::UpdatedAt, Expr::value(now))
        .filter(member::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Records that the member proved the address is theirs (kept from the first time).
pub async fn confirm_email<C: ConnectionTrait>(conn: &C, id: i64, now: DateTime<Utc>) -> Result<(), DbErr> {
    member::Entity::update_many()
        .col_expr(member::Column::EmailConfirmedAt, Expr::value(now))
        .filter(member::Column::Id.eq(id))
        .filter(member::Column::EmailConfirmedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

async fn update_column<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    column: member::Column,
    value: Expr,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    member::Entity::update_many()
        .col_expr(column, value)
        .col_expr(member::Column::UpdatedAt, Expr::value(now))
        .filter(member::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn set_password_hash<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    hash: String,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    update_column(conn, id, member::Column::PasswordHash, Expr::value(hash), now).await
}

pub async fn count<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    member::Entity::find().count(conn).await
}

/// Member numbers of the given member ids, in one query.
pub async fn numbers_by_id<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, i64>, DbErr> {
    use sea_orm::QuerySelect;
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let mut unique = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let rows: Vec<(i64, i64)> = member::Entity::find()
        .select_only()
        .column(member::Column::Id)
        .column(member::Column::MemberNumber)
        .filter(member::Column::Id.is_in(unique))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The private contact fields of a member record.
#[derive(Clone)]
pub struct ContactFields {
    pub phone: Option<String>,
    pub street_address: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub date_of_birth: Option<chrono::NaiveDate>,
}

pub async fn set_contact_fields<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    fields: ContactFields,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    member::Entity::update_many()
        .col_expr(member::Column::Phone, Expr::value(fields.phone))
        .col_expr(member::Column::StreetAddress, Expr::value(fields.street_address))
        .col_expr(member::Column::AddressCity, Expr::value(fields.city))
        .col_expr(member::Column::AddressRegion, Expr::value(fields.region))
        .col_expr(member::Column::PostalCode, Expr::value(fields.postal_code))
        .col_expr(member::Column::AddressCountry, Expr::value(fields.country))
        .col_expr(member::Column::DateOfBirth, Expr::value(fields.date_of_birth))
        .col_expr(member::Column::UpdatedAt, Expr::value(now))
        .filter(member::Column::Id.eq(id))
        .exec(conn)
        .await?;
    crate::db::profiles::refresh_public_phone_of_member(conn, id).await
}

pub async fn find_by_ids<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Vec<member::Model>, DbErr> {
    member::Entity::find()
        .filter(member::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await
}

/// Inserts many confirmed members with their contact fields in one statement (bulk loads:
/// the benchmark's sample directory); their ids, in the order given.
pub async fn insert_many<C: ConnectionTrait>(
    conn: &C,
    members: Vec<(NewMember<'_>, ContactFields)>,
) -> Result<Vec<i64>, DbErr> {
    let numbers: Vec<i64> = members.iter().map(|(m, _)| m.member_number).collect();
    if numbers.is_empty() {
        return Ok(Vec::new());
    }
    let rows = members.into_iter().map(|(new, contact)| member::ActiveModel {
        phone: Set(contact.phone),
        street_address: Set(contact.street_address),
        address_city: Set(contact.city),
        address_region: Set(contact.region),
        postal_code: Set(contact.postal_code),
        address_country: Set(contact.country),
        date_of_birth: Set(contact.date_of_birth),
        ..member_row(new)
    });
    crate::db::insert_in_batches(conn, rows, 16).await?;
    let found: std::collections::HashMap<i64, i64> = member::Entity::find()
        .filter(member::Column::MemberNumber.is_in(numbers.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.member_number, m.id))
        .collect();
    numbers
        .iter()
        .map(|n| {
            found
                .get(n)
                .copied()
                .ok_or_else(|| DbErr::RecordNotFound(format!("member {n} just inserted")))
        })
        .collect()
}
