//! Directory search and typeahead over active profiles (P5 and P6 applied in SQL).

use crate::db;
use crate::db::search::{RankKey, SearchPage};
use crate::error::{Error, Result};
use crate::page::PageRequest;
use crate::state::AppState;

/// What a directory page asks for.
pub struct DirectorySearch {
    pub query: Option<String>,
    pub city: Option<String>,
    pub specialty: Option<String>,
    /// Keyset pagination by score and id.
    pub page: PageRequest<RankKey>,
}

/// Searches active profiles (P6: disabled ones never appear; P5: phones only when
/// showcased, both applied in SQL).
#[tracing::instrument(skip_all)]
pub async fn search(state: &AppState, input: DirectorySearch) -> Result<SearchPage> {
    let terms = input.query.as_deref().map(db::search::terms_of).unwrap_or_default();
    let similar = similar_names(state, &terms).await?;
    let query = db::search::SearchQuery {
        terms,
        similar,
        city: input
            .city
            .as_deref()
            .map(|c| shared::validate::fold(c.trim()))
            .filter(|c| !c.is_empty()),
        specialty: input.specialty.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
        page: input.page,
        path: db::search::SearchPath::Cheapest,
    };
    let fits = match query.page.after {
        None => true,
        Some(RankKey::Rank { .. }) => query.keyed_by_rank(),
        Some(RankKey::Score { .. }) => !query.keyed_by_rank(),
    };
    if !fits {
        return Err(Error::invalid("after", "This cursor belongs to another search."));
    }
    Ok(db::search::search(&state.reads, &query).await?)
}

/// For each search word, the name words it may be a typo of: from the cache where it has
/// them, the others in one statement.
async fn similar_names(state: &AppState, terms: &[String]) -> Result<Vec<Vec<String>>> {
    let reads = &state.reads;
    Ok(state
        .typos
        .candidates(terms, |missing| async move {
            db::search::similar_names(reads, &missing).await
        })
        .await?)
}

/// What typeahead completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuggestKind {
    Name,
    City,
    Specialty,
    /// Course titles of the catalogue.
    Course,
    /// Course providers' names.
    Provider,
}

/// Most completions one `suggest` gives.
pub const MAX_SUGGESTIONS: i64 = 10;

/// Up to `first` (1 to 10) completions of `prefix`.
#[tracing::instrument(skip_all)]
pub async fn suggest(state: &AppState, prefix: &str, kind: SuggestKind, first: i64) -> Result<Vec<String>> {
    if !(1..=MAX_SUGGESTIONS).contains(&first) {
        return Err(Error::invalid(
            "first",
            format!("`first` must be between 1 and {MAX_SUGGESTIONS}."),
        ));
    }
    let first = u64::try_from(first).unwrap_or(1);
    let prefix = shared::validate::fold(prefix.trim());
    if prefix.chars().count() > 60 {
        return Err(Error::invalid("prefix", "Type at most 60 characters."));
    }
    if prefix.is_empty() {
        return Ok(Vec::new());
    }
    let column = match kind {
        SuggestKind::Course => return crate::services::catalogue::suggest(state, &prefix, false, first).await,
        SuggestKind::Provider => return crate::services::catalogue::suggest(state, &prefix, true, first).await,
        SuggestKind::Name => db::search::SuggestColumn::Name,
        SuggestKind::City => db::search::SuggestColumn::City,
        SuggestKind::Specialty => {
            let names = db::profiles::all_specialties(&state.reads).await?;
            return Ok(names
                .into_iter()
                .filter(|s| {
                    shared::validate::fold(&s.name)
                        .split(' ')
                        .any(|w| w.starts_with(&prefix))
                })
                .map(|s| s.name)
                .take(usize::try_from(first).unwrap_or(10))
                .collect());
        }
    };
    Ok(db::search::suggest(&state.reads, column, &prefix, first).await?)
}

/// Rebuilds the directory's search entries, counts and typo index from the stored profiles
/// (`cptn search reindex`), in one audited transaction; how many profiles are listed.
#[tracing::instrument(skip_all)]
pub async fn reindex_search(db: &sea_orm::DatabaseConnection) -> Result<u64> {
    use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
    let write = AuditedWrite::begin(db, Actor::operator(chrono::Utc::now())).await?;
    let indexed = db::search::rebuild::rebuild(write.conn()).await?;
    write
        .commit(
            AuditRecord::new(entity::enums::AuditKind::SearchReindexed)
                .detail(format!("{indexed} active profiles indexed")),
        )
        .await?;
    Ok(indexed)
}
