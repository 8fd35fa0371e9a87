//! One page of a directory search or listing, from the search entries (`entries`), the same
//! statements on both engines.

use super::entries::{PREFIX_ENTRY_LETTERS, listing_term, prefix_term, word_term};
use super::walk::walk;
use super::*;
use crate::db::Params;
use crate::db::profiles::{PublicProfileRow, public_columns};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult};

/// One page of active profiles matching `query`, by score (the matched words' weights plus
/// `search_rank`), ties broken by id. A query that one term answers (a listing, or one
/// word with no filter and no typo alternative) reads a range of that term's entries and its
/// count; any other walks one word's entries down from the best score (`walk`), the
/// full-text documents counting its matches (or, when the walk goes too far, finding and
/// scoring them all).
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
        Plan::Matches { terms, filter } => {
            let postgres = p.backend == DbBackend::Postgres;
            // The walk found the page: the full-text index only counts.
            if let Some(found) = walk(conn, &terms, filter.as_deref(), query).await? {
                let page = if found.is_empty() {
                    "SELECT id, search_rank AS score FROM directory_profile WHERE 1 = 0".to_owned()
                } else {
                    let values = found
                        .iter()
                        .map(|(id, score)| format!("({}, {})", p.push(*id), p.push(*score)))
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!("SELECT column1 AS id, column2 AS score FROM (VALUES {values}) found")
                };
                let matches = if postgres {
                    matches_postgres(&terms, filter.as_deref(), &mut p, false)
                } else {
                    matches_sqlite(&terms, filter.as_deref(), &mut p, false)
                };
                (
                    format!("page AS ({page})"),
                    format!("(SELECT COUNT(*) FROM ({matches}) matches)"),
                )
            } else {
                let matches = if postgres {
                    matches_postgres(&terms, filter.as_deref(), &mut p, true)
                } else {
                    matches_sqlite(&terms, filter.as_deref(), &mut p, true)
                };
                let after = after(&mut p, "score", "id");
                (
                    format!(
                        "matches AS ({matches}), \
                             page AS (SELECT id, score FROM matches WHERE 1 = 1{after} \
                             ORDER BY score DESC, id ASC LIMIT {limit})"
                    ),
                    "(SELECT COUNT(*) FROM matches)".to_owned(),
                )
            }
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
    /// The profiles that have every word (or one of its typo alternatives) and pass the
    /// filter (a listing term): the walk reads them best first, the full-text document
    /// counts them.
    Matches { terms: Vec<Word>, filter: Option<String> },
}

/// One search word as the full-text path and the walk ask for it.
pub(super) struct Word {
    pub text: String,
    /// The last word: a prefix, weighing the sum of the words it starts.
    pub prefix: bool,
    /// The indexed words a prefix starts, when few enough to list (PostgreSQL: every prefix;
    /// SQLite: one longer than the prefix entries). GIN answers a prefix by collecting every
    /// entry of every word it starts; the walk weighs a long prefix by them.
    pub starts: Option<Vec<String>>,
    /// Name words it may be a typo of: they match in the name and weigh nothing.
    pub typos: Vec<String>,
}

/// At most this many words stand in for a prefix on PostgreSQL.
const PREFIX_WORDS_MAX: usize = 16;

/// PostgreSQL: the matches and their scores. The document has each word once, labelled by
/// its weight, so `ts_rank` over the words as typed (the last as a prefix) is the sum of
/// their weights divided by `RANK_SCALE` and by the number of words: multiplied back and
/// rounded, the same integer the entries give.
fn matches_postgres(terms: &[Word], filter: Option<&str>, p: &mut Params, scored: bool) -> String {
    let matching = terms
        .iter()
        .map(|word| {
            let exact = match (&word.starts, word.prefix) {
                (Some(words), true) => words.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>(),
                (None, true) => vec![format!("'{}':*", word.text)],
                (_, false) => vec![format!("'{}'", word.text)],
            };
            let typos = word.typos.iter().map(|t| format!("'{t}':A"));
            format!("({})", exact.into_iter().chain(typos).collect::<Vec<_>>().join(" | "))
        })
        .collect::<Vec<_>>()
        .join(" & ");
    let ranking = terms
        .iter()
        .map(|word| {
            if word.prefix {
                format!("'{}':*", word.text)
            } else {
                format!("'{}'", word.text)
            }
        })
        .collect::<Vec<_>>()
        .join(" | ");
    let score = if scored {
        #[expect(clippy::cast_precision_loss, reason = "at most eight words")]
        let factor = p.push(RANK_SCALE * terms.len() as f64);
        let ranking = p.push(ranking);
        format!(
            ", CAST(round(ts_rank(d.document, CAST({ranking} AS tsquery)) * {factor}) AS BIGINT) + d.search_rank AS score"
        )
    } else {
        String::new()
    };
    let matching = p.push(matching);
    let filter = filter.map_or(String::new(), |term| {
        format!(
            " AND EXISTS (SELECT 1 FROM search_entry f WHERE f.profile_id = d.profile_id AND f.term = {})",
            p.push(term.to_owned())
        )
    });
    format!(
        "SELECT d.profile_id AS id{score} FROM search_document d WHERE d.document @@ CAST({matching} AS tsquery){filter}"
    )
}

