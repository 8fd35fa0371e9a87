//! Queries on directory profiles, their specialties, and the member fields a profile may
//! show. Public reads apply the member's visibility choices in SQL: disabled profiles are
//! filtered out and the phone column is `NULL` unless it is showcased (P5, P6).

use crate::db::Params;
use chrono::{DateTime, Utc};
use entity::enums::{CertificationStatus, ProfileStatus};
use entity::{directory_profile as profile, profile_specialty, specialty};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QueryResult, QuerySelect, Set, TryIntoModel,
};
use std::collections::HashMap;

/// A profile as anyone may see it: no private column is selected, and `phone` is filled
/// by SQL only while the member showcases it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicProfileRow {
    pub id: i64,
    pub slug: String,
    pub display_name: String,
    pub city: String,
    pub region: String,
    pub country: String,
    pub bio: String,
    pub languages: String,
    pub photo_file: Option<String>,
    pub certification_status: CertificationStatus,
    pub phone: Option<String>,
    /// From the managed list, by name.
    pub specialties: Vec<specialty::Model>,
}

/// The public columns of `directory_profile p`: everything a card shows is on the profile
/// row itself (migration `m20261129_000010_profile_card_columns`), so that a profile or a
/// whole page of them is read from one table in one statement. The phone is there only
/// while showcased (P5): `public_phone` holds it then and is NULL otherwise.
pub(crate) fn public_columns() -> &'static str {
    "p.id, p.slug, p.display_name, p.city, p.region, p.country, p.bio, p.languages, \
     p.photo_file, p.certification_status, p.public_phone AS phone, p.specialty_list AS specialties"
}

/// Rewrites `public_phone` of the profiles matched by `key = id` (`id` for one profile,
/// `member_id` for a member's): the member's phone while the profile showcases it, NULL
/// otherwise (P5). Call in the transaction that changed the flag or the phone.
async fn refresh_public_phone<C: ConnectionTrait>(conn: &C, key: &str, id: i64) -> Result<(), DbErr> {
    let mut params = Params::new(conn.get_database_backend());
    let p = params.push(id);
    let sql = format!(
        "UPDATE directory_profile SET public_phone = CASE WHEN show_phone THEN \
         (SELECT m.phone FROM member m WHERE m.id = directory_profile.member_id) END WHERE {key} = {p}"
    );
    conn.execute_raw(params.statement(sql)).await?;
    Ok(())
}

/// After a member's phone changed: their profile's public phone follows (P5).
pub async fn refresh_public_phone_of_member<C: ConnectionTrait>(conn: &C, member_id: i64) -> Result<(), DbErr> {
    refresh_public_phone(conn, "member_id", member_id).await
}

/// Rewrites a profile's `specialty_list` (`id TAB slug TAB name` lines, by name) from its
/// links. Call in the transaction that rewrote them.
async fn refresh_specialty_list<C: ConnectionTrait>(conn: &C, profile_id: i64) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let (aggregate, tab, newline) = match backend {
        DbBackend::Postgres => ("string_agg", "chr(9)", "chr(10)"),
        _ => ("group_concat", "char(9)", "char(10)"),
    };
    let mut params = Params::new(backend);
    let p = params.push(profile_id);
    let sql = format!(
        "UPDATE directory_profile SET specialty_list = COALESCE((SELECT {aggregate}(line, {newline}) FROM \
         (SELECT sp.id || {tab} || sp.slug || {tab} || sp.name AS line FROM profile_specialty ps \
         JOIN specialty sp ON sp.id = ps.specialty_id WHERE ps.profile_id = directory_profile.id \
         ORDER BY sp.name) lines), '') WHERE id = {p}"
    );
    conn.execute_raw(params.statement(sql)).await?;
    Ok(())
}

