//! Connections for the reads on the hot paths: the directory's anonymous reads (search
//! pages, profile pages, typeahead), the session check of every logged-in request, and the
//! member dashboard: the pages everyone loads, one statement each.
//!
//! On PostgreSQL they have a pool of their own, kept here rather than in sqlx: sqlx tests
//! every connection given back to its pool with a round trip to the database (a `Sync`
//! answered by `ReadyForQuery`), so a one-statement page cost two round trips, and the
//! connection was out of use during the second. Without it the search page serves about
//! a fifth more requests on two cores (docs/PERFORMANCE.md). A connection here is tested
//! only when it sat idle for a while (as the general pool does), and one whose statement
//! did not finish (the request was dropped mid-way) or failed on the wire is closed,
//! never reused. A statement that failed on the wire on a reused connection (the database
//! restarted, or ended the session) runs once more on a new one, so a visitor does not see
//! the error: only reads run here. Everything that writes keeps to the general pool.
//!
//! On SQLite there is no round trip to save: reads go to the general pool.

use super::{DbStats, postgres_session};
use crate::config::Settings;
use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection, PgDatabaseError, PgSeverity};
use sea_orm::sqlx::{self, ConnectOptions, Connection};
use sea_orm::{
    ConnAcquireErr, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult, RuntimeErr,
    Statement,
};
use sea_query_sqlx::SqlxValues;
use secrecy::ExposeSecret;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// How long a request waits for a connection before giving up.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long opening a connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection idle this long is tested before use: the database may have restarted.
const TEST_IF_IDLE_FOR: Duration = Duration::from_secs(30);
/// A connection this old is closed when given back, so that a backend's caches and memory
/// do not grow forever (sqlx's default lifetime).
const MAX_LIFETIME: Duration = Duration::from_mins(30);

/// See the module documentation. Cheap to clone.
#[derive(Clone)]
pub struct ReadPool {
    general: DatabaseConnection,
    postgres: Option<Arc<PgReads>>,
}

struct PgReads {
    options: PgConnectOptions,
    /// One permit per connection that may be open.
    permits: Semaphore,
    idle: Mutex<Vec<Pooled>>,
    stats: Arc<DbStats>,
}

struct Pooled {
    conn: PgConnection,
    opened: Instant,
    idle_since: Instant,
}

impl ReadPool {
    /// A pool of `settings.db_pool_size` connections on PostgreSQL (opened when first
    /// needed), counting its statements into `stats`; the general pool on SQLite.
    pub fn new(settings: &Settings, general: DatabaseConnection, stats: Arc<DbStats>) -> Result<Self, DbErr> {
        let postgres = if general.get_database_backend() == DbBackend::Postgres {
            let options = PgConnectOptions::from_str(settings.database_url.expose_secret())
                .map_err(|e| DbErr::Conn(RuntimeErr::SqlxError(Arc::new(e))))?;
            Some(Arc::new(PgReads {
                // Statements are never logged by sqlx (their SQL may be long; slow ones are
                // logged below, without values).
                options: postgres_session(options, "cptn reads").disable_statement_logging(),
                permits: Semaphore::new(usize::try_from(settings.db_pool_size).unwrap_or(1).max(1)),
                idle: Mutex::default(),
                stats,
            }))
        } else {
            None
        };
        Ok(Self { general, postgres })
    }

    /// Connections open and idle right now (0 on SQLite).
    pub fn idle_connections(&self) -> usize {
        self.postgres.as_ref().map_or(0, |pg| pg.idle_list().len())
    }
}

impl PgReads {
    fn idle_list(&self) -> std::sync::MutexGuard<'_, Vec<Pooled>> {
        // The list is only pushed to and popped from; a panic elsewhere cannot leave it
        // half-changed.
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The connection given back last (its caches are the warmest). The list's lock is
    /// released on return, never held across an await.
    fn pop_idle(&self) -> Option<Pooled> {
        self.idle_list().pop()
    }

