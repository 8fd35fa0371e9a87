//! One page of a directory search or listing, from the search entries (`entries`), the same
//! statements on both engines.

use super::entries::{NAME_WEIGHT, PREFIX_ENTRY_LETTERS, listing_term, prefix_term, word_term};
use super::*;
use crate::db::Params;
use crate::db::profiles::{PublicProfileRow, public_columns};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

/// One page of active profiles matching `query`, by score (the matched words' weights plus
/// `search_rank`), ties broken by id. A query that one term answers (a listing, or one
/// word with no filter and no typo alternative) reads a range of that term's entries and its
/// count; any other intersects the entries of its terms.
pub async fn search<C: ConnectionTrait>(conn: &C, query: &SearchQuery) -> Result<SearchPage, DbErr> {
    let Some(plan) = plan(conn, query).await? else {
        return Ok(SearchPage {
            rows: Vec::new(),
            has_more: false,
            total: 0,
        });
    };
    let mut p = Params::new(conn.get_database_backend());
    // One more than the page, to learn whether more follow.
    let limit = p.push(i64::try_from(query.page.limit_plus_one()).unwrap_or(101));
    // Keyset pagination: only what comes after the previous page's last result.
    let after = |p: &mut Params, score: &str, id: &str| {
        let (value, last) = match query.page.after {
            None => return String::new(),
            Some(RankKey::Rank { rank, id }) => (rank, id),
            Some(RankKey::Score { score, id }) => (score, id),
        };
        let (v, i) = (p.push(value), p.push(last));
        format!(" AND ({score} < {v} OR ({score} = {v} AND {id} > {i}))")
    };
    let (with, count) = match plan {
        Plan::Single(term) => {
            let t = p.push(term);
            let after = after(&mut p, "score", "profile_id");
            (
                format!(
                    "page AS (SELECT profile_id AS id, score FROM search_entry WHERE term = {t}{after} \
                     ORDER BY score DESC, profile_id ASC LIMIT {limit})"
                ),
                format!("COALESCE((SELECT profiles FROM search_count WHERE term = {t}), 0)"),
            )
        }
        Plan::Matches(terms) => {
            let needed = p.push(i64::try_from(terms.len()).unwrap_or(i64::MAX));
            let hits = terms
                .iter()
                .map(|term| term.hits(&mut p))
                .collect::<Vec<_>>()
                .join(" UNION ALL ");
            let after = after(&mut p, "score", "id");
            (
                format!(
                    "hits AS ({hits}), \
                     matches AS (SELECT profile_id AS id, CAST(SUM(weight) + MAX(search_rank) AS BIGINT) AS score FROM hits \
                     GROUP BY profile_id HAVING COUNT(*) = {needed}), \
                     page AS (SELECT id, score FROM matches WHERE 1 = 1{after} ORDER BY score DESC, id ASC LIMIT {limit})"
                ),
                "(SELECT COUNT(*) FROM matches)".to_owned(),
            )
        }
    };
    // The count comes in every row, and alone (no profile columns) when the page is empty:
    // a cursor past the last result still learns the total.
    let columns = public_columns();
    let sql = format!(
        "WITH {with} SELECT {columns}, counted.total_count, page.score AS score_key \
         FROM (SELECT {count} AS total_count) counted LEFT JOIN \
         (page JOIN directory_profile p ON p.id = page.id AND p.status = 'active') ON 1 = 1 \
         ORDER BY page.score DESC, page.id ASC"
    );
    let results = conn.query_all_raw(p.statement(sql)).await?;
    read_page(&results, query)
}

/// How a query finds its matches.
enum Plan {
    /// One term's entries are the matches, in order, and its count their number.
    Single(String),
    /// A profile matches when it has an entry for every one of these.
    Matches(Vec<TermMatch>),
}

/// What one search word (or a filter) asks of a profile's entries.
struct TermMatch {
    /// Entries that match and score their weight.
    exact: Vec<String>,
    /// A range of whole-word entries that match and score (a prefix of four letters or
    /// more: the words it starts), low inclusive, high exclusive.
    range: Option<(String, String)>,
    /// Name words the search word may be a typo of: their entries match when they are a
    /// name's ([`NAME_WEIGHT`]) and score nothing, so exact matches come first.
    typos: Vec<String>,
}

impl TermMatch {
    fn exact(term: String) -> Self {
        Self {
            exact: vec![term],
            range: None,
            typos: Vec::new(),
        }
    }

    /// A row per profile with an entry this term accepts: the profile, the weight its
    /// scoring entries sum to, and its rank.
    fn hits(&self, p: &mut Params) -> String {
        let mut scoring = Vec::new();
        if !self.exact.is_empty() {
            let list = self
                .exact
                .iter()
                .map(|t| p.push(t.clone()))
                .collect::<Vec<_>>()
                .join(", ");
            scoring.push(format!("term IN ({list})"));
        }
        if let Some((low, high)) = &self.range {
            let (l, h) = (p.push(low.clone()), p.push(high.clone()));
            scoring.push(format!("(term >= {l} AND term < {h})"));
        }
        let scoring = if scoring.is_empty() {
            "1 = 0".to_owned()
        } else {
            scoring.join(" OR ")
        };
        let accepted = if self.typos.is_empty() {
            scoring.clone()
        } else {
            let list = self
                .typos
                .iter()
                .map(|t| p.push(word_term(t)))
                .collect::<Vec<_>>()
                .join(", ");
            let name = p.push(NAME_WEIGHT);
            format!("{scoring} OR (term IN ({list}) AND weight = {name})")
        };
        format!(
            "SELECT profile_id, CAST(SUM(CASE WHEN {scoring} THEN weight ELSE 0 END) AS BIGINT) AS weight, \
             MAX(score - weight) AS search_rank FROM search_entry WHERE {accepted} GROUP BY profile_id"
        )
    }
}

