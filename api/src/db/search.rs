//! Directory search and typeahead, one SQL statement per page, on both engines
//! (migration `m20261129_000003_search` describes the indexes). Every public read applies
//! the member's choices in SQL: only active profiles, and the phone only when showcased.

use crate::db::Params;
use crate::db::profiles::{PublicProfileRow, public_columns};
use crate::page::PageRequest;
use entity::{directory_profile as profile, specialty};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement, Value};
use shared::fuzzy;
use shared::validate::fold;

/// What a directory page asks for.
pub struct SearchQuery {
    /// Folded words: whole words, except the last, which may be a prefix (the visitor may
    /// still be typing it). Empty lists everything by rank.
    pub terms: Vec<String>,
    /// For each word, the name words it may be a typo of ([`similar_names`]).
    pub similar: Vec<Vec<String>>,
    /// Folded city to filter on, exactly.
    pub city: Option<String>,
    /// Specialty slug to filter on.
    pub specialty: Option<String>,
    /// The page: its size, and the key of the last result of the previous page.
    pub page: PageRequest<RankKey>,
}

impl SearchQuery {
    /// Without words, results come by rank alone and are keyed by it; with words, by score.
    pub fn keyed_by_rank(&self) -> bool {
        self.terms.is_empty()
    }
}

/// Where a result stands in its order, for keyset pagination: rank and id in a listing
/// (no words), score and id in a search. The order is descending by the first, ascending
/// by id.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RankKey {
    Rank { rank: i64, id: i64 },
    Score { score: f64, id: i64 },
}

/// Splits free text into folded search words (letters and digits only, so nothing a
/// user types can change the meaning of the full-text query).
pub fn terms_of(text: &str) -> Vec<String> {
    let mut words = fuzzy::words(text);
    words.truncate(8);
    words
}

/// A page of results, their keys, and how many match in all.
pub struct SearchPage {
    pub rows: Vec<(RankKey, PublicProfileRow)>,
    /// More results follow the page.
    pub has_more: bool,
    pub total: u64,
}

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
fn typo_alternatives<'a>(term: &str, is_last: bool, candidates: &'a [String]) -> impl Iterator<Item = &'a String> {
    let meant = candidates
        .iter()
        .any(|name| name == term || (is_last && name.starts_with(term)));
    let chosen = if meant { &[][..] } else { candidates };
    chosen.iter().take(5)
}

#[derive(Debug, FromQueryResult)]
struct SimilarName {
    term: i64,
    word: String,
}

/// For each search word long enough to contain a typo, the indexed name words within
/// [`fuzzy::allowed_typos`] edits of it or of its start (best first, at most ten).
/// Candidates come from `name_trigram` in one statement; [`typo_alternatives`] picks
/// from them.
pub async fn similar_names<C: ConnectionTrait>(conn: &C, terms: &[String]) -> Result<Vec<Vec<String>>, DbErr> {
    let backend = conn.get_database_backend();
    let mut selects = Vec::new();
    let mut p = Params::new(backend);
    for (i, term) in terms.iter().enumerate() {
        let allowed = fuzzy::allowed_typos(term);
        if allowed == 0 {
            continue;
        }
        let trigrams = fuzzy::trigrams(term);
        // One edit changes at most four of a word's trigrams (a swap of neighbours).
        let needed = trigrams.len().saturating_sub(4 * allowed).max(1);
        let placeholders = trigrams.into_iter().map(|t| p.push(t)).collect::<Vec<_>>().join(", ");
        selects.push(format!(
            "SELECT CAST({i} AS BIGINT) AS term, word FROM (SELECT word FROM name_trigram \
             WHERE trigram IN ({placeholders}) GROUP BY word HAVING COUNT(*) >= {needed} \
             ORDER BY COUNT(*) DESC, word LIMIT 30) AS c{i}"
        ));
    }
    if selects.is_empty() {
        return Ok(vec![Vec::new(); terms.len()]);
    }
    let sql = selects.join(" UNION ALL ");
    let rows = SimilarName::find_by_statement(Statement::from_sql_and_values(backend, sql, p.values))
        .all(conn)
        .await?;
    let mut scored: Vec<Vec<(usize, String)>> = vec![Vec::new(); terms.len()];
    for row in rows {
        let Some((i, term)) = usize::try_from(row.term).ok().and_then(|i| Some((i, terms.get(i)?))) else {
            continue;
        };
        if let Some(distance) = fuzzy::typo_distance(term, &row.word, fuzzy::allowed_typos(term)) {
            scored[i].push((distance, row.word));
        }
    }
    Ok(scored
        .into_iter()
        .map(|mut found| {
            found.sort();
            found.into_iter().take(10).map(|(_, word)| word).collect()
        })
        .collect())
}

