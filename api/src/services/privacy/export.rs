//! Data export (P23): `exportMyData` builds a zip archive of everything held about the
//! caller: `data.json` (every row of every table that names them, by table, with the rows
//! that hang off their orders and profile) and the files they uploaded (profile photo,
//! petition evidence). Nothing about anyone else: columns naming other people (staff who
//! acted, a relay sender's address and IP) and secrets (password hash, token ids) are left
//! out. Messages are exported as the member received them (a relayed message names its
//! sender, who wrote to them; the stored headers and sender IP columns are left out). The
//! archive is kept 24 hours, downloaded only by its member with their own token
//! (`GET /exports/{id}`), then deleted by the `retention` job.
//!
//! [`EXPORTED`] and [`NOT_EXPORTED`] together name every column of the schema that points
//! at a member; a test compares them with the migrated database, so a new table cannot be
//! forgotten.

use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::error::{Error, Result};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::storage::FileKind;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::data_export;
use entity::enums::AuditKind;
use serde_json::{Value, json};
use shared::MemberNumber;
use std::io::Write as _;

/// How long an archive is kept.
pub const KEPT: chrono::Duration = chrono::Duration::hours(24);

/// A new archive is built at most this often: within it, asking again answers the last one.
const REBUILD_AFTER: chrono::Duration = chrono::Duration::minutes(10);

/// Which value of the member a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// The member row's id.
    Id,
    /// The member number.
    Number,
}

/// Every (table, column) naming a member that the archive holds, with the value it matches.
pub const EXPORTED: &[(&str, &str, Key)] = &[
    ("member", "id", Key::Id),
    ("directory_profile", "member_id", Key::Id),
    ("certification_cycle", "member_id", Key::Id),
    ("cec_entry", "member_id", Key::Id),
    ("certification_renewal", "member_id", Key::Id),
    ("renewal_reminder", "member_id", Key::Id),
    ("fee", "member_id", Key::Id),
    ("enrolment", "member_id", Key::Id),
    ("petition", "member_id", Key::Id),
    ("coupon", "member_id", Key::Id),
    ("purchase_order", "member_id", Key::Id),
    ("session", "member_id", Key::Id),
    ("audit_event", "member_id", Key::Id),
    ("access_log", "member_id", Key::Id),
    ("outbox_message", "recipient_member_id", Key::Id),
    ("privacy_request", "member_number", Key::Number),
    ("privacy_request", "claimed_number", Key::Number),
    ("wipe_receipt", "member_number", Key::Number),
    ("subscription", "member_id", Key::Id),
    ("member", "member_number", Key::Number),
];

/// Every other (table, column) naming a member, and why the archive leaves it out.
pub const NOT_EXPORTED: &[(&str, &str, &str)] = &[
    (
        "audit_event",
        "actor_id",
        "who acted: rows about the member are exported; rows where they acted on others are about those others",
    ),
    (
        "email_confirmation",
        "member_id",
        "hashes of one-time links, deleted a week after use",
    ),
    ("ledger_purge", "member_id", "empty outside the transaction of a purge"),
    ("data_export", "member_id", "the archives themselves"),
    (
        "enrolment",
        "completed_by",
        "the staff member or provider who marked completion",
    ),
    ("petition", "decided_by", "the staff member who decided"),
    ("coupon", "created_by", "the staff member who created the coupon"),
    ("purchase_order", "keyed_by", "the staff member who keyed the order"),
    ("fee", "marked_paid_by", "the staff member who recorded the payment"),
    ("order_refund", "requested_by", "the staff member who refunded"),
    ("privacy_request", "closed_by", "the staff member who answered"),
    (
        "certification_cycle",
        "recorded_by",
        "the staff member who recorded the cycle",
    ),
    ("cec_entry", "recorded_by", "the staff member who recorded the credit"),
    ("campaign", "created_by", "the staff member who wrote the newsletter"),
    (
        "vulnerability_report",
        "triaged_by",
        "the staff member who triaged the report (reports are kept by the reporter's address, exported on an address request)",
    ),
];

/// Columns never written into an archive: secrets, and values about other people.
const LEFT_OUT: &[&str] = &[
    "password_hash",
    "current_jti",
    "token_hash",
    "headers",
    "sender_ip",
    "actor_id",
    "completed_by",
    "decided_by",
    "created_by",
    "keyed_by",
    "marked_paid_by",
    "requested_by",
    "closed_by",
    "recorded_by",
];

/// Rows that hang off a member's orders and profile, exported with them: (table, column,
/// parent table).
const CHILDREN: &[(&str, &str, &str)] = &[
    ("order_item", "order_id", "purchase_order"),
    ("order_tax_line", "order_id", "purchase_order"),
    ("order_refund", "order_id", "purchase_order"),
    ("profile_specialty", "profile_id", "directory_profile"),
    ("consent_event", "subscription_id", "subscription"),
];

/// Builds the caller's archive (or answers the one built in the last ten minutes).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn export_my_data(state: &AppState, viewer: &Viewer, meta: &RequestMeta) -> Result<data_export::Model> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?.member_id;
    let now = state.now();
    if let Some(recent) = db::privacy::live_exports_of(&state.db, me, now)
        .await?
        .into_iter()
        .find(|e| now - e.created_at < REBUILD_AFTER)
    {
        return Ok(recent);
    }
    let member = db::members::find_by_id(&state.db, me)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let (document, files) = gather(state, &member, now).await?;
    let number = MemberNumber(member.member_number).to_string();
    let archive = tokio::task::spawn_blocking(move || zip_archive(&number, &document, &files))
        .await
        .map_err(anyhow::Error::from)??;
    let stored = state.storage.save(FileKind::DataExport, "export", &archive).await?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, now)).await?;
    let bytes = i64::try_from(archive.len()).unwrap_or(i64::MAX);
    let export = db::privacy::insert_export(write.conn(), me, stored.name(), bytes, now, now + KEPT).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::DataExported)
                .about(me)
                .detail(format!("archive {}: {bytes} bytes", export.id)),
        )
        .await?;
    stored.keep();
    Ok(export)
}