/// The plan of a query; `None` when nothing can match.
async fn plan<C: ConnectionTrait>(conn: &C, query: &SearchQuery) -> Result<Option<Plan>, DbErr> {
    let filter = (query.city.is_some() || query.specialty.is_some())
        .then(|| listing_term(query.city.as_deref(), query.specialty.as_deref()));
    if query.terms.is_empty() {
        return Ok(Some(Plan::Single(filter.unwrap_or_else(|| listing_term(None, None)))));
    }
    let last = query.terms.len() - 1;
    let mut terms = Vec::with_capacity(query.terms.len() + 1);
    for (i, term) in query.terms.iter().enumerate() {
        let names = query.similar.get(i).map_or(&[][..], Vec::as_slice);
        let typos: Vec<String> = typo_alternatives(term, i == last, names).cloned().collect();
        let mut found = TermMatch {
            exact: Vec::new(),
            range: None,
            typos,
        };
        if i < last {
            found.exact.push(word_term(term));
        } else if term.chars().count() <= PREFIX_ENTRY_LETTERS {
            found.exact.push(prefix_term(term));
        } else {
            // The words the prefix starts: one is read as that word's entries (the same rows,
            // so the same weights); more as their range.
            let words = words_starting(conn, term, 2).await?;
            match words.as_slice() {
                [] if found.typos.is_empty() => return Ok(None),
                [] => {}
                [one] => found.exact.push(one.clone()),
                _ => found.range = Some((word_term(term), word_term(&format!("{term}\u{10FFFF}")))),
            }
        }
        terms.push(found);
    }
    if terms.len() == 1 && filter.is_none() && terms[0].typos.is_empty() && terms[0].exact.len() == 1 {
        return Ok(terms
            .pop()
            .map(|t| Plan::Single(t.exact.into_iter().next().unwrap_or_default())));
    }
    terms.extend(filter.map(TermMatch::exact));
    Ok(Some(Plan::Matches(terms)))
}

#[derive(FromQueryResult)]
struct Term {
    term: String,
}

/// Up to `limit` whole-word entries (`w:` terms) for the indexed words starting with
/// `prefix`, from the counts (one row per word some active profile uses).
async fn words_starting<C: ConnectionTrait>(conn: &C, prefix: &str, limit: i64) -> Result<Vec<String>, DbErr> {
    let mut p = Params::new(conn.get_database_backend());
    let (low, high) = (
        p.push(word_term(prefix)),
        p.push(word_term(&format!("{prefix}\u{10FFFF}"))),
    );
    let limit = p.push(limit);
    Ok(Term::find_by_statement(p.statement(format!(
        "SELECT term FROM search_count WHERE term >= {low} AND term < {high} ORDER BY term LIMIT {limit}"
    )))
    .all(conn)
    .await?
    .into_iter()
    .map(|t| t.term)
    .collect())
}

/// The page's rows with their keys, and the count every row carries.
fn read_page(results: &[sea_orm::QueryResult], query: &SearchQuery) -> Result<SearchPage, DbErr> {
    let total = match results.first() {
        Some(first) => u64::try_from(first.try_get::<i64>("", "total_count")?).unwrap_or(0),
        None => 0,
    };
    let by_rank = query.keyed_by_rank();
    let mut rows = Vec::with_capacity(results.len());
    for result in results {
        let Some(score) = result.try_get::<Option<i64>>("", "score_key")? else {
            continue;
        };
        let row = PublicProfileRow::from_result(result)?;
        let key = if by_rank {
            RankKey::Rank {
                rank: score,
                id: row.id,
            }
        } else {
            RankKey::Score { score, id: row.id }
        };
        rows.push((key, row));
    }
    let page = crate::page::Page::from_rows(rows, query.page.first);
    Ok(SearchPage {
        rows: page.items,
        has_more: page.has_more,
        total,
    })
}

/// The typo alternatives of one search word: at most five of its candidates, and none when
/// the word is itself a name or, for the word being typed (matched as a prefix), starts one:
/// the visitor then means that name (a search for `khan` is not also one for `zhang`;
/// Typesense's `typo_tokens_threshold` works the same way).
pub(super) fn typo_alternatives<'a>(
    term: &str,
    is_last: bool,
    candidates: &'a [String],
) -> impl Iterator<Item = &'a String> {
    let meant = candidates
        .iter()
        .any(|name| name == term || (is_last && name.starts_with(term)));
    let chosen = if meant { &[][..] } else { candidates };
    chosen.iter().take(5)
}
