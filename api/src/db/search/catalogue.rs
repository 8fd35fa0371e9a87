//! Catalogue search on the directory's machinery: the same folded words (whole words, the
//! last one a prefix), the same typo rules (`shared::fuzzy`, candidates from a trigram
//! table, [`super::query::typo_alternatives`] choosing among them), FTS5 on SQLite and a
//! weighted `tsvector` on PostgreSQL, one statement a page. Title and code weigh most, then
//! the provider's name, then the description; typo alternatives match titles and provider
//! names only.

use super::query::typo_alternatives;
use super::typos::{remember_words, similar_words};
use crate::db::Params;
use crate::db::catalogue::CourseFilter;
use entity::{course, course_provider};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement};
use shared::fuzzy;
use std::fmt::Write;

/// The trigram table of catalogue words.
const TRIGRAMS: &str = "course_trigram";

/// For each search word, the catalogue words it may be a typo of.
pub async fn similar_course_words<C: ConnectionTrait>(conn: &C, terms: &[String]) -> Result<Vec<Vec<String>>, DbErr> {
    similar_words(conn, TRIGRAMS, terms).await
}

/// Writes course `course`'s index entry (replacing any) and its words' trigrams, inside the
/// caller's transaction.
pub async fn index_course<C: ConnectionTrait>(conn: &C, course: &course::Model, provider: &str) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let folded = |text: &str| fuzzy::words(text).join(" ");
    let (title, code, provider_text, description) = (
        folded(&course.title),
        folded(&course.code),
        folded(provider),
        folded(&course.description),
    );
    let mut p = Params::new(backend);
    let id = p.push(course.id);
    let delete = match backend {
        DbBackend::Postgres => format!("DELETE FROM course_search WHERE course_id = {id}"),
        _ => format!("DELETE FROM course_search WHERE rowid = {id}"),
    };
    conn.execute_raw(p.statement(delete)).await?;
    let mut p = Params::new(backend);
    let (id, title_value, code_value, provider_value, description_value) = (
        p.push(course.id),
        p.push(title.clone()),
        p.push(code),
        p.push(provider_text.clone()),
        p.push(description),
    );
    let insert = match backend {
        DbBackend::Postgres => format!(
            "INSERT INTO course_search (course_id, document) VALUES ({id}, \
             setweight(to_tsvector('simple', {title_value}), 'A') || setweight(to_tsvector('simple', {code_value}), 'A') || \
             setweight(to_tsvector('simple', {provider_value}), 'B') || setweight(to_tsvector('simple', {description_value}), 'C'))"
        ),
        _ => format!(
            "INSERT INTO course_search (rowid, title, code, provider, description) \
             VALUES ({id}, {title_value}, {code_value}, {provider_value}, {description_value})"
        ),
    };
    conn.execute_raw(p.statement(insert)).await?;
    let mut words = fuzzy::name_words(&title);
    words.extend(fuzzy::name_words(&provider_text));
    words.retain(|w| w.chars().count() <= 60);
    remember_words(conn, TRIGRAMS, &words).await
}

#[derive(Debug, FromQueryResult)]
struct Missing {
    id: i64,
}

/// Courses with no index entry (those that existed before the index did).
pub async fn unindexed_courses<C: ConnectionTrait>(conn: &C) -> Result<Vec<i64>, DbErr> {
    let sql = match conn.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT c.id FROM course c WHERE NOT EXISTS (SELECT 1 FROM course_search s WHERE s.course_id = c.id)"
        }
        _ => "SELECT c.id FROM course c WHERE NOT EXISTS (SELECT 1 FROM course_search s WHERE s.rowid = c.id)",
    };
    let rows = Missing::find_by_statement(Statement::from_string(conn.get_database_backend(), sql))
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// What a catalogue search asks for.
pub struct CourseSearch<'a> {
    /// Folded words, the last one possibly a prefix (`super::terms_of`).
    pub terms: &'a [String],
    /// For each word, the catalogue words it may be a typo of.
    pub similar: &'a [Vec<String>],
    pub filter: &'a CourseFilter,
    /// The score and id of the previous page's last course.
    pub after: Option<(f64, i64)>,
    pub limit: u64,
}

/// A course found, with its score and provider.
pub struct FoundCourse {
    pub score: f64,
    pub course: course::Model,
    pub provider: course_provider::Model,
}