    /// Runs one statement on a pooled connection and hands its rows to `sea-orm`.
    async fn fetch_all(&self, stmt: &Statement) -> Result<Vec<QueryResult>, DbErr> {
        let _permit = tokio::time::timeout(ACQUIRE_TIMEOUT, self.permits.acquire())
            .await
            .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::Timeout))?
            .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed))?;
        let mut result = self.fetch_all_once(stmt, true).await;
        if let Err(Retry::OnNewConnection(_)) = result {
            result = self.fetch_all_once(stmt, false).await;
        }
        match result {
            Ok(rows) => Ok(rows.into_iter().map(QueryResult::from).collect()),
            Err(Retry::OnNewConnection(e) | Retry::No(e)) => Err(match e {
                sqlx::Error::PoolTimedOut => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
                e => DbErr::Query(RuntimeErr::SqlxError(Arc::new(e))),
            }),
        }
    }

    /// One attempt, on an idle connection if `reuse` and there is one, else on a new one.
    async fn fetch_all_once(&self, stmt: &Statement, reuse: bool) -> Result<Vec<sqlx::postgres::PgRow>, Retry> {
        let (pooled, reused) = self.checkout(reuse).await.map_err(Retry::No)?;
        let mut lease = Lease {
            pool: self,
            pooled: Some(pooled),
            finished: false,
        };
        let values = stmt.values.clone().unwrap_or(sea_orm::Values(Vec::new()));
        let started = Instant::now();
        let result = match lease.pooled.as_mut() {
            Some(pooled) => {
                sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values))
                    .fetch_all(&mut pooled.conn)
                    .await
            }
            None => Err(sqlx::Error::PoolClosed),
        };
        self.stats.record(&stmt.sql, started.elapsed());
        lease.finished = match &result {
            Ok(_) => true,
            Err(e) => !ends_the_session(e),
        };
        let failed_on_the_wire = !lease.finished;
        // The lease gives the connection back (or closes it) when dropped.
        drop(lease);
        result.map_err(|e| {
            if failed_on_the_wire && reused {
                Retry::OnNewConnection(e)
            } else {
                Retry::No(e)
            }
        })
    }

    /// An idle connection (tested first if it idled long) when `reuse`, else a new one;
    /// and whether it was reused.
    async fn checkout(&self, reuse: bool) -> Result<(Pooled, bool), sqlx::Error> {
        if reuse {
            while let Some(mut pooled) = self.pop_idle() {
                if pooled.idle_since.elapsed() < TEST_IF_IDLE_FOR || pooled.conn.ping().await.is_ok() {
                    return Ok((pooled, true));
                }
                // Gone while idle: dropped (its socket closes), try the next.
            }
        }
        let conn = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&self.options))
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)??;
        let now = Instant::now();
        let pooled = Pooled {
            conn,
            opened: now,
            idle_since: now,
        };
        Ok((pooled, false))
    }
}

/// True when the connection cannot be used after `error`: the socket or the protocol
/// failed, or the database ended the session (a `FATAL` error, as when it shuts down or an
/// operator terminates the backend). A statement's own error (`ERROR`) leaves it usable.
fn ends_the_session(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(e) => e
            .try_downcast_ref::<PgDatabaseError>()
            .is_none_or(|pg| matches!(pg.severity(), PgSeverity::Fatal | PgSeverity::Panic)),
        _ => true,
    }
}

/// Why an attempt failed, and whether a new connection may succeed where it did not.
enum Retry {
    OnNewConnection(sqlx::Error),
    No(sqlx::Error),
}

/// A connection out of the idle list. Dropped after its statement finished, it goes back;
/// dropped mid-way (the request was cancelled) or after a failure on the wire, it closes.
struct Lease<'a> {
    pool: &'a PgReads,
    pooled: Option<Pooled>,
    finished: bool,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(mut pooled) = self.pooled.take()
            && self.finished
            && pooled.opened.elapsed() < MAX_LIFETIME
        {
            pooled.idle_since = Instant::now();
            self.pool.idle_list().push(pooled);
        }
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for ReadPool {
    fn get_database_backend(&self) -> DbBackend {
        self.general.get_database_backend()
    }

    /// Writes are not this pool's business: the general pool runs them.
    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.general.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.general.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match &self.postgres {
            Some(pg) => Ok(pg.fetch_all(&stmt).await?.into_iter().next()),
            None => self.general.query_one_raw(stmt).await,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match &self.postgres {
            Some(pg) => pg.fetch_all(&stmt).await,
            None => self.general.query_all_raw(stmt).await,
        }
    }
}