#[derive(Debug, FromQueryResult)]
struct IndexedName {
    display_name: String,
}

/// The name words of a profile's current index entry.
async fn indexed_name_words<C: ConnectionTrait>(conn: &C, profile_id: i64) -> Result<Vec<String>, DbErr> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "SELECT name_folded AS display_name FROM profile_search WHERE profile_id = $1",
        _ => "SELECT display_name FROM profile_search WHERE rowid = ?",
    };
    let row = IndexedName::find_by_statement(Statement::from_sql_and_values(backend, sql, [profile_id.into()]))
        .one(conn)
        .await?;
    Ok(row.map(|r| fuzzy::name_words(&r.display_name)).unwrap_or_default())
}

/// Adds name words to the typo index.
async fn remember_name_words<C: ConnectionTrait>(conn: &C, words: &[String]) -> Result<(), DbErr> {
    let pairs: Vec<(String, String)> = words
        .iter()
        .flat_map(|w| fuzzy::trigrams(w).into_iter().map(move |t| (t, w.clone())))
        .collect();
    if pairs.is_empty() {
        return Ok(());
    }
    let mut p = Params::new(conn.get_database_backend());
    let rows = pairs
        .into_iter()
        .map(|(t, w)| format!("({}, {})", p.push(t), p.push(w)))
        .collect::<Vec<_>>()
        .join(", ");
    conn.execute_raw(Statement::from_sql_and_values(
        p.backend,
        format!("INSERT INTO name_trigram (trigram, word) VALUES {rows} ON CONFLICT DO NOTHING"),
        p.values,
    ))
    .await?;
    Ok(())
}

#[derive(Debug, FromQueryResult)]
struct Count {
    n: i64,
}

/// Removes from the typo index the words no indexed name uses any more, so a deleted
/// profile leaves no trace of its name (P7).
async fn forget_unused_name_words<C: ConnectionTrait>(conn: &C, words: &[String]) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    for word in words {
        let (sql, name_query) = match backend {
            DbBackend::Postgres => (
                "SELECT COUNT(*) AS n FROM profile_search WHERE document @@ to_tsquery('simple', $1)",
                format!("{word}:A"),
            ),
            _ => (
                "SELECT COUNT(*) AS n FROM profile_search WHERE profile_search MATCH ?",
                format!("display_name : \"{word}\""),
            ),
        };
        let used = Count::find_by_statement(Statement::from_sql_and_values(backend, sql, [name_query.into()]))
            .one(conn)
            .await?
            .is_some_and(|c| c.n > 0);
        if !used {
            let mut p = Params::new(backend);
            let w = p.push(word.clone());
            let placeholders = fuzzy::trigrams(word)
                .into_iter()
                .map(|t| p.push(t))
                .collect::<Vec<_>>()
                .join(", ");
            conn.execute_raw(Statement::from_sql_and_values(
                backend,
                format!("DELETE FROM name_trigram WHERE word = {w} AND trigram IN ({placeholders})"),
                p.values,
            ))
            .await?;
        }
    }
    Ok(())
}

