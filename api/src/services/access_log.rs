//! The site access log (P9, P14): one row per request, written off the request path.
//! Handlers push entries into a bounded channel; one task writes them in batches, so a
//! request never waits on the log. When the channel is full the entry is dropped and a
//! warning is logged (the log must not become a way to slow the site down).

use chrono::{DateTime, Utc};
use entity::access_log;
use sea_orm::{DatabaseConnection, Set};
use std::time::Duration;
use tokio::sync::mpsc;

const CHANNEL_CAPACITY: usize = 16_384;
const BATCH_SIZE: usize = 512;
/// Longest an entry waits for others to share its batch.
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

/// Starts the writer task. It ends, after writing what is queued, once every sender is dropped.
pub fn start(db: DatabaseConnection) -> (AccessLogSender, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
    let handle = tokio::spawn(write_loop(db, rx));
    (AccessLogSender(tx), handle)
}

async fn write_loop(db: DatabaseConnection, mut rx: mpsc::Receiver<AccessLogEntry>) {
    let mut batch = Vec::with_capacity(BATCH_SIZE);
    loop {
        // Wait for a first entry; none means every sender is gone and the queue is empty.
        if rx.recv_many(&mut batch, BATCH_SIZE).await == 0 {
            break;
        }
        // Then gather for a moment, so a busy site writes a few large batches (one
        // statement and one commit each) rather than one small one per request.
        let deadline = tokio::time::Instant::now() + FLUSH_EVERY;
        let mut open = true;
        while batch.len() < BATCH_SIZE {
            let room = BATCH_SIZE - batch.len();
            match tokio::time::timeout_at(deadline, rx.recv_many(&mut batch, room)).await {
                Ok(0) => {
                    open = false;
                    break;
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        let rows = batch.drain(..).map(to_row).collect();
        if let Err(e) = crate::db::access_log::insert_batch(&db, rows).await {
            tracing::error!(error = %e, "writing the access log failed");
        }
        if !open {
            break;
        }
    }
}

fn to_row(entry: AccessLogEntry) -> access_log::ActiveModel {
    let target: String = entry.target.chars().take(512).collect();
    access_log::ActiveModel {
        occurred_at: Set(entry.occurred_at),
        ip: Set(entry.ip),
        method: Set(entry.method),
        target: Set(target),
        member_id: Set(entry.member_id),
        status: Set(i32::from(entry.status)),
        duration_us: Set(i64::try_from(entry.duration.as_micros()).unwrap_or(i64::MAX)),
        ..Default::default()
    }
}
