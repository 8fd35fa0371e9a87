//! The site access log (P9, P14): one row per request, written off the request path.
//! Handlers push entries into a bounded channel; one task writes them in batches, so a
//! request never waits on the log. When the channel is full the entry is dropped and a
//! warning is logged (the log must not become a way to slow the site down).

use crate::db::access_log::LogRow;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TryRecvError;
use tokio_util::sync::CancellationToken;

/// Entries the channel holds: what arrives in one `FLUSH_EVERY` at 80,000 requests a second.
const CHANNEL_CAPACITY: usize = 16_384;
/// How long the first entry of a batch waits for others to join it.
const FLUSH_EVERY: Duration = Duration::from_millis(200);

/// One request, as logged.
#[derive(Clone, Debug)]
pub struct AccessLogEntry {
    pub occurred_at: DateTime<Utc>,
    pub ip: Option<String>,
    pub method: String,
    pub target: String,
    pub member_id: Option<i64>,
    pub status: u16,
    pub duration: Duration,
}

/// The sending half; cheap to clone.
#[derive(Clone)]
pub struct AccessLogSender(mpsc::Sender<AccessLogEntry>);

impl AccessLogSender {
    pub fn send(&self, entry: AccessLogEntry) {
        if self.0.try_send(entry).is_err() {
            tracing::warn!("access log queue full or closed; an entry was dropped");
        }
    }
}

/// Starts the writer task. It ends, after writing what is queued, once every sender is
/// dropped or `stop` is cancelled (shutdown: the server has answered its last request).
pub fn start(db: DatabaseConnection, stop: CancellationToken) -> (AccessLogSender, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
    let handle = tokio::spawn(write_loop(db, rx, stop));
    (AccessLogSender(tx), handle)
}

async fn write_loop(db: DatabaseConnection, mut rx: mpsc::Receiver<AccessLogEntry>, stop: CancellationToken) {
    let mut batch = Vec::new();
    let mut open = true;
    while open {
        // Wait for a first entry; none means every sender is gone and the queue is empty.
        let first = tokio::select! {
            entry = rx.recv() => entry,
            () = stop.cancelled() => {
                // Shutting down: write what is queued, then end.
                rx.close();
                open = false;
                rx.recv().await
            }
        };
        match first {
            Some(entry) => batch.push(entry),
            None => break,
        }
        // Then sleep rather than wait on the channel: a waiting receiver is woken (from
        // another thread) by every request, a sleeping one once a batch. Whatever arrived
        // meanwhile goes in one statement and one commit.
        if open {
            tokio::select! {
                () = tokio::time::sleep(FLUSH_EVERY) => {}
                () = stop.cancelled() => rx.close(),
            }
        }
        loop {
            match rx.try_recv() {
                Ok(entry) => batch.push(entry),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    open = false;
                    break;
                }
            }
        }
        let rows: Vec<LogRow> = batch.drain(..).map(to_row).collect();
        if let Err(e) = crate::db::access_log::insert_batch(&db, &rows).await {
            tracing::error!(error = %e, "writing the access log failed");
        }
    }
}

fn to_row(entry: AccessLogEntry) -> LogRow {
    LogRow {
        occurred_at: entry.occurred_at,
        ip: entry.ip,
        // Any token is a method to HTTP; the column holds 16 characters.
        method: entry.method.chars().take(16).collect(),
        // The target partly comes from the client (a GraphQL operation name is whatever the
        // request says): control characters go, so that no row can forge a line in a text
        // export, and none can make the batch fail (PostgreSQL refuses NUL in text, which
        // would lose every other request's row with it).
        target: entry.target.chars().filter(|c| !c.is_control()).take(512).collect(),
        member_id: entry.member_id,
        status: i32::from(entry.status),
        duration_us: i64::try_from(entry.duration.as_micros()).unwrap_or(i64::MAX),
    }
}
