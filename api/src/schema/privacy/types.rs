//! Privacy types: retention periods, the retention report, data requests, wipe receipts.

use crate::authz::Audience;
use crate::page::{Page, PageRequest};
use crate::schema::guard::readable_by;
use crate::schema::pagination::plain_connection;
use crate::services::privacy::retention;
use async_graphql::connection::Connection;
use async_graphql::{Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{privacy_request, wipe_receipt};
use shared::MemberNumber;

/// The unit of a retention period.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::services::privacy::retention::PeriodUnit")]
pub enum RetentionUnit {
    /// Hours.
    Hours,
    /// Days.
    Days,
    /// Calendar months (a period from the 31st ends on the month's last day).
    Months,
    /// Calendar years.
    Years,
}

/// One retention period in force. Audience: admin.
#[derive(SimpleObject)]
pub struct RetentionPeriod {
    /// What is kept. Audience: admin.
    pub name: String,
    /// The environment variable that sets it; null for a fixed period. Audience: admin.
    pub setting: Option<String>,
    /// How many units. Audience: admin.
    pub amount: i32,
    /// The unit of `amount`. Audience: admin.
    pub unit: RetentionUnit,
    /// What happens when it ends. Audience: admin.
    pub effect: String,
}

impl From<retention::Period> for RetentionPeriod {
    fn from(p: retention::Period) -> Self {
        Self {
            name: p.name.to_owned(),
            setting: p.setting.map(str::to_owned),
            amount: i32::try_from(p.amount).unwrap_or(i32::MAX),
            unit: p.unit.into(),
            effect: p.effect.to_owned(),
        }
    }
}

/// What one retention rule would do if the `retention` job ran now: a count, no personal
/// data. Audience: admin.
#[derive(SimpleObject)]
pub struct RetentionRuleCount {
    /// The rule and its period, e.g. `wipe 6 months after expiry`. Audience: admin.
    pub rule: String,
    /// What it acts on, e.g. `accounts wiped to a tombstone`. Audience: admin.
    pub what: String,
    /// How many. Audience: admin.
    pub count: i32,
}

impl From<retention::RuleOutcome> for RetentionRuleCount {
    fn from(o: retention::RuleOutcome) -> Self {
        Self {
            rule: o.rule,
            what: o.what.to_owned(),
            count: i32::try_from(o.count).unwrap_or(i32::MAX),
        }
    }
}

/// What a data subject asked for.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::PrivacyRequestKind")]
pub enum PrivacyRequestKind {
    /// Erase my personal data (member number, certification history and ledger are kept
    /// for a return).
    Erasure,
    /// Link my new login to my old member number.
    Relink,
    /// Send me what is held under my e-mail address (someone without an account).
    Export,
}

/// Where a data request stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::PrivacyRequestStatus")]
pub enum PrivacyRequestStatus {
    /// Asked by e-mail address; waiting for the address to confirm.
    Unconfirmed,
    /// Waiting for staff.
    Open,
    /// Done.
    Completed,
    /// Refused; `outcome` says why.
    Refused,
}

/// Why personal data was wiped.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::WipeReason")]
pub enum WipeReason {
    /// The wipe delay after the certification expired passed.
    Retention,
    /// Staff completed the member's erasure request.
    ErasureRequest,
}

/// A data request: the row and who may read its personal fields.
pub struct PrivacyRequest {
    pub row: privacy_request::Model,
    /// The requester's member id, when the answer goes to them (staff answers carry none:
    /// staff read every field anyway).
    pub requester: Option<i64>,
}

impl PrivacyRequest {
    pub const CURSOR_LIST: &'static str = "privacy-requests";

    pub fn connection(request: &PageRequest<i64>, page: Page<privacy_request::Model>) -> PrivacyRequestConnection {
        plain_connection(
            Self::CURSOR_LIST,
            request,
            page,
            |r| r.id,
            |row| PrivacyRequest { row, requester: None },
        )
    }
}

/// A page of data requests.
pub type PrivacyRequestConnection = Connection<String, PrivacyRequest>;

/// A data request (erasure, or a returning member's relink). Audience: the requester,
/// staff.
#[Object]
impl PrivacyRequest {
    /// Its id. Audience: the requester, staff.
    async fn id(&self) -> ID {
        ID(self.row.id.to_string())
    }

    /// Erasure or relink. Audience: the requester, staff.
    async fn kind(&self) -> PrivacyRequestKind {
        self.row.kind.into()
    }

    /// The requester's member number when they asked; null for a request by e-mail
    /// address. Audience: the requester, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.requester)")]
    async fn member_number(&self) -> Option<String> {
        self.row.member_number.map(|n| MemberNumber(n).to_string())
    }

    /// The address of a request by someone without an account (null for a member's).
    /// Audience: the requester, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.requester)")]
    async fn email(&self) -> Option<&str> {
        self.row.email.as_deref()
    }

    /// A relink's old member number, as the requester gave it. Audience: the requester,
    /// staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.requester)")]
    async fn claimed_member_number(&self) -> Option<String> {
        self.row.claimed_number.map(|n| MemberNumber(n).to_string())
    }

    /// What the requester wrote. Audience: the requester, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.requester)")]
    async fn message(&self) -> &str {
        &self.row.message
    }

    /// Where it stands. Audience: the requester, staff.
    async fn status(&self) -> PrivacyRequestStatus {
        self.row.status.into()
    }

    /// When it was filed (UTC). Audience: the requester, staff.
    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }

    /// When the answer is due (UTC): 30 days after filing. Audience: the requester, staff.
    async fn due_at(&self) -> DateTime<Utc> {
        self.row.due_at
    }

    /// True while open past its due date. Audience: the requester, staff.
    async fn overdue(&self, ctx: &async_graphql::Context<'_>) -> bool {
        use crate::schema::ContextExt;
        self.row.status == entity::enums::PrivacyRequestStatus::Open && self.row.due_at < ctx.state().now()
    }

    /// When the `retention` job flagged it to staff as overdue (UTC). Audience: the
    /// requester, staff.
    async fn flagged_overdue_at(&self) -> Option<DateTime<Utc>> {
        self.row.flagged_overdue_at
    }

    /// When it was completed or refused (UTC). Audience: the requester, staff.
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.row.closed_at
    }

    /// What staff answered: what was done, or why it was refused. Audience: the
    /// requester, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.requester)")]
    async fn outcome(&self) -> Option<&str> {
        self.row.outcome.as_deref()
    }
}

