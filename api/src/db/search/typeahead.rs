//! Typeahead: completions of names and cities of active profiles.

use crate::db::Params;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement};

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
