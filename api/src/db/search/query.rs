//! One page of a directory search or listing: one statement on either engine.

use super::*;
use crate::db::Params;
use crate::db::profiles::{PublicProfileRow, public_columns};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

/// One page of active profiles matching `query`, by text relevance plus `search_rank`
/// (one rank point weighs as 0.01 of relevance), ties broken by id.
pub async fn search<C: ConnectionTrait>(conn: &C, query: &SearchQuery) -> Result<SearchPage, DbErr> {
    let backend = conn.get_database_backend();
    let mut p = Params::new(backend);
    let mut filters = vec!["p.status = 'active'".to_owned()];
    let text = if query.terms.is_empty() {
        None
    } else {
        Some(if backend == DbBackend::Postgres {
            // One word, no typo alternative, no specialty: the postings can answer.
            let one_word = query.terms.len() == 1
                && query.specialty.is_none()
                && query
                    .similar
                    .first()
                    .is_none_or(|names| typo_alternatives(&query.terms[0], true, names).next().is_none());
            text_match_postgres(
                &query.terms,
                &query.similar,
                query.city.as_deref(),
                one_word,
                &mut p,
                &mut filters,
            )
        } else {
            text_match_sqlite(&query.terms, &query.similar, query.city.as_deref(), &mut p)
        })
    };
    if let Some(city) = &query.city {
        let c = p.push(city.clone());
        filters.push(format!("p.city_folded = {c}"));
    }
    // With no words, a specialty's links are the listing: they carry the profile's status,
    // city and rank, and `idx_specialty_rank`/`idx_specialty_city_rank` give them in order.
    let mut listing = None;
    if let Some(slug) = &query.specialty {
        let s = p.push(slug.clone());
        if text.is_none() {
            // The specialty's id as a value, not a join, so that the links' index can
            // give them in rank order and stop after the page.
            listing = Some(format!(
                "(SELECT ps.profile_id AS id, ps.status, ps.city_folded, ps.search_rank FROM profile_specialty ps \
                 WHERE ps.specialty_id = (SELECT sp.id FROM specialty sp WHERE sp.slug = {s})) p"
            ));
        } else {
            // A set to join against rather than a check per profile: the planners can
            // then start from the specialty's profiles.
            filters.push(format!(
                "p.id IN (SELECT ps.profile_id FROM profile_specialty ps JOIN specialty sp ON sp.id = ps.specialty_id \
                 WHERE sp.slug = {s})"
            ));
        }
    }
    // One more than the page, to learn whether more follow.
    let limit = p.push(i64::try_from(query.page.limit_plus_one()).unwrap_or(101));
    // Keyset pagination: only what comes after the previous page's last result, in the
    // page but not in the count.
    let after = |p: &mut Params, score: &str, id: &str| match query.page.after {
        None => String::new(),
        Some(RankKey::Rank { rank, id: last }) => {
            let (r, i) = (p.push(rank), p.push(last));
            format!(" AND ({score} < {r} OR ({score} = {r} AND {id} > {i}))")
        }
        Some(RankKey::Score { score: value, id: last }) => {
            let (v, i) = (p.push(value), p.push(last));
            format!(" AND ({score} < {v} OR ({score} = {v} AND {id} > {i}))")
        }
    };
    let filters = filters.join(" AND ");
    let columns = public_columns();
    let sql = match (text, listing) {
        // Everyone, or a city's trainers, by rank: the page comes straight off
        // `idx_profile_rank` or `idx_profile_city_rank`, which stop after it; the count
        // from the same index.
        (None, None) => format!(
            "SELECT {columns}, (SELECT COUNT(*) FROM directory_profile p WHERE {filters}) AS total_count, \
             p.search_rank AS rank_key FROM directory_profile p \
             WHERE {filters}{} ORDER BY p.search_rank DESC, p.id ASC LIMIT {limit}",
            after(&mut p, "p.search_rank", "p.id")
        ),
        // A specialty's trainers (in a city or not) by rank: the same from its links'
        // indexes (`idx_specialty_rank`, `idx_specialty_city_rank`), then the page's rows.
        (None, Some(links)) => format!(
            "WITH page AS (SELECT p.id, p.search_rank FROM {links} WHERE {filters}{} \
             ORDER BY p.search_rank DESC, p.id ASC LIMIT {limit}) \
             SELECT {columns}, (SELECT COUNT(*) FROM {links} WHERE {filters}) AS total_count, \
             page.search_rank AS rank_key FROM page JOIN directory_profile p ON p.id = page.id \
             ORDER BY page.search_rank DESC, p.id ASC",
            after(&mut p, "p.search_rank", "p.id")
        ),
        // Every match is scored once into a narrow list of (id, score) that gives both
        // the count and the page; only the page's rows are then read in full.
        (
            Some(TextMatch {
                with,
                from,
                score,
                postings,
            }),
            _,
        ) => format!(
            "WITH {with}matches AS ({}SELECT p.id, {score} AS score FROM {from} WHERE {filters}), \
             page AS (SELECT id, score FROM matches WHERE true{} ORDER BY score DESC, id ASC LIMIT {limit}) \
             SELECT {columns}, (SELECT COUNT(*) FROM matches) AS total_count, page.score AS score_key \
             FROM page JOIN directory_profile p ON p.id = page.id \
             ORDER BY page.score DESC, p.id ASC",
            postings
                .map(|select| format!("{select} UNION ALL "))
                .unwrap_or_default(),
            after(&mut p, "score", "id")
        ),
    };
    let results = conn
        .query_all_raw(Statement::from_sql_and_values(backend, sql, p.values))
        .await?;
    read_page(&results, query)
}