impl PublicProfileRow {
    /// Reads the columns of [`public_columns`] from a result row, by position (they come
    /// first, in that order): looking each column up by name cost a tenth of the server's
    /// work on a 20-result page.
    pub(crate) fn from_result(result: &QueryResult) -> Result<Self, DbErr> {
        let specialty_list: Option<String> = result.try_get_by_index(11)?;
        let mut specialties: Vec<specialty::Model> = specialty_list
            .as_deref()
            .unwrap_or_default()
            .lines()
            .filter_map(|line| {
                let mut parts = line.splitn(3, '\t');
                Some(specialty::Model {
                    id: parts.next()?.parse().ok()?,
                    slug: parts.next()?.to_owned(),
                    name: parts.next()?.to_owned(),
                })
            })
            .collect();
        specialties.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Self {
            id: result.try_get_by_index(0)?,
            slug: result.try_get_by_index(1)?,
            display_name: result.try_get_by_index(2)?,
            city: result.try_get_by_index(3)?,
            region: result.try_get_by_index(4)?,
            country: result.try_get_by_index(5)?,
            bio: result.try_get_by_index(6)?,
            languages: result.try_get_by_index(7)?,
            photo_file: result.try_get_by_index(8)?,
            certification_status: result.try_get_by_index(9)?,
            phone: result.try_get_by_index(10)?,
            specialties,
        })
    }
}

/// The active profile with this slug, as the public sees it, with its specialties.
pub async fn public_by_slug<C: ConnectionTrait>(conn: &C, slug: &str) -> Result<Option<PublicProfileRow>, DbErr> {
    let mut params = Params::new(conn.get_database_backend());
    let sql = format!(
        "SELECT {} FROM directory_profile p WHERE p.slug = {} AND p.status = 'active'",
        public_columns(),
        params.push(slug)
    );
    conn.query_one_raw(params.statement(sql))
        .await?
        .map(|row| PublicProfileRow::from_result(&row))
        .transpose()
}

pub async fn find_by_member<C: ConnectionTrait>(conn: &C, member_id: i64) -> Result<Option<profile::Model>, DbErr> {
    profile::Entity::find()
        .filter(profile::Column::MemberId.eq(member_id))
        .one(conn)
        .await
}

pub async fn slug_taken<C: ConnectionTrait>(conn: &C, slug: &str, except_member: i64) -> Result<bool, DbErr> {
    Ok(profile::Entity::find()
        .filter(profile::Column::Slug.eq(slug))
        .filter(profile::Column::MemberId.ne(except_member))
        .one(conn)
        .await?
        .is_some())
}

/// The editable columns of a profile.
pub struct ProfileFields {
    pub slug: String,
    pub display_name: String,
    pub city: String,
    pub region: String,
    pub country: String,
    pub bio: String,
    pub languages: String,
    pub show_phone: bool,
}