/// Writes the search-index entry of a profile (call in the transaction that changed it).
pub async fn reindex<C: ConnectionTrait>(
    conn: &C,
    profile: &profile::Model,
    specialties: &[specialty::Model],
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let names = specialties
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let (name, city, specs, bio) = (
        fold(&profile.display_name),
        fold(&profile.city),
        fold(&names),
        fold(&profile.bio),
    );
    let old_words = indexed_name_words(conn, profile.id).await?;
    if backend == DbBackend::Postgres {
        recount_search_words(conn, profile.id, Some([&name, &city, &specs, &bio])).await?;
    }
    delete_entry(conn, profile.id).await?;
    let new_words = fuzzy::name_words(&name);
    let statement = match backend {
        DbBackend::Postgres => Statement::from_sql_and_values(
            backend,
            // The listing columns come from the stored profile, not from `profile`: a
            // caller may hold a model from before a rank or status change.
            "INSERT INTO profile_search (profile_id, name_folded, document, status, city_folded, search_rank) \
             SELECT d.id, $2, setweight(to_tsvector('simple', $2), 'A') || setweight(to_tsvector('simple', $3), 'B') || \
             setweight(to_tsvector('simple', $4), 'B') || setweight(to_tsvector('simple', $5), 'D'), \
             d.status, d.city_folded, d.search_rank FROM directory_profile d WHERE d.id = $1",
            [profile.id.into(), name.into(), city.into(), specs.into(), bio.into()],
        ),
        _ => Statement::from_sql_and_values(
            backend,
            "INSERT INTO profile_search (rowid, display_name, city, specialties, bio) VALUES (?, ?, ?, ?, ?)",
            [profile.id.into(), name.into(), city.into(), specs.into(), bio.into()],
        ),
    };
    conn.execute_raw(statement).await?;
    if backend == DbBackend::Postgres {
        write_postings(conn, profile.id).await?;
    }
    if old_words != new_words {
        let added: Vec<String> = new_words.iter().filter(|w| !old_words.contains(w)).cloned().collect();
        let gone: Vec<String> = old_words.into_iter().filter(|w| !new_words.contains(w)).collect();
        remember_name_words(conn, &added).await?;
        forget_unused_name_words(conn, &gone).await?;
    }
    Ok(())
}

/// Removes a profile from the search index, and its name words from the typo index unless
/// another profile's name uses them.
pub async fn unindex<C: ConnectionTrait>(conn: &C, profile_id: i64) -> Result<(), DbErr> {
    let words = indexed_name_words(conn, profile_id).await?;
    if conn.get_database_backend() == DbBackend::Postgres {
        recount_search_words(conn, profile_id, None).await?;
        delete_postings(conn, profile_id).await?;
    }
    delete_entry(conn, profile_id).await?;
    forget_unused_name_words(conn, &words).await
}

/// PostgreSQL: replaces a profile's postings (`search_posting`, one per word of its index
/// entry) with those of its current entry, each weighed by the word's `ts_rank` in the
/// document: what the full-text path scores a one-word search with. Call after the entry
/// is written.
async fn write_postings<C: ConnectionTrait>(conn: &C, profile_id: i64) -> Result<(), DbErr> {
    delete_postings(conn, profile_id).await?;
    // A word with a backslash cannot be quoted into a query (nor is it ever searched:
    // search words are letters and digits).
    conn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO search_posting (word, profile_id, status, city_folded, search_rank, weight) \
         SELECT w.word, s.profile_id, s.status, s.city_folded, s.search_rank, \
         ts_rank(s.document, quote_literal(w.word)::tsquery) \
         FROM profile_search s CROSS JOIN LATERAL unnest(tsvector_to_array(s.document)) AS w(word) \
         WHERE s.profile_id = $1 AND strpos(w.word, chr(92)) = 0",
        [profile_id.into()],
    ))
    .await?;
    Ok(())
}

/// PostgreSQL: moves the counts of `search_word` from the words of a profile's current
/// index entry to those of its next one (`None`: it leaves the index), and removes the
/// words no profile uses any more. Call before the entry is replaced. One ordered upsert,
/// so concurrent writers lock shared words in the same order.
async fn recount_search_words<C: ConnectionTrait>(
    conn: &C,
    profile_id: i64,
    next: Option<[&String; 4]>,
) -> Result<(), DbErr> {
    let backend = DbBackend::Postgres;
    let mut values: Vec<Value> = vec![profile_id.into()];
    let new_words = match next {
        Some(texts) => {
            values.extend(texts.into_iter().map(|t| Value::from(t.clone())));
            "SELECT unnest(tsvector_to_array(to_tsvector('simple', $2) || to_tsvector('simple', $3) || \
             to_tsvector('simple', $4) || to_tsvector('simple', $5))) AS word"
        }
        None => "SELECT NULL::text AS word WHERE false",
    };
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        format!(
            "WITH old AS (SELECT unnest(tsvector_to_array(document)) AS word FROM profile_search WHERE profile_id = $1), \
             new AS ({new_words}), \
             delta AS (SELECT word, SUM(d) AS d FROM (SELECT word, -1 AS d FROM old UNION ALL SELECT word, 1 AS d FROM new) w \
             GROUP BY word HAVING SUM(d) <> 0) \
             INSERT INTO search_word (word, profiles) SELECT word, d FROM delta ORDER BY word \
             ON CONFLICT (word) DO UPDATE SET profiles = search_word.profiles + EXCLUDED.profiles"
        ),
        values,
    ))
    .await?;
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        "DELETE FROM search_word WHERE profiles <= 0 AND word IN \
         (SELECT unnest(tsvector_to_array(document)) FROM profile_search WHERE profile_id = $1)",
        [profile_id.into()],
    ))
    .await?;
    Ok(())
}