/// The page's rows with their keys, and the count every row carries.
fn read_page(results: &[sea_orm::QueryResult], query: &SearchQuery) -> Result<SearchPage, DbErr> {
    let total = match results.first() {
        Some(first) => u64::try_from(first.try_get::<i64>("", "total_count")?).unwrap_or(0),
        None => 0,
    };
    let by_rank = query.keyed_by_rank();
    let rows: Vec<(RankKey, PublicProfileRow)> = results
        .iter()
        .map(|result| {
            let row = PublicProfileRow::from_result(result)?;
            let key = if by_rank {
                RankKey::Rank {
                    rank: result.try_get("", "rank_key")?,
                    id: row.id,
                }
            } else {
                RankKey::Score {
                    score: result.try_get("", "score_key")?,
                    id: row.id,
                }
            };
            Ok((key, row))
        })
        .collect::<Result<_, DbErr>>()?;
    let page = crate::page::Page::from_rows(rows, query.page.first);
    Ok(SearchPage {
        rows: page.items,
        has_more: page.has_more,
        total,
    })
}

/// How a text query reaches profiles: the `FROM` clause (which binds `p`) and the score of
/// a match (text relevance plus `search_rank`, one rank point weighing 0.01).
struct TextMatch {
    /// Common table expressions the match needs first (each followed by `, `).
    with: String,
    from: String,
    score: String,
    /// PostgreSQL, one-word searches: the matches read from `search_posting` when the word
    /// is one indexed word; the text match (whose filters then include the opposite gate)
    /// runs otherwise. Both branches are in the statement, each behind a one-time filter.
    postings: Option<String>,
}

/// At most this many words stand in for the prefix of a search's last word on PostgreSQL;
/// a shorter prefix that starts more words stays a prefix.
const PREFIX_WORDS_MAX: usize = 16;