/// A wipe receipt row.
pub struct WipeReceipt(pub wipe_receipt::Model);

/// The proof that a member number's personal data was wiped: when, why and which
/// categories; no personal data. Audience: staff.
#[Object]
impl WipeReceipt {
    /// The member number wiped. Audience: staff.
    async fn member_number(&self) -> String {
        MemberNumber(self.0.member_number).to_string()
    }

    /// When (UTC). Audience: staff.
    async fn wiped_at(&self) -> DateTime<Utc> {
        self.0.wiped_at
    }

    /// Why. Audience: staff.
    async fn reason(&self) -> WipeReason {
        self.0.reason.into()
    }

    /// The categories of personal data wiped. Audience: staff.
    async fn categories(&self) -> Vec<String> {
        self.0.categories.split(", ").map(str::to_owned).collect()
    }

    /// The erasure request it completed, if one did. Audience: staff.
    async fn request_id(&self) -> Option<ID> {
        self.0.request_id.map(|id| ID(id.to_string()))
    }
}

/// A data export archive row.
pub struct DataExport(pub entity::data_export::Model);

/// An archive of everything held about the caller (a zip: `data.json` and their uploaded
/// files), kept 24 hours. Audience: owner.
#[Object]
impl DataExport {
    /// Its id. Audience: owner.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// When it was built (UTC). Audience: owner.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it is deleted (UTC), 24 hours after it was built. Audience: owner.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }

