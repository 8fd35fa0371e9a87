//! GraphQL types of the audit trail.

use crate::authz::Audience;
use crate::page::{Page, PageRequest};
use crate::schema::guard::readable_by;
use crate::schema::pagination::plain_connection;
use crate::services::audit::AuditEntry;
use async_graphql::connection::Connection;
use async_graphql::{Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use shared::MemberNumber;

pub struct AuditEvent(pub AuditEntry);

impl AuditEvent {
    /// The list name inside audit cursors.
    pub const CURSOR_LIST: &'static str = "audit";

    /// The connection of a page of events, keyed by id.
    pub fn connection(request: &PageRequest<i64>, page: Page<AuditEntry>) -> AuditEventConnection {
        plain_connection(Self::CURSOR_LIST, request, page, |entry| entry.row.id, AuditEvent)
    }

    fn owner(&self) -> Option<i64> {
        self.0.row.member_id
    }
}

/// A page of audit events, newest first.
pub type AuditEventConnection = Connection<String, AuditEvent>;

/// What happened. Each mutation of the API records at least one kind named for it.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::AuditKind")]
pub enum AuditEventKind {
    /// A login with the right password on an active, confirmed account (`login`).
    LoginSucceeded,
    /// A login with a wrong password on an existing account.
    LoginWrongPassword,
    /// A login for an e-mail address with no account.
    LoginUnknownEmail,
    /// A login with the right password on a disabled account.
    LoginDisabledAccount,
    /// A login with the right password on an account whose address is not confirmed.
    LoginUnconfirmedEmail,
    /// A login refused because of too many password checks.
    LoginRateLimited,
    /// A session ended by its member (`logout`).
    Logout,
    /// A session's token renewed (`renewToken`).
    TokenRenewed,
    /// A new account (`register`, or created by an operator).
    MemberRegistered,
    /// Someone tried to register with the address of an existing account (`register`).
    RegistrationForKnownEmail,
    /// An account's e-mail address confirmed through its link (`confirmEmail`).
    EmailConfirmed,
    /// A new confirmation link asked for (`resendConfirmation`).
    ConfirmationRequested,
    /// An account disabled by staff (`setMemberStatus`).
    MemberDisabled,
    /// An account re-enabled by staff (`setMemberStatus`).
    MemberEnabled,
    /// An account given another role by an admin (`setMemberRole`).
    MemberRoleChanged,
    /// The private contact fields of a member record changed (`updateMyRecord`).
    MemberRecordUpdated,
    /// Staff read a member record (`member`).
    MemberRecordViewed,
    /// Staff read a member's login history.
    LoginHistoryViewed,
    /// A member re-entered the right password before a sensitive change.
    PasswordConfirmed,
    /// A member re-entered a wrong password before a sensitive change.
    PasswordRejected,
    /// A password re-entry refused because of too many password checks.
    PasswordCheckRateLimited,
    /// A password set by an operator (demo data).
    PasswordReset,
    /// A directory profile created or edited (`saveMyProfile`).
    ProfileSaved,
    /// The phone number shown on or hidden from a profile (`setPhoneShowcase`).
    PhoneShowcaseChanged,
    /// A profile photo replaced (`uploadProfilePhoto`).
    ProfilePhotoReplaced,
    /// A directory profile hidden from the public by its member or staff (`disableProfile`).
    ProfileDisabled,
    /// A directory profile shown again (`enableProfile`).
    ProfileEnabled,
    /// A directory profile and its files deleted (`deleteProfile`).
    ProfileDeleted,
    /// A visitor wrote to a trainer through the relay (`contactTrainer`).
    TrainerContacted,
    /// Staff recorded a member's certification: the exam passed, a first cycle
    /// (`recordCertification`).
    CertificationRecorded,
    /// Staff reinstated an expired certification with a new cycle (`reinstateCertification`).
    CertificationReinstated,
    /// Staff credited or debited a member's ledger, with a reason (`adjustCec`).
    CecAdjusted,
    /// Staff cancelled a ledger entry with a reversing entry (`reverseCecEntry`).
    CecReversed,
    /// Staff read a member's credit ledger.
    LedgerViewed,
    /// Staff looked a trainer up in the public certification register.
    RegisterLookedUp,
    /// A member asked to renew their certification; its fee is owed (`renewCertification`).
    RenewalRequested,
    /// Staff marked a fee paid before orders existed (the former `markFeePaid`; kept for
    /// the rows that name it).
    FeeMarkedPaid,
    /// A renewal's fee was paid: the next cycle began where the last one ended.
    CertificationRenewed,
    /// The `reminders` job e-mailed a renewal reminder.
    RenewalReminderSent,
    /// Staff added a course provider (`createCourseProvider`).
    CourseProviderCreated,
    /// Staff renamed a course provider; its courses are found by the new name
    /// (`updateCourseProvider`).
    CourseProviderUpdated,
    /// Staff retired a course provider and its current courses; they stay for history
    /// (`retireCourseProvider`).
    CourseProviderRetired,
    /// Staff added a course to the catalogue (`createCourse`).
    CourseCreated,
    /// Staff changed a course (`updateCourse`).
    CourseUpdated,
    /// Staff retired a course: it leaves the public catalogue and stays for history
    /// (`retireCourse`).
    CourseRetired,
    /// Staff added a dated session of a course (`createWorkshop`).
    WorkshopCreated,
    /// Staff changed a workshop's dates, place or capacity (`updateWorkshop`).
    WorkshopUpdated,
    /// Staff cancelled a workshop; it stays for history (`retireWorkshop`).
    WorkshopRetired,
    /// A member enrolled in a course or workshop (`enrol`).
    Enrolled,
    /// Staff or the course's provider recorded a completion, crediting the ledger for an
    /// approved course (`completeEnrolment`).
    EnrolmentCompleted,
    /// An admin linked an account to a course provider, giving it the provider role
    /// (`linkCourseProvider`).
    CourseProviderLinked,
    /// A member filed a petition for credit from a course that is not approved
    /// (`filePetition`).
    PetitionFiled,
    /// Staff approved a petition; its credit is in the ledger (`approvePetition`).
    PetitionApproved,
    /// Staff rejected a petition with a reason (`rejectPetition`).
    PetitionRejected,
    /// Staff asked the member for more information on a petition
    /// (`askPetitionInformation`).
    PetitionInformationRequested,
    /// The member answered staff's question; the petition is back in the queue
    /// (`answerPetition`).
    PetitionAnswered,
    /// Staff opened a petition's evidence file.
    EvidenceViewed,
    /// A line was added to or removed from a pending order, or its coupon taken off
    /// (`addToCart`, `removeFromCart`, `removeCoupon`; enrolment adds the course to the cart).
    CartChanged,
    /// A coupon was applied to a pending order, taking one of its uses (`applyCoupon`).
    CouponApplied,
    /// A buyer went to pay an order on Stripe's page (`checkout`).
    CheckoutStarted,
    /// An order was paid (by Stripe's webhook, at the terminal, or with nothing to pay):
    /// its items took effect.
    OrderPaid,
    /// A pending order lapsed unpaid: its seats and coupon use were freed.
    OrderExpired,
    /// A pending order was cancelled before payment (`cancelOrder`).
    OrderCancelled,
    /// A paid order was refunded, whole or by item, and its items reversed
    /// (`cancelOrder`, `refundOrder`).
    OrderRefunded,
    /// Stripe confirmed a refund; its receipt was queued.
    RefundConfirmed,
    /// Staff keyed a phone or mail-in order (`keyOrder`).
    OrderKeyed,
    /// Staff sent (or read out) a Stripe payment link for an order (`sendPaymentLink`).
    PaymentLinkSent,
    /// Staff recorded a payment taken in Stripe's terminal or by cheque
    /// (`recordTerminalPayment`, `recordChequePayment`).
    PaymentRecorded,
    /// Stripe reported a failed payment attempt for an order.
    PaymentDeclined,
    /// A processed phone or mail-in order's buyer details were erased.
    OrderShredded,
    /// Staff created a coupon (`createCoupon`).
    CouponCreated,
    /// Staff retired a coupon (`retireCoupon`).
    CouponRetired,
    /// The web app showed a page (`recordPageView`); its path is the detail. Kept for the
    /// log retention (`CPTN_LOG_RETENTION_MONTHS`), then deleted.
    PageViewed,
    /// A member's personal data was wiped, leaving the tombstone (member number,
    /// certification history, ledger, petition outcomes, order amounts): by the `retention`
    /// job after the wipe delay, or by staff completing an erasure request
    /// (`completeErasureRequest`). The detail names the rule, never the data.
    MemberWiped,
    /// An account was deleted for good by the `retention` job (a tombstone after the purge
    /// period, a never-confirmed or long-inactive account); its orders stay, unlinked. The
    /// detail names the rule.
    AccountPurged,
    /// A profile the public had not seen for `CPTN_DISABLED_PROFILE_YEARS` was deleted by
    /// the `retention` job.
    ProfilePurged,
    /// A petition's evidence file was deleted by the `retention` job
    /// (`CPTN_EVIDENCE_RETENTION_YEARS` after the decision).
    EvidenceExpired,
    /// A member asked for their personal data to be erased (`requestErasure`).
    ErasureRequested,
    /// A returning member asked to be linked to their old member number (`requestRelink`).
    RelinkRequested,
    /// Staff refused a data request, with the reason (`refusePrivacyRequest`).
    PrivacyRequestRefused,
    /// Staff moved a returning member's new login onto their old member number
    /// (`linkReturningMember`).
    MemberRelinked,
    /// The `retention` job flagged an open data request past its due date.
    PrivacyRequestOverdue,
    /// A member had an archive of their data built (`exportMyData`).
    DataExported,
    /// A signing key was created: the first mail key at a server's first start, or a new
    /// one by `cptn keys rotate mail` (the previous one retired, still verifying).
    SigningKeyCreated,
    /// An operator rebuilt the directory's search entries from the stored profiles
    /// (`cptn search reindex`).
    SearchReindexed,
    /// Staff created a newsletter list (`createMailingList`).
    MailingListCreated,
    /// Someone asked to subscribe an address to a list (`subscribe`); the confirmation
    /// link was mailed to it.
    SubscriptionRequested,
    /// An address confirmed its subscription (`confirmSubscription`).
    SubscriptionConfirmed,
    /// An address unsubscribed (`unsubscribe`, or the one-click `POST` of the
    /// `List-Unsubscribe` link).
    Unsubscribed,
    /// Staff wrote or changed a campaign (`saveCampaign`).
    CampaignSaved,
    /// Staff queued a campaign to every confirmed address of its list (`sendCampaign`).
    CampaignQueued,
    /// Someone without an account asked, by e-mail address, for what is held under it or
    /// for its erasure (`requestDataByEmail`); the confirmation link was mailed to it.
    AddressRequestFiled,
    /// An address confirmed its data request (`confirmDataRequest`): an export answered at
    /// once, an erasure in the staff queue.
    AddressRequestConfirmed,
    /// Staff erased what is held under an address (`completeErasureRequest` on a request
    /// by e-mail address).
    AddressErased,
    /// A request carried an SQL-injection signature in a search or lookup argument (any
    /// operation, refused before it ran): the sender's address was blocked; the detail
    /// names the field, the argument and the kind of signature.
    InjectionBlocked,
    /// Someone filed a vulnerability report (`reportVulnerability`); the detail names the
    /// report, never its text.
    VulnerabilityReported,
    /// Staff triaged a vulnerability report (`triageVulnerabilityReport`): accepted,
    /// duplicate or rejected.
    VulnerabilityTriaged,
    /// Staff rewarded an accepted report's reporter with a coupon
    /// (`rewardVulnerabilityReport`), having confirmed no malicious act in the logs.
    VulnerabilityRewarded,
    /// The `retention` job deleted a vulnerability report and its attachment
    /// `CPTN_VULNERABILITY_REPORT_YEARS` after receipt.
    VulnerabilityReportExpired,
}

/// One security-relevant event: a login attempt, a logout, an account change.
#[Object]
impl AuditEvent {
    /// Stable identifier of the event. Audience: owner (own events), staff.
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }

    /// When it happened (UTC). Audience: owner (own events), staff.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.row.occurred_at
    }

    /// What happened. Audience: owner (own events), staff.
    async fn kind(&self) -> AuditEventKind {
        self.0.row.kind.into()
    }

    /// The client's IP address. Audience: owner (own events), staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn ip(&self) -> Option<&str> {
        self.0.row.ip.as_deref()
    }

    /// The client's `User-Agent`. Audience: owner (own events), staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn user_agent(&self) -> Option<&str> {
        self.0.row.user_agent.as_deref()
    }

    /// The member the event is about, when known. Audience: owner (own events), staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn member_number(&self) -> Option<String> {
        self.0.member_number.map(|n| MemberNumber(n).to_string())
    }

    /// The staff member who acted, for account changes. Audience: staff.
    #[graphql(guard = "readable_by(Audience::Staff, self.owner())")]
    async fn actor_member_number(&self) -> Option<String> {
        self.0.actor_number.map(|n| MemberNumber(n).to_string())
    }

    /// Context, e.g. the address tried for an unknown account. Audience: staff.
    #[graphql(guard = "readable_by(Audience::Staff, self.owner())")]
    async fn detail(&self) -> Option<&str> {
        self.0.row.detail.as_deref()
    }
}

/// Narrows the audit trail; every set field must match.
#[derive(InputObject, Default)]
pub struct AuditEventFilter {
    /// Only these kinds.
    pub kinds: Option<Vec<AuditEventKind>>,
    /// Only events about this member (`CPTN-000123`).
    pub member_number: Option<String>,
    /// Only events from this IP address.
    pub ip: Option<String>,
    /// Only events at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only events before this time.
    pub to: Option<DateTime<Utc>>,
}
