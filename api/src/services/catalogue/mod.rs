//! The course catalogue (issue 13, first part): providers and continuing-education courses
//! that staff create, edit and retire (retired courses stay for history and leave the public
//! catalogue), with a public price and an optional member price (P21: the schema shows it to
//! members only). A course's CEC value is its hours at `CPTN_CEC_PER_HOUR` unless staff set
//! another.

use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::db::catalogue::{CourseFields, CourseFilter};
use crate::error::{Error, Result, conflict_on_unique};
use crate::page::{Page, PageRequest};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::state::AppState;
use entity::enums::{AuditKind, CourseApproval, CourseDelivery};
use entity::{course, course_provider};
use shared::Money;
use shared::validate::{bounded_text, slugify};

pub mod workshops;

pub use workshops::{WorkshopInput, create_workshop, retire_workshop, update_workshop, workshops_of};

/// A course with its provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CourseView {
    pub course: course::Model,
    pub provider: course_provider::Model,
}

/// What staff type for a course.
pub struct CourseInput {
    pub provider_slug: String,
    pub title: String,
    pub description: String,
    pub delivery: CourseDelivery,
    /// Hours, one decimal (`7.5`).
    pub hours: String,
    /// CEC value, one decimal; `None`: from the hours.
    pub cec: Option<String>,
    pub approved: bool,
    /// Dollars (`95.00`).
    pub public_price: String,
    /// Dollars; `None`: members pay the public price.
    pub member_price: Option<String>,
}

/// Staff: adds a provider, its address made from its name. `CONFLICT` when taken.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn create_provider(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    name: &str,
) -> Result<course_provider::Model> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let name = bounded_text("name", name, 160, true, false)?;
    let slug = slugify(&name);
    if slug.len() < 2 {
        return Err(Error::invalid("name", "Enter the provider's name."));
    }
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let provider = db::catalogue::insert_provider(write.conn(), slug, name, write.now())
        .await
        .map_err(|e| conflict_on_unique(e, "name", "A provider with this name exists."))?;
    write
        .commit(AuditRecord::new(AuditKind::CourseProviderCreated).detail(format!("provider {}", provider.id)))
        .await?;
    Ok(provider)
}

/// Staff: renames the provider `slug` (its address stays); its courses are found by the
/// new name at once. `CONFLICT` when another provider has the name.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn update_provider(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    slug: &str,
    name: &str,
) -> Result<course_provider::Model> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let name = bounded_text("name", name, 160, true, false)?;
    let provider = db::catalogue::provider_by_slug(&state.db, slug.trim())
        .await?
        .ok_or(Error::NotFound)?;
    let taken = db::catalogue::providers(&state.db, true)
        .await?
        .into_iter()
        .any(|p| p.id != provider.id && p.name.eq_ignore_ascii_case(&name));
    if taken {
        return Err(Error::Conflict {
            field: Some("name"),
            message: "A provider with this name exists.".to_owned(),
        });
    }
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    db::catalogue::rename_provider(write.conn(), provider.id, name.clone()).await?;
    for course in db::catalogue::courses_of_provider(write.conn(), provider.id).await? {
        db::search::catalogue::index_course(write.conn(), &course, &name).await?;
    }
    write
        .commit(AuditRecord::new(AuditKind::CourseProviderUpdated).detail(format!("provider {}", provider.id)))
        .await?;
    db::catalogue::provider_by_slug(&state.db, &provider.slug)
        .await?
        .ok_or(Error::NotFound)
}

/// Staff: retires the provider `slug` and its current courses; they stay for history.
/// `CONFLICT` when already retired.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn retire_provider(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    slug: &str,
) -> Result<course_provider::Model> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let provider = db::catalogue::provider_by_slug(&state.db, slug.trim())
        .await?
        .ok_or(Error::NotFound)?;
    if provider.retired_at.is_some() {
        return Err(Error::Conflict {
            field: Some("slug"),
            message: "This provider is already retired.".to_owned(),
        });
    }
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    db::catalogue::retire_provider(write.conn(), provider.id, write.now()).await?;
    write
        .commit(AuditRecord::new(AuditKind::CourseProviderRetired).detail(format!("provider {}", provider.id)))
        .await?;
    db::catalogue::provider_by_slug(&state.db, &provider.slug)
        .await?
        .ok_or(Error::NotFound)
}

/// The providers, by name (current ones only).
#[tracing::instrument(skip_all)]
pub async fn providers(state: &AppState) -> Result<Vec<course_provider::Model>> {
    Ok(db::catalogue::providers(&state.db, false).await?)
}