/// Creates the member's profile or replaces its editable columns and its specialties, then
/// everything kept from them (public phone and status, specialty list and links, search
/// entries), the entries once.
pub async fn upsert<C: ConnectionTrait>(
    conn: &C,
    member_id: i64,
    fields: ProfileFields,
    specialty_ids: &[i64],
    now: DateTime<Utc>,
) -> Result<profile::Model, DbErr> {
    let existing = find_by_member(conn, member_id).await?;
    let mut row: profile::ActiveModel = match existing {
        Some(found) => found.into(),
        None => profile::ActiveModel {
            member_id: Set(member_id),
            photo_file: Set(None),
            status: Set(ProfileStatus::Active),
            chosen_status: Set(ProfileStatus::Active),
            search_rank: Set(0),
            certification_status: Set(CertificationStatus::None),
            created_at: Set(now),
            ..Default::default()
        },
    };
    let (fields_name, fields_city) = (fields.display_name.clone(), fields.city.clone());
    row.slug = Set(fields.slug);
    row.display_name = Set(fields.display_name);
    row.city = Set(fields.city);
    row.region = Set(fields.region);
    row.country = Set(fields.country);
    row.bio = Set(fields.bio);
    row.languages = Set(fields.languages);
    row.show_phone = Set(fields.show_phone);
    row.name_folded = Set(shared::validate::fold(&fields_name));
    row.city_folded = Set(shared::validate::fold(&fields_city));
    row.updated_at = Set(now);
    let saved = row.save(conn).await?.try_into_model()?;
    refresh_public_phone(conn, "id", saved.id).await?;
    update_status(conn, "id", saved.id, now).await?;
    write_links(conn, saved.id, specialty_ids).await?;
    crate::db::search::reindex(conn, saved.id).await?;
    refresh_specialty_list(conn, saved.id).await?;
    find_by_member(conn, member_id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the profile just saved".to_owned()))
}

pub async fn set_show_phone<C: ConnectionTrait>(
    conn: &C,
    profile_id: i64,
    show: bool,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    update_column(conn, profile_id, profile::Column::ShowPhone, Expr::val(show), now).await?;
    refresh_public_phone(conn, "id", profile_id).await
}

/// Records what the member (or staff) chose, and what the public sees follows.
pub async fn set_chosen_status<C: ConnectionTrait>(
    conn: &C,
    profile_id: i64,
    status: ProfileStatus,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    update_column(conn, profile_id, profile::Column::ChosenStatus, Expr::val(status), now).await?;
    refresh_status(conn, "id", profile_id, now).await
}

/// Rewrites `status`, what the public sees, of the profiles matched by `key = id` (`id`
/// for one profile, `member_id` for a member's): `active` only while the member lists it
/// and the account is active (a disabled or wiped account leaves no public trace), then
/// rewrites its search entries. Call in the transaction that changed either.
/// `disabled_since` records when the public stopped seeing it (kept while it stays hidden).
async fn refresh_status<C: ConnectionTrait>(conn: &C, key: &str, id: i64, now: DateTime<Utc>) -> Result<(), DbErr> {
    update_status(conn, key, id, now).await?;
    let profile_id = if key == "id" {
        Some(id)
    } else {
        find_by_member(conn, id).await?.map(|p| p.id)
    };
    if let Some(profile_id) = profile_id {
        crate::db::search::reindex(conn, profile_id).await?;
    }
    Ok(())
}

/// The status columns of [`refresh_status`], without the copies.
async fn update_status<C: ConnectionTrait>(conn: &C, key: &str, id: i64, now: DateTime<Utc>) -> Result<(), DbErr> {
    let mut params = Params::new(conn.get_database_backend());
    let at = params.push(now);
    let p = params.push(id);
    let listed = "chosen_status = 'active' AND \
         (SELECT m.status FROM member m WHERE m.id = directory_profile.member_id) = 'active'";
    let sql = format!(
        "UPDATE directory_profile SET status = CASE WHEN {listed} THEN 'active' ELSE 'disabled' END, \
         disabled_since = CASE WHEN {listed} THEN NULL ELSE COALESCE(disabled_since, {at}) END \
         WHERE {key} = {p}"
    );
    conn.execute_raw(params.statement(sql)).await?;
    Ok(())
}

/// After a member's account status changed: their profile's public status follows.
pub async fn refresh_status_of_member<C: ConnectionTrait>(
    conn: &C,
    member_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    refresh_status(conn, "member_id", member_id, now).await
}

/// Sets the persistent search rank (staff tooling and sample data).
pub async fn set_search_rank<C: ConnectionTrait>(
    conn: &C,
    profile_id: i64,
    rank: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    update_column(conn, profile_id, profile::Column::SearchRank, Expr::val(rank), now).await?;
    crate::db::search::reindex(conn, profile_id).await
}

/// How many profiles exist, active or not.
pub async fn count<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    profile::Entity::find().count(conn).await
}

/// Every slug in use.
pub async fn all_slugs<C: ConnectionTrait>(conn: &C) -> Result<Vec<String>, DbErr> {
    profile::Entity::find()
        .select_only()
        .column(profile::Column::Slug)
        .into_tuple()
        .all(conn)
        .await
}

