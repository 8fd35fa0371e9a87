//! The only place that builds sea-orm queries. Functions take any connection or
//! transaction (`C: ConnectionTrait`) so services decide the transaction boundaries.
//! May import `entity` and `migration`; never `schema`, `http` or async-graphql.

pub mod access_log;
pub mod audit;
pub mod catalogue;
pub mod certification;
pub mod confirmations;
pub mod coupons;
pub mod enrolment;
pub mod fees;
pub mod jobs;
pub mod members;
pub mod newsletters;
pub mod orders;
pub mod outbox;
pub mod payments;
pub mod petitions;
pub mod privacy;
pub mod profiles;
pub mod reads;
pub mod search;
pub mod security;
pub mod sessions;
pub mod signing;

use crate::config::Settings;
use migration::MigratorTrait;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use secrecy::ExposeSecret;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Counters about the statements the pool runs (tests assert on them; slow ones are logged).
#[derive(Debug, Default)]
pub struct DbStats {
    statements: AtomicU64,
}

impl DbStats {
    /// Statements run since the pool opened.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Counts a statement; logs it (its SQL only, never its values) when it was slow.
    fn record(&self, sql: &str, elapsed: Duration) {
        self.statements.fetch_add(1, Ordering::Relaxed);
        if elapsed > SLOW_STATEMENT {
            tracing::warn!(elapsed_ms = elapsed.as_millis(), sql = %sql, "slow SQL statement");
        }
    }
}

/// How much of a SQLite file each connection maps (SQLite caps it at its compile-time
/// maximum, 2 GB in the bundled build).
const SQLITE_MMAP_BYTES: u64 = 1 << 31;

/// A statement slower than this is logged (its SQL only, never its values).
const SLOW_STATEMENT: Duration = Duration::from_millis(250);

/// Opens the pool. On SQLite, switches the file to WAL so readers never wait on a writer.
pub async fn connect(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    connect_with_stats(settings, "cptn", Arc::default()).await
}

/// [`connect`], naming the pool's connections `name` on PostgreSQL (`application_name`,
/// shown in `pg_stat_activity`) and counting statements into `stats`.
pub async fn connect_with_stats(
    settings: &Settings,
    name: &'static str,
    stats: Arc<DbStats>,
) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(settings.database_url.expose_secret().to_owned());
    options
        .max_connections(settings.db_pool_size)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        // A ping before every statement doubles the round trips; only a connection that sat
        // idle (the database may have restarted meanwhile) is checked first.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .map_sqlx_postgres_opts(move |options| postgres_session(options, name))
        // SQLite: each connection reads the file through a memory map instead of copying
        // pages into its own 2 MB cache; a search that weighs a few thousand matches reads
        // pages all over the index, and spent most of its time in `read` without it.
        .map_sqlx_sqlite_opts(|options| options.pragma("mmap_size", SQLITE_MMAP_BYTES.to_string()));
    let mut db = Database::connect(options).await?;
    db.set_metric_callback(move |info| stats.record(&info.statement.sql, info.elapsed));
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;")
            .await?;
    }
    Ok(db)
}

/// How every PostgreSQL connection of the server is set up. Many short queries run at once:
/// a parallel plan only adds worker start-up to each. Statements are prepared once per
/// connection and planned once: left to itself PostgreSQL re-plans a full-text search on
/// every run (about 1 ms, as long as running it), and the plans of our statements do not
/// depend on their values.
fn postgres_session(
    options: sea_orm::sqlx::postgres::PgConnectOptions,
    name: &str,
) -> sea_orm::sqlx::postgres::PgConnectOptions {
    options.application_name(name).options([
        ("max_parallel_workers_per_gather", "0"),
        ("plan_cache_mode", "force_generic_plan"),
    ])
}

/// Starts a transaction that will write. On SQLite it takes the write lock up front
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads first and writes later fails with
/// `SQLITE_BUSY_SNAPSHOT` when another writer got in between, and cannot be retried.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// The `n`-th (1-based) placeholder in the engine's dialect: `$n` on PostgreSQL, `?n` on
/// SQLite (numbered there too, so a value can be used twice).
fn placeholder(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => format!("?{n}"),
    }
}

