//! Typo tolerance: the indexed name words a search word may be a typo of (`name_trigram`),
//! and the upkeep of that table as names change.

use crate::db::Params;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement};
use shared::fuzzy;

#[derive(Debug, FromQueryResult)]
struct SimilarName {
    term: i64,
    word: String,
}

/// For each search word long enough to contain a typo, the indexed name words within
/// [`fuzzy::allowed_typos`] edits of it or of its start (best first, at most ten).
/// Candidates come from `name_trigram` in one statement; `query::typo_alternatives` picks
/// from them.
pub async fn similar_names<C: ConnectionTrait>(conn: &C, terms: &[String]) -> Result<Vec<Vec<String>>, DbErr> {
    similar_words(conn, "name_trigram", terms).await
}

/// [`similar_names`] over the words of `table` (`name_trigram`, `course_trigram`).
pub(super) async fn similar_words<C: ConnectionTrait>(
    conn: &C,
    table: &'static str,
    terms: &[String],
) -> Result<Vec<Vec<String>>, DbErr> {
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
            "SELECT CAST({i} AS BIGINT) AS term, word FROM (SELECT word FROM {table} \
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

/// Adds name words to the typo index.
pub(super) async fn remember_name_words<C: ConnectionTrait>(conn: &C, words: &[String]) -> Result<(), DbErr> {
    remember_words(conn, "name_trigram", words).await
}

/// Adds words to the typo index `table` (`name_trigram`, `course_trigram`).
pub(super) async fn remember_words<C: ConnectionTrait>(
    conn: &C,
    table: &'static str,
    words: &[String],
) -> Result<(), DbErr> {
    let pairs: Vec<(String, String)> = words
        .iter()
        .flat_map(|w| fuzzy::trigrams(w).into_iter().map(move |t| (t, w.clone())))
        .collect();
    if pairs.is_empty() {
        return Ok(());
    }
    for chunk in pairs.chunks(crate::db::rows_per_statement(conn.get_database_backend(), 2)) {
        let mut p = Params::new(conn.get_database_backend());
        let rows = chunk
            .iter()
            .map(|(t, w)| format!("({}, {})", p.push(t.clone()), p.push(w.clone())))
            .collect::<Vec<_>>()
            .join(", ");
        conn.execute_raw(Statement::from_sql_and_values(
            p.backend,
            format!("INSERT INTO {table} (trigram, word) VALUES {rows} ON CONFLICT DO NOTHING"),
            p.values,
        ))
        .await?;
    }
    Ok(())
}

#[derive(Debug, FromQueryResult)]
struct Count {
    n: i64,
}

/// Removes from the typo index the words no active profile's name uses any more, so a
/// deleted or hidden profile leaves no trace of its name (P7). Call after its entries went.
pub(super) async fn forget_unused_name_words<C: ConnectionTrait>(conn: &C, words: &[String]) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    for word in words {
        let mut p = Params::new(backend);
        let (term, weight) = (
            p.push(super::entries::word_term(word)),
            p.push(super::entries::NAME_WEIGHT),
        );
        let sql = format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM search_entry WHERE term = {term} AND weight = {weight} LIMIT 1) used"
        );
        let used = Count::find_by_statement(p.statement(sql))
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