/// `ts_rank` of a word found once with weight label A (1.0) is 1 / 1.64493406685 (the
/// limit of the sum of 1/i²); our name weight is 100.
const RANK_SCALE: f64 = 164.493_406_685;

/// SQLite: FTS5 finds the matches; each word's weight is read from the match's entries
/// (its whole word, its prefix entry, or the sum over the words a longer prefix starts),
/// and its rank from its entry in the whole directory's listing.
fn matches_sqlite(terms: &[Word], filter: Option<&str>, p: &mut Params, scored: bool) -> String {
    let fts = terms
        .iter()
        .map(|word| {
            let exact = if word.prefix {
                format!("\"{}\"*", word.text)
            } else {
                format!("\"{}\"", word.text)
            };
            let typos = word.typos.iter().map(|t| format!("name : \"{t}\""));
            format!(
                "({})",
                std::iter::once(exact).chain(typos).collect::<Vec<_>>().join(" OR ")
            )
        })
        .collect::<Vec<_>>()
        .join(" AND ");
    if !scored {
        let q = p.push(fts);
        let filter = filter.map_or(String::new(), |term| {
            format!(
                " AND EXISTS (SELECT 1 FROM search_entry f WHERE f.profile_id = search_document.rowid AND f.term = {})",
                p.push(term.to_owned())
            )
        });
        return format!("SELECT rowid AS id FROM search_document WHERE search_document MATCH {q}{filter}");
    }
    let weights = terms
        .iter()
        .map(|word| {
            let one = |p: &mut Params, term: String| {
                format!(
                    "COALESCE((SELECT e.weight FROM search_entry e WHERE e.profile_id = d.id AND e.term = {}), 0)",
                    p.push(term)
                )
            };
            if !word.prefix {
                one(p, word_term(&word.text))
            } else if word.text.chars().count() <= PREFIX_ENTRY_LETTERS {
                one(p, prefix_term(&word.text))
            } else {
                let (low, high) = (
                    p.push(word_term(&word.text)),
                    p.push(word_term(&format!("{}\u{10FFFF}", word.text))),
                );
                format!(
                    "COALESCE((SELECT SUM(e.weight) FROM search_entry e WHERE e.profile_id = d.id \
                     AND e.term >= {low} AND e.term < {high}), 0)"
                )
            }
        })
        .collect::<Vec<_>>()
        .join(" + ");
    let everyone = p.push(listing_term(None, None));
    let q = p.push(fts);
    let filter = filter.map_or(String::new(), |term| {
        format!(
            " WHERE EXISTS (SELECT 1 FROM search_entry f WHERE f.profile_id = d.id AND f.term = {})",
            p.push(term.to_owned())
        )
    });
    format!(
        "SELECT d.id, {weights} + \
         (SELECT e.score FROM search_entry e WHERE e.profile_id = d.id AND e.term = {everyone}) AS score \
         FROM (SELECT rowid AS id FROM search_document WHERE search_document MATCH {q}) d{filter}"
    )
}

/// The plan of a query; `None` when nothing can match.
async fn plan<C: ConnectionTrait>(conn: &C, query: &SearchQuery) -> Result<Option<Plan>, DbErr> {
    let filter = (query.city.is_some() || query.specialty.is_some())
        .then(|| listing_term(query.city.as_deref(), query.specialty.as_deref()));
    if query.terms.is_empty() {
        return Ok(Some(Plan::Single(filter.unwrap_or_else(|| listing_term(None, None)))));
    }
    let postgres = conn.get_database_backend() == DbBackend::Postgres;
    let last = query.terms.len() - 1;
    let mut words = Vec::with_capacity(query.terms.len());
    for (i, term) in query.terms.iter().enumerate() {
        let names = query.similar.get(i).map_or(&[][..], Vec::as_slice);
        let typos: Vec<String> = typo_alternatives(term, i == last, names).cloned().collect();
        let mut starts = None;
        if i == last {
            // The words the prefix starts: how many decides the path.
            let found = if postgres || term.chars().count() > PREFIX_ENTRY_LETTERS {
                let limit = i64::try_from(PREFIX_WORDS_MAX + 1).unwrap_or(17);
                Some(words_starting(conn, term, limit).await?)
            } else {
                None
            };
            if found.as_ref().is_some_and(Vec::is_empty) && typos.is_empty() {
                return Ok(None);
            }
            // One word, no filter, no typo: a longer prefix that starts exactly one word is
            // answered by that word's entries (the same rows, so the same weights).
            if last == 0 && filter.is_none() && typos.is_empty() {
                if term.chars().count() <= PREFIX_ENTRY_LETTERS {
                    return Ok(Some(Plan::Single(prefix_term(term))));
                }
                if let Some([one]) = found.as_deref() {
                    return Ok(Some(Plan::Single(one.clone())));
                }
            }
            starts = found.filter(|f| f.len() <= PREFIX_WORDS_MAX).map(|f| {
                f.into_iter()
                    .map(|t| t.strip_prefix("w:").unwrap_or(&t).to_owned())
                    .collect()
            });
        }
        words.push(Word {
            text: term.clone(),
            prefix: i == last,
            starts,
            typos,
        });
    }
    Ok(Some(Plan::Matches { terms: words, filter }))
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