    /// Its size in bytes (at most 512 MiB). Audience: owner.
    async fn bytes(&self) -> i32 {
        i32::try_from(self.0.bytes).unwrap_or(i32::MAX)
    }

    /// Where to download it: `GET` this path with the `Authorization: Bearer` header of
    /// the member's session (the path alone opens nothing). Audience: owner.
    async fn download_path(&self) -> String {
        format!("/exports/{}", self.0.id)
    }
}

/// What the check of a signed e-mail found.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum EmailSignatureResult {
    /// We sent this message, unchanged: `message` is what we sent.
    Valid,
    /// The signature or the text pasted with it differs from what we signed: the message
    /// was changed after we sent it.
    Tampered,
    /// No key of ours made this signature.
    UnknownKey,
    /// No signature block of ours was found in the text.
    Malformed,
}

/// A message as CPTN Network sent it. Audience: public (whoever holds the signed message).
#[derive(SimpleObject)]
pub struct SignedMessage {
    /// The sender. Audience: public (whoever holds the signed message).
    pub from: String,
    /// The recipient. Audience: public (whoever holds the signed message).
    pub to: String,
    /// When it was sent (UTC). Audience: public (whoever holds the signed message).
    pub date: DateTime<Utc>,
    /// Its subject. Audience: public (whoever holds the signed message).
    pub subject: String,
    /// Its text, without the signature block. Audience: public (whoever holds the signed
    /// message).
    pub body: String,
}

/// The answer of `verifyEmailSignature`. Audience: public.
#[derive(SimpleObject)]
pub struct EmailSignatureCheck {
    /// What the check found. Audience: public.
    pub result: EmailSignatureResult,
    /// The key that signed it, when valid. Audience: public.
    pub key_id: Option<String>,
    /// The message as we sent it, when valid. Audience: public (whoever holds the signed
    /// message).
    pub message: Option<SignedMessage>,
}

impl From<crate::services::mail_signature::Check> for EmailSignatureCheck {
    fn from(check: crate::services::mail_signature::Check) -> Self {
        use crate::services::mail_signature::Check;
        let (result, key_id, message) = match check {
            Check::Valid { mail, kid } => (
                EmailSignatureResult::Valid,
                Some(kid),
                Some(SignedMessage {
                    from: mail.from,
                    to: mail.to,
                    date: mail.date,
                    subject: mail.subject,
                    body: mail.body,
                }),
            ),
            Check::Tampered => (EmailSignatureResult::Tampered, None, None),
            Check::UnknownKey => (EmailSignatureResult::UnknownKey, None, None),
            Check::Malformed => (EmailSignatureResult::Malformed, None, None),
        };
        Self {
            result,
            key_id,
            message,
        }
    }
}

/// A confirmed data request by e-mail address: an export carries what is held under the
/// address; an erasure waits in the staff queue until `dueAt`. Audience: the holder of the
/// address (who opened the link).
pub struct ConfirmedDataRequest(pub crate::services::privacy::address::Confirmed);

/// A data request by e-mail address, once the address confirmed it. Audience: the holder
/// of the address (who opened the link).
#[Object]
impl ConfirmedDataRequest {
    /// Export or erasure. Audience: the holder of the address.
    async fn kind(&self) -> PrivacyRequestKind {
        self.0.request.kind.into()
    }

    /// Completed (an export), or open until staff erase (an erasure). Audience: the holder
    /// of the address.
    async fn status(&self) -> PrivacyRequestStatus {
        self.0.request.status.into()
    }

    /// When the answer is due (UTC). Audience: the holder of the address.
    async fn due_at(&self) -> DateTime<Utc> {
        self.0.request.due_at
    }

    /// For an export: what is held under the address, as JSON (subscriptions, consent
    /// records, messages, orders, audit events naming it). Audience: the holder of the
    /// address.
    async fn archive(&self) -> Option<String> {
        self.0.archive.as_ref().map(ToString::to_string)
    }
}