/// Current courses matching every word, best first (then by id), with their scores and
/// providers: one statement.
pub async fn search_courses<C: ConnectionTrait>(
    conn: &C,
    search: &CourseSearch<'_>,
) -> Result<Vec<FoundCourse>, DbErr> {
    let backend = conn.get_database_backend();
    let mut p = Params::new(backend);
    let last = search.terms.len().saturating_sub(1);
    let groups = search.terms.iter().enumerate().map(|(i, term)| {
        let typos = typo_alternatives(term, i == last, search.similar.get(i).map_or(&[][..], Vec::as_slice));
        let mut group = String::from("(");
        if backend == DbBackend::Postgres {
            group.push_str(term);
            if i == last {
                group.push_str(":*");
            }
            for word in typos {
                let _ = write!(group, " | {word}:AB");
            }
        } else {
            let _ = write!(group, "\"{term}\"");
            if i == last {
                group.push('*');
            }
            for word in typos {
                let _ = write!(group, " OR {{title provider}} : \"{word}\"");
            }
        }
        group.push(')');
        group
    });
    let expression = match backend {
        DbBackend::Postgres => groups.collect::<Vec<_>>().join(" & "),
        _ => groups.collect::<Vec<_>>().join(" AND "),
    };
    let expression = p.push(expression);
    let mut filters = vec!["c.retired_at IS NULL".to_owned()];
    if let Some(provider) = search.filter.provider_id {
        filters.push(format!("c.provider_id = {}", p.push(provider)));
    }
    if let Some(delivery) = search.filter.delivery {
        filters.push(format!("c.delivery = {}", p.push(delivery)));
    }
    if let Some(approval) = search.filter.approval {
        filters.push(format!("c.approval = {}", p.push(approval)));
    }
    let filters = filters.join(" AND ");
    let after = match search.after {
        None => String::new(),
        Some((score, id)) => {
            let (s, i) = (p.push(score), p.push(id));
            format!("WHERE m.score < {s} OR (m.score = {s} AND m.id > {i})")
        }
    };
    let limit = p.push(i64::try_from(search.limit).unwrap_or(101));
    let matches = match backend {
        DbBackend::Postgres => format!(
            "SELECT c.*, CAST(ts_rank(s.document, q.query) AS FLOAT8) AS score \
             FROM course_search s JOIN course c ON c.id = s.course_id, \
             (SELECT to_tsquery('simple', {expression}) AS query) q \
             WHERE s.document @@ q.query AND {filters}"
        ),
        // `bm25()` only works in the query that does the MATCH.
        _ => format!(
            "SELECT c.*, f.score FROM (SELECT rowid AS course_id, -bm25(course_search, 10.0, 10.0, 5.0, 1.0) AS score \
             FROM course_search WHERE course_search MATCH {expression}) f JOIN course c ON c.id = f.course_id \
             WHERE {filters}"
        ),
    };
    let sql = format!(
        "SELECT m.*, p.id AS p_id, p.slug AS p_slug, p.name AS p_name, p.created_at AS p_created_at, \
         p.retired_at AS p_retired_at FROM ({matches}) m JOIN course_provider p ON p.id = m.provider_id \
         {after} ORDER BY m.score DESC, m.id ASC LIMIT {limit}"
    );
    let rows = conn.query_all_raw(p.statement(sql)).await?;
    rows.iter()
        .map(|row| {
            Ok(FoundCourse {
                score: row.try_get("", "score")?,
                course: course::Model::from_query_result(row, "")?,
                provider: course_provider::Model::from_query_result(row, "p_")?,
            })
        })
        .collect()
}

#[derive(Debug, FromQueryResult)]
struct Title {
    title: String,
}

/// Titles of current courses with a title word starting with `prefix` (folded), by title.
pub async fn suggest_titles<C: ConnectionTrait>(conn: &C, prefix: &str, limit: u64) -> Result<Vec<String>, DbErr> {
    let Some(word) = fuzzy::words(prefix).into_iter().next_back() else {
        return Ok(Vec::new());
    };
    let backend = conn.get_database_backend();
    let mut p = Params::new(backend);
    let limit = i64::try_from(limit).unwrap_or(10);
    let sql = if backend == DbBackend::Postgres {
        let (q, l) = (p.push(format!("{word}:*A")), p.push(limit));
        format!(
            "SELECT c.title FROM course_search s JOIN course c ON c.id = s.course_id \
             WHERE s.document @@ to_tsquery('simple', {q}) AND c.retired_at IS NULL ORDER BY c.title, c.id LIMIT {l}"
        )
    } else {
        let (q, l) = (p.push(format!("title : \"{word}\"*")), p.push(limit));
        format!(
            "SELECT c.title FROM (SELECT rowid AS course_id FROM course_search WHERE course_search MATCH {q}) f \
             JOIN course c ON c.id = f.course_id WHERE c.retired_at IS NULL ORDER BY c.title, c.id LIMIT {l}"
        )
    };
    let rows = Title::find_by_statement(p.statement(sql)).all(conn).await?;
    Ok(rows.into_iter().map(|r| r.title).collect())
}
