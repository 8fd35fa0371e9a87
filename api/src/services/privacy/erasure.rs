//! Wiping a member to a tombstone (P3, P23) and deleting one for good (P8): the two
//! operations the retention rules and staff's answers to data requests share. Both run
//! inside the caller's audited write; the files they free are removed after its commit
//! ([`Freed::remove`]).

use crate::db;
use crate::error::{Error, Result};
use crate::services::storage::FileKind;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::enums::WipeReason;
use entity::member;
use sea_orm::ConnectionTrait;

/// The categories a wipe erases, as its receipt names them.
pub const WIPED_CATEGORIES: &str = "legal name, e-mail address, password, phone, postal address, date of birth, \
     directory profile and photo, sessions and confirmation links, data export archives, \
     newsletter subscriptions and consent records, mail copies (relay messages, receipts, \
     notices), petition evidence and answers, IP addresses and user agents in the audit trail and access log, \
     audit details naming the member, order IP addresses and buyer details, vulnerability reports \
     sent from the address";

/// Files a wipe or purge stopped naming: removed once its transaction committed.
#[derive(Debug, Default)]
#[must_use = "the files are removed only by `remove` after the commit"]
pub struct Freed {
    /// A profile was deleted: the typo cache forgets its name.
    profile_deleted: bool,
    photo: Option<String>,
    evidence: Vec<String>,
    exports: Vec<String>,
    report_attachments: Vec<String>,
}

impl Freed {
    /// Removes the files (after the commit: a rolled-back write keeps them).
    pub async fn remove(self, state: &AppState) {
        if self.profile_deleted {
            state.typos.forget_all();
        }
        if let Some(photo) = self.photo {
            state.storage.remove(FileKind::ProfilePhoto, &photo).await;
        }
        for file in self.evidence {
            state.storage.remove(FileKind::PetitionEvidence, &file).await;
        }
        for file in self.exports {
            state.storage.remove(FileKind::DataExport, &file).await;
        }
        for file in self.report_attachments {
            state.storage.remove(FileKind::ReportAttachment, &file).await;
        }
    }

    /// Freed by an erasure by address (`address::erase`): vulnerability report attachments.
    pub(crate) fn of_report_attachments(report_attachments: Vec<String>) -> Self {
        Self {
            report_attachments,
            ..Self::default()
        }
    }

    fn profile_deleted(&mut self, photo: Option<String>) {
        self.profile_deleted = true;
        self.photo = photo;
    }
}

/// Deletes the member's directory profile with its search entries (if they have one); what
/// that freed (its photo).
pub(crate) async fn delete_profile_of<C: ConnectionTrait>(conn: &C, member_id: i64) -> Result<Freed> {
    let mut freed = Freed::default();
    if let Some(profile) = db::profiles::find_by_member(conn, member_id).await? {
        db::search::unindex(conn, profile.id).await?;
        db::profiles::delete(conn, profile.id).await?;
        freed.profile_deleted(profile.photo_file);
    }
    Ok(freed)
}

/// Wipes `member` to a tombstone inside the caller's transaction and writes the receipt.
/// What stays: the row (id, member number, role, dates; disabled, `wiped_at` set), its
/// certification cycles, ledger, renewals, fees, enrolments, petition outcomes and order
/// amounts. `CONFLICT` when it is a tombstone already.
pub(crate) async fn wipe<C: ConnectionTrait>(
    conn: &C,
    member: &member::Model,
    reason: WipeReason,
    request_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Freed> {
    if member.wiped_at.is_some() {
        return Err(Error::Conflict {
            field: None,
            message: "This member's personal data was wiped already.".to_owned(),
        });
    }
    let mut freed = delete_profile_of(conn, member.id).await?;
    forget_traces(conn, member, &mut freed).await?;
    freed.evidence = db::privacy::wipe_petitions_of(conn, member.id).await?;
    db::privacy::wipe_orders_of(conn, member.id).await?;
    db::privacy::delete_sessions_and_links(conn, member.id).await?;
    db::privacy::forget_request_messages(conn, member.member_number).await?;
    db::privacy::wipe_member_row(conn, member, now).await?;
    db::privacy::insert_receipt(conn, member.member_number, reason, WIPED_CATEGORIES, now, request_id).await?;
    Ok(freed)
}

/// The traces a member leaves outside their own rows: data export archives, newsletter
/// subscriptions with their consent records, mail copies, vulnerability reports sent from
/// their address,
/// the access log, and the audit trail's addresses and details naming them.
async fn forget_traces<C: ConnectionTrait>(conn: &C, member: &member::Model, freed: &mut Freed) -> Result<()> {
    freed.exports = db::privacy::delete_exports_of(conn, member.id).await?;
    if member.wiped_at.is_none() {
        db::newsletters::delete_subscriptions_of(conn, &member.email, member.id).await?;
        db::privacy::delete_mail_of(conn, member.id, &member.email).await?;
        db::privacy::mask_audit_of(conn, member.id, &[&member.email, &member.legal_name]).await?;
        for report in db::security::of_address(conn, &member.email).await? {
            db::security::delete(conn, report.id).await?;
            freed.report_attachments.extend(report.attachment);
        }
    }
    db::privacy::delete_access_log_of(conn, member.id).await?;
    Ok(())
}

/// Deletes `member` for good inside the caller's transaction (a tombstone, or an account a
/// rule reached before any wipe): their rows, ledger included through its one permitted
/// delete; their orders stay for accounting, unlinked.
pub(crate) async fn purge<C: ConnectionTrait>(conn: &C, member: &member::Model, now: DateTime<Utc>) -> Result<Freed> {
    let mut freed = delete_profile_of(conn, member.id).await?;
    forget_traces(conn, member, &mut freed).await?;
    freed.evidence = db::privacy::delete_member_for_good(conn, member.id, now).await?;
    Ok(freed)
}