async fn update_column<C: ConnectionTrait>(
    conn: &C,
    profile_id: i64,
    column: profile::Column,
    value: Expr,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    profile::Entity::update_many()
        .col_expr(column, value)
        .col_expr(profile::Column::UpdatedAt, Expr::val(now))
        .filter(profile::Column::Id.eq(profile_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Deletes the profile row; its specialty links go with it (foreign-key cascade, and
/// explicitly, for SQLite connections opened without foreign keys).
pub async fn delete<C: ConnectionTrait>(conn: &C, profile_id: i64) -> Result<(), DbErr> {
    profile_specialty::Entity::delete_many()
        .filter(profile_specialty::Column::ProfileId.eq(profile_id))
        .exec(conn)
        .await?;
    profile::Entity::delete_by_id(profile_id).exec(conn).await?;
    Ok(())
}

/// The managed list, by name.
pub async fn all_specialties<C: ConnectionTrait>(conn: &C) -> Result<Vec<specialty::Model>, DbErr> {
    specialty::Entity::find()
        .order_by_asc(specialty::Column::Name)
        .all(conn)
        .await
}

pub async fn specialties_by_slug<C: ConnectionTrait>(
    conn: &C,
    slugs: &[String],
) -> Result<Vec<specialty::Model>, DbErr> {
    if slugs.is_empty() {
        return Ok(Vec::new());
    }
    specialty::Entity::find()
        .filter(specialty::Column::Slug.is_in(slugs.iter().map(String::as_str)))
        .all(conn)
        .await
}

/// Replaces the profile's specialties, and what follows them: its specialty list and search
/// entries.
pub async fn set_specialties<C: ConnectionTrait>(
    conn: &C,
    profile_id: i64,
    specialty_ids: &[i64],
) -> Result<(), DbErr> {
    write_links(conn, profile_id, specialty_ids).await?;
    // Even with no links left: the entries of the specialties it had must go.
    crate::db::search::reindex(conn, profile_id).await?;
    refresh_specialty_list(conn, profile_id).await
}

/// Replaces a profile's specialty links.
async fn write_links<C: ConnectionTrait>(conn: &C, profile_id: i64, specialty_ids: &[i64]) -> Result<(), DbErr> {
    profile_specialty::Entity::delete_many()
        .filter(profile_specialty::Column::ProfileId.eq(profile_id))
        .exec(conn)
        .await?;
    // Collected first: a borrowing iterator held across the inserts' awaits would make the
    // future of every caller lose `Send`.
    let rows: Vec<_> = specialty_ids
        .iter()
        .map(|id| profile_specialty::ActiveModel {
            profile_id: Set(profile_id),
            specialty_id: Set(*id),
        })
        .collect();
    crate::db::insert_in_batches(conn, rows, 2).await?;
    Ok(())
}

/// The specialties of many profiles in one query.
pub async fn specialties_of<C: ConnectionTrait>(
    conn: &C,
    profile_ids: &[i64],
) -> Result<HashMap<i64, Vec<specialty::Model>>, DbErr> {
    let mut out: HashMap<i64, Vec<specialty::Model>> = HashMap::new();
    if profile_ids.is_empty() {
        return Ok(out);
    }
    let rows = profile_specialty::Entity::find()
        .filter(profile_specialty::Column::ProfileId.is_in(profile_ids.iter().copied()))
        .find_also_related(specialty::Entity)
        .order_by_asc(profile_specialty::Column::ProfileId)
        .all(conn)
        .await?;
    for (link, specialty) in rows {
        if let Some(specialty) = specialty {
            out.entry(link.profile_id).or_default().push(specialty);
        }
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(out)
}

/// The member behind the active profile at `slug` (the contact relay's recipient).
pub async fn active_member_by_slug<C: ConnectionTrait>(conn: &C, slug: &str) -> Result<Option<i64>, DbErr> {
    Ok(profile::Entity::find()
        .filter(profile::Column::Slug.eq(slug))
        .filter(profile::Column::Status.eq(ProfileStatus::Active))
        .one(conn)
        .await?
        .map(|p| p.member_id))
}

/// Replaces the profile's photo file name; returns the previous one.
pub async fn set_photo<C: ConnectionTrait>(
    conn: &C,
    profile: &profile::Model,
    file: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, DbErr> {
    update_column(conn, profile.id, profile::Column::PhotoFile, Expr::val(file), now).await?;
    Ok(profile.photo_file.clone())
}

/// True when `file` is the photo of an active profile (only those are served).
pub async fn photo_is_public<C: ConnectionTrait>(conn: &C, file: &str) -> Result<bool, DbErr> {
    Ok(profile::Entity::find()
        .filter(profile::Column::PhotoFile.eq(file))
        .filter(profile::Column::Status.eq(ProfileStatus::Active))
        .one(conn)
        .await?
        .is_some())
}

/// Which of `files` some profile names as its photo (the `files` job keeps those).
pub async fn photos_in_use<C: ConnectionTrait>(
    conn: &C,
    files: &[String],
) -> Result<std::collections::HashSet<String>, DbErr> {
    let mut used = std::collections::HashSet::new();
    // Bounded `IN` lists: SQLite allows at most 32,766 parameters in one statement.
    for chunk in files.chunks(500) {
        let rows = profile::Entity::find()
            .select_only()
            .column(profile::Column::PhotoFile)
            .filter(profile::Column::PhotoFile.is_in(chunk.iter().cloned()))
            .into_tuple::<Option<String>>()
            .all(conn)
            .await?;
        used.extend(rows.into_iter().flatten());
    }
    Ok(used)
}

/// A profile written by [`insert_many`].
pub struct NewProfile {
    pub member_id: i64,
    pub fields: ProfileFields,
    pub search_rank: i64,
    pub specialties: Vec<specialty::Model>,
    /// The member's phone, shown when `fields.show_phone`.
    pub phone: Option<String>,
}

/// Inserts many active profiles of active members with their specialty links, a few
/// statements for all (bulk loads: the benchmark's sample directory). The copies a single
/// write keeps on the profile (folded name and city, public phone, specialty list) are
/// written here the same way; the search entries are not: the
/// caller indexes them in the same transaction (`db::search::index_new`), or rebuilds the
/// index once the load is over (`db::search::rebuild`).
pub async fn insert_many<C: ConnectionTrait>(
    conn: &C,
    profiles: Vec<NewProfile>,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, DbErr> {
    if profiles.is_empty() {
        return Ok(Vec::new());
    }
    let member_ids: Vec<i64> = profiles.iter().map(|p| p.member_id).collect();
    let links: Vec<(i64, Vec<i64>)> = profiles
        .iter()
        .map(|p| (p.member_id, p.specialties.iter().map(|s| s.id).collect()))
        .collect();
    let rows = profiles.into_iter().map(|new| {
        let mut specialties = new.specialties;
        specialties.sort_by(|a, b| a.name.cmp(&b.name));
        let specialty_list = specialties
            .iter()
            .map(|s| format!("{}\t{}\t{}", s.id, s.slug, s.name))
            .collect::<Vec<_>>()
            .join("\n");
        let fields = new.fields;
        profile::ActiveModel {
            member_id: Set(new.member_id),
            photo_file: Set(None),
            status: Set(ProfileStatus::Active),
            chosen_status: Set(ProfileStatus::Active),
            search_rank: Set(new.search_rank),
            certification_status: Set(CertificationStatus::None),
            created_at: Set(now),
            updated_at: Set(now),
            name_folded: Set(shared::validate::fold(&fields.display_name)),
            city_folded: Set(shared::validate::fold(&fields.city)),
            public_phone: Set(new.phone.filter(|_| fields.show_phone)),
            specialty_list: Set(specialty_list),
            slug: Set(fields.slug),
            display_name: Set(fields.display_name),
            city: Set(fields.city),
            region: Set(fields.region),
            country: Set(fields.country),
            bio: Set(fields.bio),
            languages: Set(fields.languages),
            show_phone: Set(fields.show_phone),
            ..Default::default()
        }
    });
    crate::db::insert_in_batches(conn, rows, 20).await?;
    let ids: HashMap<i64, i64> = profile::Entity::find()
        .filter(profile::Column::MemberId.is_in(member_ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.member_id, p.id))
        .collect();
    let id_of = |member_id: i64| {
        ids.get(&member_id)
            .copied()
            .ok_or_else(|| DbErr::RecordNotFound(format!("the profile of member {member_id} just inserted")))
    };
    let mut link_rows = Vec::new();
    for (member_id, specialty_ids) in links {
        let profile_id = id_of(member_id)?;
        link_rows.extend(specialty_ids.into_iter().map(|id| profile_specialty::ActiveModel {
            profile_id: Set(profile_id),
            specialty_id: Set(id),
        }));
    }
    crate::db::insert_in_batches(conn, link_rows, 2).await?;
    member_ids.into_iter().map(id_of).collect()
}