/// Checks a course's fields; `VALIDATION` names the field.
async fn fields_of(state: &AppState, input: CourseInput) -> Result<CourseFields> {
    let provider = db::catalogue::provider_by_slug(&state.db, input.provider_slug.trim())
        .await?
        .filter(|p| p.retired_at.is_none())
        .ok_or_else(|| Error::invalid("providerSlug", "No such provider."))?;
    let hours_tenths = shared::cec::parse_tenths(&input.hours)
        .filter(|h| (1..=1000).contains(h))
        .ok_or_else(|| Error::invalid("hours", "Hours are between 0.1 and 100, with one decimal."))?;
    let cec_tenths = match input.cec.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(cec) => shared::cec::parse_tenths(cec)
            .filter(|c| (0..=100).contains(c))
            .ok_or_else(|| Error::invalid("cec", "A CEC value is between 0.0 and 10.0, with one decimal."))?,
        None => hours_tenths * state.settings.certification.cec_per_hour_tenths / 10,
    };
    let price = |field: &'static str, text: &str| {
        Money::parse_dollars(text)
            .filter(|m| m.cents <= 10_000_000)
            .ok_or_else(|| Error::invalid(field, "Write a price in dollars, such as 95.00."))
    };
    let public_price = price("publicPrice", &input.public_price)?;
    let member_price = match input.member_price.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(text) => Some(price("memberPrice", text)?),
        None => None,
    };
    if member_price.is_some_and(|m| m > public_price) {
        return Err(Error::invalid(
            "memberPrice",
            "A member price is at most the public price.",
        ));
    }
    Ok(CourseFields {
        provider_id: provider.id,
        provider_name: provider.name,
        title: bounded_text("title", &input.title, 200, true, false)?,
        description: bounded_text("description", &input.description, 5000, false, true)?,
        delivery: input.delivery,
        hours_tenths,
        cec_tenths,
        approval: if input.approved {
            CourseApproval::Approved
        } else {
            CourseApproval::NotApproved
        },
        public_price_cents: public_price.cents,
        member_price_cents: member_price.map(|m| m.cents),
    })
}

/// A course code as written in the catalogue: 2 to 32 capitals, digits and dashes.
fn course_code(raw: &str) -> Result<String> {
    let code = raw.trim().to_uppercase();
    let well_formed = (2..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if well_formed {
        Ok(code)
    } else {
        Err(Error::invalid(
            "code",
            "A course code is 2 to 32 letters, digits and dashes, like NUT-201.",
        ))
    }
}

/// Staff: adds a course. `CONFLICT` on a code in use.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn create_course(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    code: &str,
    input: CourseInput,
) -> Result<CourseView> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let code = course_code(code)?;
    let fields = fields_of(state, input).await?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let provider_name = fields.provider_name.clone();
    let course = db::catalogue::insert_course(write.conn(), code, fields, write.now())
        .await
        .map_err(|e| conflict_on_unique(e, "code", "Another course uses this code."))?;
    db::search::catalogue::index_course(write.conn(), &course, &provider_name).await?;
    write
        .commit(AuditRecord::new(AuditKind::CourseCreated).detail(format!("course {}", course.code)))
        .await?;
    course_view(state, &course.code, true).await
}

/// Staff: replaces a course's fields (its code stays).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn update_course(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    code: &str,
    input: CourseInput,
) -> Result<CourseView> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let code = course_code(code)?;
    let existing = db::catalogue::course_by_code(&state.db, &code)
        .await?
        .ok_or(Error::NotFound)?;
    let fields = fields_of(state, input).await?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let provider_name = fields.provider_name.clone();
    db::catalogue::update_course(write.conn(), existing.id, fields, write.now()).await?;
    let updated = db::catalogue::course_by_code(write.conn(), &code)
        .await?
        .ok_or(Error::NotFound)?;
    db::search::catalogue::index_course(write.conn(), &updated, &provider_name).await?;
    write
        .commit(AuditRecord::new(AuditKind::CourseUpdated).detail(format!("course {code}")))
        .await?;
    course_view(state, &code, true).await
}

/// Staff: retires a course: it leaves the public catalogue and stays for history.
/// `CONFLICT` when already retired.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn retire_course(state: &AppState, viewer: &Viewer, meta: &RequestMeta, code: &str) -> Result<CourseView> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let code = course_code(code)?;
    let existing = db::catalogue::course_by_code(&state.db, &code)
        .await?
        .ok_or(Error::NotFound)?;
    if existing.retired_at.is_some() {
        return Err(Error::Conflict {
            field: Some("code"),
            message: "This course is already retired.".to_owned(),
        });
    }
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    db::catalogue::retire_course(write.conn(), existing.id, write.now()).await?;
    write
        .commit(AuditRecord::new(AuditKind::CourseRetired).detail(format!("course {code}")))
        .await?;
    course_view(state, &code, true).await
}

/// The course with `code`; a retired one only for staff (`with_retired`), `NOT_FOUND`
/// otherwise.
async fn course_view(state: &AppState, code: &str, with_retired: bool) -> Result<CourseView> {
    let course = db::catalogue::course_by_code(&state.db, code)
        .await?
        .filter(|c| with_retired || c.retired_at.is_none())
        .ok_or(Error::NotFound)?;
    let provider = db::catalogue::providers_by_id(&state.db, &[course.provider_id])
        .await?
        .pop()
        .ok_or(Error::NotFound)?;
    Ok(CourseView { course, provider })
}