/// The caller's archives still kept, newest first.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn my_exports(state: &AppState, viewer: &Viewer) -> Result<Vec<data_export::Model>> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?.member_id;
    Ok(db::privacy::live_exports_of(&state.db, me, state.now()).await?)
}

/// The bytes of archive `id`, for its member only, while it is kept (`NOT_FOUND` for
/// anyone else, so ids tell nothing).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn download(state: &AppState, viewer: &Viewer, id: i64) -> Result<(Vec<u8>, data_export::Model)> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?.member_id;
    let export = db::privacy::find_export(&state.db, id)
        .await?
        .filter(|e| e.member_id == me && e.expires_at > state.now())
        .ok_or(Error::NotFound)?;
    let (bytes, _) = state
        .storage
        .read(FileKind::DataExport, &export.file)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((bytes, export))
}

/// A file the archive carries: its path inside the archive and its stored kind and name.
struct Attachment {
    path: String,
    kind: FileKind,
    name: String,
}

/// Everything held about `member`: the JSON document and the files to attach.
async fn gather(
    state: &AppState,
    member: &entity::member::Model,
    now: DateTime<Utc>,
) -> Result<(Value, Vec<(String, Vec<u8>)>)> {
    let mut tables = serde_json::Map::new();
    for &(table, column, key) in EXPORTED {
        let value = match key {
            Key::Id => member.id,
            Key::Number => member.member_number,
        };
        let rows = db::privacy::rows_about(&state.db, table, column, value).await?;
        let entry = tables
            .entry(table.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = entry {
            for row in rows {
                if !list.contains(&row) {
                    list.push(row);
                }
            }
        }
    }
    // Subscriptions are by address too (made before logging in, or by a visitor).
    let by_address = db::privacy::rows_about(&state.db, "subscription", "email", member.email.clone()).await?;
    if let Some(Value::Array(list)) = tables.get_mut("subscription") {
        for row in by_address {
            if !list.contains(&row) {
                list.push(row);
            }
        }
    }
    for &(table, column, parent) in CHILDREN {
        let parents: Vec<i64> = tables
            .get(parent)
            .and_then(Value::as_array)
            .map(|rows| rows.iter().filter_map(|r| r["id"].as_i64()).collect())
            .unwrap_or_default();
        let mut children = Vec::new();
        for id in parents {
            children.extend(db::privacy::rows_about(&state.db, table, column, id).await?);
        }
        tables.insert(table.to_owned(), Value::Array(children));
    }
    let mut attachments = Vec::new();
    for (index, row) in tables
        .get("directory_profile")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if let Some(photo) = row["photo_file"].as_str() {
            attachments.push(Attachment {
                path: format!("files/profile-photo-{index}.{}", extension(photo)),
                kind: FileKind::ProfilePhoto,
                name: photo.to_owned(),
            });
        }
    }
    for row in tables.get("petition").and_then(Value::as_array).into_iter().flatten() {
        if let Some(file) = row["evidence_file"].as_str().filter(|f| !f.is_empty()) {
            attachments.push(Attachment {
                path: format!("files/petition-{}-evidence.{}", row["id"], extension(file)),
                kind: FileKind::PetitionEvidence,
                name: file.to_owned(),
            });
        }
    }
    for rows in tables.values_mut() {
        if let Value::Array(rows) = rows {
            for row in rows.iter_mut().filter_map(Value::as_object_mut) {
                for column in LEFT_OUT {
                    row.remove(*column);
                }
            }
        }
    }
    let mut files = Vec::new();
    for attachment in attachments {
        if let Some((bytes, _)) = state.storage.read(attachment.kind, &attachment.name).await? {
            files.push((attachment.path, bytes));
        }
    }
    let document = json!({
        "member_number": MemberNumber(member.member_number).to_string(),
        "generated_at": now,
        "about": "Everything CPTN Network holds about you, by table: each row as stored, without secrets (password hash, token ids) and without other people's data (staff who acted, a message sender's address). Uploaded files are in files/.",
        "tables": Value::Object(tables),
    });
    Ok((document, files))
}

fn extension(name: &str) -> &str {
    name.rsplit_once('.').map_or("bin", |(_, ext)| ext)
}

/// The zip file: `<number>/data.json` and `<number>/files/...`.
fn zip_archive(number: &str, document: &Value, files: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let failed = |e: &dyn std::fmt::Display| Error::Unexpected(anyhow::anyhow!("building the archive: {e}"));
    writer
        .start_file(format!("{number}/data.json"), options)
        .map_err(|e| failed(&e))?;
    let json = serde_json::to_vec_pretty(document).map_err(|e| failed(&e))?;
    writer.write_all(&json).map_err(|e| failed(&e))?;
    for (path, bytes) in files {
        writer
            .start_file(format!("{number}/{path}"), options)
            .map_err(|e| failed(&e))?;
        writer.write_all(bytes).map_err(|e| failed(&e))?;
    }
    Ok(writer.finish().map_err(|e| failed(&e))?.into_inner())
}
