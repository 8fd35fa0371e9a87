//! Writes to the access log, in batches.

use chrono::{DateTime, Utc};
use entity::access_log;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, Set};
use serde::Serialize;

/// Rows a single SQLite statement carries (7 values each, well under its variable limit).
const SQLITE_ROWS_PER_STATEMENT: usize = 512;

/// One request, as stored.
#[derive(Clone, Debug, Serialize)]
pub struct LogRow {
    pub occurred_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub method: String,
    pub target: String,
    pub member_id: Option<i64>,
    pub status: i32,
    pub duration_us: i64,
}

/// Inserts `rows` in one transaction.
///
/// On PostgreSQL the batch travels as one JSON value into one statement whose text never
/// changes: prepared once per connection, whatever the batch's size. A multi-row `VALUES`
/// list would be a new statement for every size, parsed and planned with thousands of
/// parameters each time.
pub async fn insert_batch(db: &DatabaseConnection, rows: &[LogRow]) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    if db.get_database_backend() == DbBackend::Postgres {
        let batch = serde_json::to_string(rows).map_err(|e| DbErr::Custom(format!("access log batch: {e}")))?;
        let mut p = super::Params::new(DbBackend::Postgres);
        let batch = p.push(batch);
        db.execute_raw(p.statement(format!(
            "INSERT INTO access_log (occurred_at, ip, method, target, member_id, status, duration_us) \
             SELECT occurred_at, ip, method, target, member_id, status, duration_us \
             FROM json_to_recordset({batch}::json) AS r(occurred_at timestamptz, ip text, method text, target text, \
             member_id bigint, status integer, duration_us bigint)"
        )))
        .await?;
        return Ok(());
    }
    let txn = super::begin_write(db).await?;
    for chunk in rows.chunks(SQLITE_ROWS_PER_STATEMENT) {
        access_log::Entity::insert_many(chunk.iter().map(|row| access_log::ActiveModel {
            occurred_at: Set(row.occurred_at),
            ip: Set(row.ip.clone()),
            method: Set(row.method.clone()),
            target: Set(row.target.clone()),
            member_id: Set(row.member_id),
            status: Set(row.status),
            duration_us: Set(row.duration_us),
            ..Default::default()
        }))
        .exec(&txn)
        .await?;
    }
    txn.commit().await
}

/// Access-log rows before `before`: deleted with `delete`, counted otherwise.
pub async fn before<C: ConnectionTrait>(conn: &C, before: DateTime<Utc>, delete: bool) -> Result<u64, DbErr> {
    use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
    let matching = access_log::Column::OccurredAt.lt(before);
    if delete {
        Ok(access_log::Entity::delete_many()
            .filter(matching)
            .exec(conn)
            .await?
            .rows_affected)
    } else {
        access_log::Entity::find().filter(matching).count(conn).await
    }
}