/// A current course by code (a retired one too, for staff).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn course(state: &AppState, viewer: &Viewer, code: &str) -> Result<CourseView> {
    let staff = authz::require(viewer, Audience::Staff, Subject::NOBODY).is_ok();
    course_view(state, code.trim().to_uppercase().as_str(), staff).await
}

/// Where a catalogue page starts: after a title (a list) or after a score (a search).
#[derive(Clone, Debug, PartialEq)]
pub enum CourseKey {
    Title { title: String, id: i64 },
    Score { score: f64, id: i64 },
}

/// What the public catalogue is asked for.
pub struct CatalogueQuery {
    /// Words to search for (titles, codes, providers, descriptions; typos forgiven as in
    /// the directory); without them, the catalogue by title.
    pub text: Option<String>,
    pub provider_slug: Option<String>,
    pub delivery: Option<CourseDelivery>,
    pub approved: Option<bool>,
    pub page: PageRequest<CourseKey>,
}

/// Current courses: the best matches of a search first, or by title.
#[tracing::instrument(skip_all)]
pub async fn courses(state: &AppState, query: CatalogueQuery) -> Result<Page<(CourseKey, CourseView)>> {
    let provider_id = match query.provider_slug.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(slug) => match db::catalogue::provider_by_slug(&state.db, slug).await? {
            Some(provider) => Some(provider.id),
            None => return Ok(Page::from_rows(Vec::new(), query.page.first)),
        },
        None => None,
    };
    let filter = CourseFilter {
        provider_id,
        delivery: query.delivery,
        approval: query.approved.map(|a| {
            if a {
                CourseApproval::Approved
            } else {
                CourseApproval::NotApproved
            }
        }),
    };
    let terms = query.text.as_deref().map(db::search::terms_of).unwrap_or_default();
    if !terms.is_empty() {
        let after = match query.page.after {
            None => None,
            Some(CourseKey::Score { score, id }) => Some((score, id)),
            Some(CourseKey::Title { .. }) => return Err(other_list()),
        };
        let similar = similar_words(state, &terms).await?;
        let search = db::search::catalogue::CourseSearch {
            terms: &terms,
            similar: &similar,
            filter: &filter,
            after,
            limit: query.page.limit_plus_one(),
        };
        // One statement: the matches with their providers.
        let found = db::search::catalogue::search_courses(&state.reads, &search).await?;
        let views = found
            .into_iter()
            .map(|f| {
                let key = CourseKey::Score {
                    score: f.score,
                    id: f.course.id,
                };
                (
                    key,
                    CourseView {
                        course: f.course,
                        provider: f.provider,
                    },
                )
            })
            .collect();
        return Ok(Page::from_rows(views, query.page.first));
    }
    let after = match query.page.after.clone() {
        None => None,
        Some(CourseKey::Title { title, id }) => Some((title, id)),
        Some(CourseKey::Score { .. }) => return Err(other_list()),
    };
    let rows = db::catalogue::courses(&state.db, &filter, after, query.page.limit_plus_one()).await?;
    let ids: Vec<i64> = rows.iter().map(|c| c.provider_id).collect();
    let providers = db::catalogue::providers_by_id(&state.db, &ids).await?;
    let views = rows
        .into_iter()
        .filter_map(|course| {
            let provider = providers.iter().find(|p| p.id == course.provider_id)?.clone();
            let key = CourseKey::Title {
                title: course.title.clone(),
                id: course.id,
            };
            Some((key, CourseView { course, provider }))
        })
        .collect();
    Ok(Page::from_rows(views, query.page.first))
}

fn other_list() -> Error {
    Error::invalid("after", "This cursor belongs to another search.")
}

/// For each search word, the catalogue words it may be a typo of: kept for a while like
/// the directory's (`AppState::course_typos`), the others found in one statement.
async fn similar_words(state: &AppState, terms: &[String]) -> Result<Vec<Vec<String>>> {
    let reads = &state.reads;
    Ok(state
        .course_typos
        .candidates(terms, |missing| async move {
            db::search::catalogue::similar_course_words(reads, &missing).await
        })
        .await?)
}

/// Up to `first` course titles, or provider names, with a word starting with `prefix`.
#[tracing::instrument(skip_all)]
pub async fn suggest(state: &AppState, prefix: &str, providers: bool, first: u64) -> Result<Vec<String>> {
    let folded = shared::validate::fold(prefix.trim());
    if folded.is_empty() {
        return Ok(Vec::new());
    }
    if providers {
        let names = db::catalogue::providers(&state.db, false).await?;
        return Ok(names
            .into_iter()
            .filter(|p| shared::fuzzy::words(&p.name).iter().any(|w| w.starts_with(&folded)))
            .map(|p| p.name)
            .take(usize::try_from(first).unwrap_or(10))
            .collect());
    }
    Ok(db::search::catalogue::suggest_titles(&state.db, &folded, first).await?)
}