/// Copies a profile's status, folded city and rank to the rows that list it by them: its
/// specialty links (both engines), its index entry and its postings (PostgreSQL). Call in the
/// transaction that changed them or rewrote the links; [`reindex`] copies them too.
pub async fn copy_listing_columns<C: ConnectionTrait>(conn: &C, profile_id: i64) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let p = if backend == DbBackend::Postgres { "$1" } else { "?1" };
    let copy = |table: &str, key: &str| {
        format!(
            "UPDATE {table} SET \
             status = (SELECT d.status FROM directory_profile d WHERE d.id = {p}), \
             city_folded = (SELECT d.city_folded FROM directory_profile d WHERE d.id = {p}), \
             search_rank = (SELECT d.search_rank FROM directory_profile d WHERE d.id = {p}) \
             WHERE {key} = {p}"
        )
    };
    let mut statements = vec![copy("profile_specialty", "profile_id")];
    if backend == DbBackend::Postgres {
        statements.push(copy("profile_search", "profile_id"));
        statements.push(copy("search_posting", "profile_id"));
    }
    for sql in statements {
        conn.execute_raw(Statement::from_sql_and_values(backend, sql, [profile_id.into()]))
            .await?;
    }
    Ok(())
}

/// PostgreSQL: removes a profile's postings.
async fn delete_postings<C: ConnectionTrait>(conn: &C, profile_id: i64) -> Result<(), DbErr> {
    conn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "DELETE FROM search_posting WHERE profile_id = $1",
        [profile_id.into()],
    ))
    .await?;
    Ok(())
}

async fn delete_entry<C: ConnectionTrait>(conn: &C, profile_id: i64) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "DELETE FROM profile_search WHERE profile_id = $1",
        _ => "DELETE FROM profile_search WHERE rowid = ?",
    };
    conn.execute_raw(Statement::from_sql_and_values(backend, sql, [profile_id.into()]))
        .await?;
    Ok(())
}

#[derive(Debug, FromQueryResult)]
struct Term {
    term: String,
}

/// Up to `limit` distinct names or cities of active profiles starting with `prefix`
/// (folded), most common first; answered from the folded-column indexes.
pub async fn suggest<C: ConnectionTrait>(
    conn: &C,
    column: SuggestColumn,
    prefix: &str,
    limit: u64,
) -> Result<Vec<String>, DbErr> {
    let backend = conn.get_database_backend();
    let mut p = Params::new(backend);
    let (shown, folded) = match column {
        SuggestColumn::Name => ("display_name", "name_folded"),
        SuggestColumn::City => ("city", "city_folded"),
    };
    // Every name or city starting with the prefix lies between it and the prefix followed
    // by the highest character. PostgreSQL compares text by the database's collation,
    // which the `text_pattern_ops` index cannot serve: its byte-wise operators can (and,
    // unlike `LIKE`, with a plan prepared before the prefix is known).
    let (at_least, below) = if backend == DbBackend::Postgres {
        ("~>=~", "~<~")
    } else {
        (">=", "<")
    };
    let low = p.push(prefix.to_owned());
    let high = p.push(format!("{prefix}\u{10FFFF}"));
    let starts_with = format!("{folded} {at_least} {low} AND {folded} {below} {high}");
    let limit = p.push(i64::try_from(limit).unwrap_or(10));
    let sql = format!(
        "SELECT MIN({shown}) AS term FROM directory_profile \
         WHERE status = 'active' AND {starts_with} \
         GROUP BY {folded} ORDER BY COUNT(*) DESC, {folded} ASC LIMIT {limit}"
    );
    let rows = Term::find_by_statement(Statement::from_sql_and_values(backend, sql, p.values))
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|t| t.term).collect())
}

/// Which column typeahead reads.
#[derive(Clone, Copy, Debug)]
pub enum SuggestColumn {
    Name,
    City,
}