/// The values of a hand-written statement and their placeholders, numbered as they are
/// pushed ([`placeholder`]).
pub(crate) struct Params {
    pub(crate) backend: DbBackend,
    pub(crate) values: Vec<sea_orm::Value>,
}

impl Params {
    pub(crate) fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            values: Vec::new(),
        }
    }

    /// Adds a value; returns its placeholder.
    pub(crate) fn push(&mut self, value: impl Into<sea_orm::Value>) -> String {
        self.values.push(value.into());
        placeholder(self.backend, self.values.len())
    }

    /// Adds every value; returns their placeholders separated by commas (an `IN` list).
    pub(crate) fn list<V: Into<sea_orm::Value>>(&mut self, values: impl IntoIterator<Item = V>) -> String {
        values.into_iter().map(|v| self.push(v)).collect::<Vec<_>>().join(", ")
    }

    /// The statement `sql` with the values pushed so far.
    pub(crate) fn statement(self, sql: String) -> sea_orm::Statement {
        sea_orm::Statement::from_sql_and_values(self.backend, sql, self.values)
    }
}

/// How many rows of `values_per_row` values one multi-row statement should carry. SQLite's
/// driver looks every parameter up by name among all of a statement's (work in the square
/// of their number: 8,000 values cost seconds), so its statements stay near 400 values;
/// PostgreSQL binds by position and takes up to 8,000 in one.
pub(crate) fn rows_per_statement(backend: DbBackend, values_per_row: usize) -> usize {
    let values = if backend == DbBackend::Postgres { 8_000 } else { 400 };
    (values / values_per_row.max(1)).max(1)
}

/// Inserts `rows` of `values_per_row` columns, [`rows_per_statement`] of them a statement.
pub(crate) async fn insert_in_batches<C, A, I>(conn: &C, rows: I, values_per_row: usize) -> Result<(), DbErr>
where
    C: ConnectionTrait,
    A: sea_orm::ActiveModelTrait + Send,
    I: IntoIterator<Item = A>,
    I::IntoIter: Send,
{
    let per_statement = rows_per_statement(conn.get_database_backend(), values_per_row);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<A> = rows.by_ref().take(per_statement).collect();
        <A::Entity as sea_orm::EntityTrait>::insert_many(batch)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    migration::Migrator::up(db, None).await?;
    // Courses from before the catalogue's search index (migration 18) get their entries,
    // folded by the same code as every later write.
    let missing = search::catalogue::unindexed_courses(db).await?;
    if !missing.is_empty() {
        let txn = begin_write(db).await?;
        for course in catalogue::courses_by_id(&txn, &missing).await? {
            let provider = catalogue::providers_by_id(&txn, &[course.provider_id]).await?;
            let name = provider.first().map(|p| p.name.as_str()).unwrap_or_default();
            search::catalogue::index_course(&txn, &course, name).await?;
        }
        txn.commit().await?;
    }
    // Directory entries are computed in Rust: a database migrated from before migration 23
    // gets them here, once.
    if search::entries::missing(db).await? {
        let txn = begin_write(db).await?;
        let indexed = search::rebuild::rebuild(&txn).await?;
        txn.commit().await?;
        tracing::info!(profiles = indexed, "directory search entries built");
    }
    Ok(())
}

/// SQLite: copies the write-ahead log into the database and empties it. A bulk load or a
/// rebuild leaves a log of hundreds of megabytes, and until a later write resets it every
/// page read looks the page up in the log's index first (reads ran three times slower);
/// call after them, and at start, while nothing else uses the database (an emptied log
/// under a connection's open snapshot fails its next write). A checkpoint that fails only
/// leaves the log as it was: it is logged, not returned. PostgreSQL: nothing to do.
pub async fn checkpoint(db: &DatabaseConnection) {
    if db.get_database_backend() == DbBackend::Sqlite
        && let Err(error) = db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await
    {
        tracing::warn!(%error, "the write-ahead log was not emptied");
    }
}

/// True when the database answers a trivial query (`/readyz`).
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}