/// PostgreSQL: every word in the weighted `tsvector`, or one of the name words it is a typo
/// of (weight A is the name). Relevance is the weighted rank of the words as typed, so
/// exact matches come before typo matches. Words before the last are whole words, which
/// lets GIN skip through the posting lists from the rarest; the last is a prefix, which
/// GIN would answer by collecting every entry of every word it starts (milliseconds for a
/// common word), so the statement first looks the prefix up in `search_word` and, when it
/// starts only a few words, matches those words exactly.
fn text_match_postgres(
    terms: &[String],
    similar: &[Vec<String>],
    city: Option<&str>,
    one_word: bool,
    p: &mut Params,
    filters: &mut Vec<String>,
) -> TextMatch {
    let last = terms.len().saturating_sub(1);
    let alternatives = |i: usize, term: &str, names: &[String]| -> Vec<String> {
        let typos = typo_alternatives(term, i == last, names).map(|n| format!("{n}:A"));
        if i == last {
            typos.collect()
        } else {
            std::iter::once(term.to_owned()).chain(typos).collect()
        }
    };
    // Everything but the last word's own prefix, as `to_tsquery` text.
    let mut conditions: Vec<String> = terms
        .iter()
        .zip(similar)
        .enumerate()
        .take(last)
        .map(|(i, (term, names))| format!("({})", alternatives(i, term, names).join(" | ")))
        .collect();
    // A city filter narrows inside the index too (the exact filter on `city_folded`
    // still decides): a common word in a small city then costs what the city costs. The
    // city's words go unweighted: a weighted word makes PostgreSQL recheck every candidate
    // row against its `tsvector` (a third of the cost of `boxing` in Winnipeg), and the
    // exact filter already keeps only the city's profiles.
    conditions.extend(city.map(terms_of).unwrap_or_default());
    let prefix = &terms[last];
    let (low, high) = (p.push(prefix.clone()), p.push(format!("{prefix}\u{10FFFF}")));
    let as_prefix = p.push(format!("{prefix}:*"));
    // The words the prefix starts, quoted so that each stays one lexeme; the prefix itself
    // when there are many, none, or one with a backslash (which that quoting cannot carry).
    // `single`: the one word the prefix starts, if it starts exactly one.
    let prefix_words = format!(
        "prefix AS (SELECT CASE WHEN COUNT(*) BETWEEN 1 AND {PREFIX_WORDS_MAX} AND bool_and(strpos(word, chr(92)) = 0) \
         THEN string_agg(quote_literal(word), ' | ')::tsquery ELSE to_tsquery('simple', {as_prefix}) END AS q, \
         CASE WHEN COUNT(*) = 1 AND bool_and(strpos(word, chr(92)) = 0) THEN MIN(word) END AS single \
         FROM (SELECT word FROM search_word WHERE word >= {low} AND word < {high} LIMIT {}) w), ",
        PREFIX_WORDS_MAX + 1
    );
    let last_typos = alternatives(last, prefix, similar.get(last).map_or(&[], Vec::as_slice));
    let last_group = if last_typos.is_empty() {
        "prefix.q".to_owned()
    } else {
        format!("(prefix.q || to_tsquery('simple', {}))", p.push(last_typos.join(" | ")))
    };
    let matching = if conditions.is_empty() {
        last_group
    } else {
        format!(
            "to_tsquery('simple', {}) && {last_group}",
            p.push(conditions.join(" & "))
        )
    };
    let ranking = if last == 0 {
        "prefix.q".to_owned()
    } else {
        format!(
            "to_tsquery('simple', {}) || prefix.q",
            p.push(terms[..last].join(" | "))
        )
    };
    let with = format!("{prefix_words}query AS (SELECT {matching} AS matching, {ranking} AS ranking FROM prefix), ");
    filters.push("p.document @@ (SELECT matching FROM query)".to_owned());
    // A one-word search whose word is one indexed word reads its postings: a range of
    // `idx_search_posting_word` holding each match's relevance for that word (its `ts_rank`,
    // what the text match below would compute) and rank, so neither GIN nor the heap is
    // visited. The same order as the text match, which runs for every other search.
    let postings = one_word.then(|| {
        filters.push("(SELECT single FROM prefix) IS NULL".to_owned());
        let in_city = city.map_or(String::new(), |c| {
            format!(" AND city_folded = {}", p.push(c.to_owned()))
        });
        format!(
            "SELECT profile_id AS id, weight + search_rank::float8 / 100 AS score FROM search_posting \
             WHERE word = (SELECT single FROM prefix) AND status = 'active'{in_city}"
        )
    });
    TextMatch {
        with,
        // The index entry carries the profile's status, city and rank: matches are found,
        // filtered and scored without reading the profiles.
        from: "(SELECT profile_id AS id, status, city_folded, search_rank, document FROM profile_search) p".to_owned(),
        // In floating point: `/ 100.0` would make every score a `numeric`, whose arithmetic
        // and comparisons cost a third of a broad search.
        score: "ts_rank(p.document, (SELECT ranking FROM query)) + p.search_rank::float8 / 100".to_owned(),
        postings,
    }
}

/// SQLite: every word in FTS5 (the last as a prefix), or one of the names it is a typo of.
/// `bm25()` only works in the query that does the MATCH, so that runs in a subquery; the
/// CROSS JOIN keeps it the outer loop (the planner would otherwise rerun it per profile).
fn text_match_sqlite(terms: &[String], similar: &[Vec<String>], city: Option<&str>, p: &mut Params) -> TextMatch {
    let city_words = city.map(terms_of).unwrap_or_default();
    let last = terms.len().saturating_sub(1);
    let fts = terms
        .iter()
        .zip(similar)
        .enumerate()
        .map(|(i, (term, names))| {
            let as_typed = if i == last {
                format!("\"{term}\"*")
            } else {
                format!("\"{term}\"")
            };
            let names = typo_alternatives(term, i == last, names)
                .map(|n| format!("display_name : \"{n}\""))
                .collect::<Vec<_>>();
            if names.is_empty() {
                as_typed
            } else {
                format!("({as_typed} OR {})", names.join(" OR "))
            }
        })
        // A city filter narrows inside the index too (the exact filter still decides).
        .chain((!city_words.is_empty()).then(|| format!("city : \"{}\"", city_words.join(" "))))
        .collect::<Vec<_>>()
        // Explicit AND: FTS5's implicit one does not accept a parenthesised group.
        .join(" AND ");
    let q = p.push(fts);
    TextMatch {
        with: String::new(),
        from: format!(
            "(SELECT rowid AS profile_id, -bm25(profile_search, 10.0, 4.0, 4.0, 1.0) AS score \
             FROM profile_search WHERE profile_search MATCH {q}) s CROSS JOIN directory_profile p ON p.id = s.profile_id"
        ),
        score: "s.score + p.search_rank / 100.0".to_owned(),
        postings: None,
    }
}

/// The typo alternatives of one search word: at most five of its candidates, and none when
/// the word is itself a name or, for the word being typed (matched as a prefix), starts one:
/// the visitor then means that name (a search for `khan` is not also one for `zhang`;
/// Typesense's `typo_tokens_threshold` works the same way). A needless alternative is not
/// free either: PostgreSQL collects its whole posting list, and any weighted alternative
/// makes it recheck every candidate row against its `tsvector`.
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
