//! Every stored role, status and kind as a Rust enum, stored as its string value through
//! sea-orm's active enums. Reading a value an enum does not know is an error (the row does
//! not load), never a silent default; the list of all values comes from `EnumIter`.
//!
//! The string values are part of the database: never rename one, only add.

use sea_orm::entity::prelude::*;

/// Whether an account can log in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum MemberStatus {
    /// Can log in (once its e-mail address is confirmed).
    Active,
    /// Cannot log in; none of its public traces are shown.
    Disabled,
}

/// Whether a directory profile is listed. Used twice on a profile: what its member (or
/// staff) chose, and what the public sees (listed only while the account is active too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum ProfileStatus {
    /// Listed in search and reachable at its address.
    Active,
    /// Hidden everywhere, keeping its search rank.
    Disabled,
}

/// Where a trainer stands with their certification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum CertificationStatus {
    /// Certified and current.
    Certified,
    /// Expired less than the grace period ago; renewal still possible.
    Grace,
    /// Expired.
    Expired,
    /// Not certified yet.
    None,
}

/// How a certification cycle began.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum CycleKind {
    /// The exam passed: the member's first cycle.
    Initial,
    /// A renewal: starts where the previous cycle ended.
    Renewal,
    /// Staff reinstated an expired certification.
    Reinstatement,
}

/// Where continuing-education credit came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum CecSource {
    /// A completed approved course.
    Course,
    /// An approved petition for a course that is not approved.
    Petition,
    /// Staff credited or debited the member, with a reason.
    Adjustment,
    /// Cancels an earlier entry (the ledger is never edited).
    Reversal,
}

/// How a course is taught.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum CourseDelivery {
    Online,
    InPerson,
}

/// Whether completing a course earns credit directly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum CourseApproval {
    /// Completing it writes ledger credit.
    Approved,
    /// Its credit needs an approved petition (P22).
    NotApproved,
}

/// What a fee is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum FeePurpose {
    /// Renewing a certification for another cycle.
    Renewal,
    /// A place in a course or one of its workshops.
    Enrolment,
    /// The review of a petition for credit from a course that is not approved (P22).
    Petition,
}

/// Where a member's enrolment in a course stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))", rename_all = "snake_case")]
pub enum EnrolmentStatus {
    /// The seat is held; its fee is owed.
    AwaitingPayment,
    /// Paid (or free): the member takes the course.
    Enrolled,
    /// Staff or the course's provider recorded its completion.
    Completed,
}

/// Where a petition for credit stands (P22).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))", rename_all = "snake_case")]
pub enum PetitionStatus {
    /// Filed; its fee is owed before staff see it.
    AwaitingPayment,
    /// In the staff queue.
    InReview,
    /// Staff asked the member for more information.
    NeedsInformation,
    /// Approved: its credit is in the ledger.
    Approved,
    /// Rejected, with a reason.
    Rejected,
    /// Its fee was refunded before a decision (or its credit reversed with the refund).
    Withdrawn,
}

/// Where a fee (and what it pays for) stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))", rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Owed; what it pays for waits.
    AwaitingPayment,
    /// Paid; what it pays for took effect.
    Paid,
    /// No longer owed: the order holding it lapsed or was cancelled (an enrolment's seat
    /// was given back).
    Cancelled,
    /// Paid, then refunded: what it paid for was reversed.
    Refunded,
}

/// How an order reached us.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum OrderChannel {
    /// A member's cart in the web app or the API.
    Online,
    /// Keyed by staff during a phone call.
    Phone,
    /// Keyed by staff from a mailed form.
    MailIn,
}

/// Where an order stands. Transitions: `pending` to `paid`, `expired` or `cancelled`;
/// `paid` to `partially_refunded` or `refunded`; `partially_refunded` to `refunded`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))", rename_all = "snake_case")]
pub enum OrderStatus {
    /// The cart, or a keyed order awaiting payment: its seats are held until it expires.
    Pending,
    /// Paid: its items took effect.
    Paid,
    /// Lapsed unpaid: its seats were freed.
    Expired,
    /// Cancelled before payment.
    Cancelled,
    /// Every item refunded.
    Refunded,
    /// Some items refunded.
    PartiallyRefunded,
}

/// How an order was paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))", rename_all = "snake_case")]
pub enum PaymentMethod {
    /// The buyer paid on Stripe's Checkout page (online, or a payment link staff sent).
    StripeCheckout,
    /// Staff charged a card in Stripe's own dashboard terminal; the order names the payment.
    StripeTerminal,
    /// A cheque staff received.
    Cheque,
    /// Nothing to pay (a free order, or a coupon covering it all).
    NoCharge,
}

/// How a coupon discounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum CouponKind {
    /// A percentage of each item it applies to.
    Percent,
    /// An amount off the items it applies to together.
    Fixed,
}

/// What a coupon applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum CouponScope {
    /// Every item.
    Everything,
    /// Seats in workshops (enrolments in a dated session).
    Workshops,
    /// Enrolment in one course.
    Course,
}

/// Where a refund stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum RefundStatus {
    /// Recorded; the payment provider has not confirmed it yet (retried by the `orders` job).
    Pending,
    /// The money is on its way back (Stripe confirmed it, or staff issue a cheque).
    Succeeded,
}

/// What an outgoing e-mail is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
pub enum MessageKind {
    /// A visitor's message to a trainer, relayed through the directory (P4).
    ContactRelay,
    /// The link that confirms a new account's e-mail address.
    EmailConfirmation,
    /// Told to an existing account when someone tries to register with its address.
    RegistrationAttempt,
    /// A certification expires soon: renew it.
    RenewalReminder,
    /// A petition was decided, or staff ask for more information.
    PetitionUpdate,
    /// The receipt of a payment, rendered from the order.
    OrderReceipt,
    /// The receipt of a refund.
    RefundReceipt,
    /// A link to pay a keyed order on Stripe's page.
    PaymentLink,
    /// The link that confirms a newsletter subscription (double opt-in).
    SubscriptionConfirmation,
    /// A newsletter campaign's message.
    Newsletter,
    /// The link that confirms a data request made by e-mail address.
    DataRequestConfirmation,
    /// To a vulnerability reporter: the acknowledgement, the triage, a reward.
    VulnerabilityReport,
}

/// What became of a renewal reminder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum ReminderOutcome {
    /// Queued for sending.
    Sent,
    /// Passed over: a later reminder was due by the time the job ran.
    Skipped,
}

/// Where an outgoing e-mail stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum MessageStatus {
    /// Waiting for its next attempt.
    Queued,
    /// Accepted by the mail server (or written to the mail folder).
    Sent,
    /// Given up on: refused for good, or out of attempts.
    Failed,
}

/// What an audit row records (P14). Each mutation of the API records at least one kind
/// named for it; login attempts record their outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(64))", rename_all = "snake_case")]
pub enum AuditKind {
    LoginSucceeded,
    LoginWrongPassword,
    LoginUnknownEmail,
    LoginDisabledAccount,
    LoginUnconfirmedEmail,
    LoginRateLimited,
    Logout,
    TokenRenewed,
    MemberRegistered,
    RegistrationForKnownEmail,
    EmailConfirmed,
    ConfirmationRequested,
    MemberDisabled,
    MemberEnabled,
    MemberRoleChanged,
    MemberRecordUpdated,
    MemberRecordViewed,
    LoginHistoryViewed,
    PasswordConfirmed,
    PasswordRejected,
    PasswordCheckRateLimited,
    PasswordReset,
    ProfileSaved,
    PhoneShowcaseChanged,
    ProfilePhotoReplaced,
    ProfileDisabled,
    ProfileEnabled,
    ProfileDeleted,
    TrainerContacted,
    CertificationRecorded,
    CertificationReinstated,
    CecAdjusted,
    CecReversed,
    LedgerViewed,
    RegisterLookedUp,
    RenewalRequested,
    FeeMarkedPaid,
    CertificationRenewed,
    RenewalReminderSent,
    CourseProviderCreated,
    CourseProviderUpdated,
    CourseProviderRetired,
    CourseCreated,
    CourseUpdated,
    CourseRetired,
    WorkshopCreated,
    WorkshopUpdated,
    WorkshopRetired,
    Enrolled,
    EnrolmentCompleted,
    CourseProviderLinked,
    PetitionFiled,
    PetitionApproved,
    PetitionRejected,
    PetitionInformationRequested,
    PetitionAnswered,
    EvidenceViewed,
    CartChanged,
    CouponApplied,
    CheckoutStarted,
    OrderPaid,
    OrderExpired,
    OrderCancelled,
    OrderRefunded,
    RefundConfirmed,
    OrderKeyed,
    PaymentLinkSent,
    PaymentRecorded,
    PaymentDeclined,
    OrderShredded,
    CouponCreated,
    CouponRetired,
    PageViewed,
    MemberWiped,
    AccountPurged,
    ProfilePurged,
    EvidenceExpired,
    ErasureRequested,
    RelinkRequested,
    PrivacyRequestRefused,
    MemberRelinked,
    PrivacyRequestOverdue,
    DataExported,
    SigningKeyCreated,
    SearchReindexed,
    MailingListCreated,
    SubscriptionRequested,
    SubscriptionConfirmed,
    Unsubscribed,
    CampaignSaved,
    CampaignQueued,
    AddressRequestFiled,
    AddressRequestConfirmed,
    AddressErased,
    InjectionBlocked,
    VulnerabilityReported,
    VulnerabilityTriaged,
    VulnerabilityRewarded,
    VulnerabilityReportExpired,
}

impl AuditKind {
    /// Login attempts of every outcome: what a member sees as their login history.
    pub fn is_login_attempt(self) -> bool {
        matches!(
            self,
            AuditKind::LoginSucceeded
                | AuditKind::LoginWrongPassword
                | AuditKind::LoginUnknownEmail
                | AuditKind::LoginDisabledAccount
                | AuditKind::LoginUnconfirmedEmail
                | AuditKind::LoginRateLimited
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ActiveEnum, Iterable};

    #[test]
    fn stored_values_are_snake_case_and_unknown_ones_are_refused() {
        assert_eq!(ProfileStatus::Active.to_value(), "active");
        assert_eq!(AuditKind::LoginSucceeded.to_value(), "login_succeeded");
        assert_eq!(MessageKind::ContactRelay.to_value(), "contact_relay");
        assert!(MemberStatus::try_from_value(&"suspended".to_owned()).is_err());
        let kinds: Vec<String> = AuditKind::iter().map(|k| k.to_value()).collect();
        let mut unique = kinds.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), kinds.len());
    }
}

/// Why a member's personal data was wiped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))", rename_all = "snake_case")]
pub enum WipeReason {
    /// The wipe delay after the certification expired passed (P3).
    Retention,
    /// Staff completed the member's erasure request (P23).
    ErasureRequest,
}

/// What a data subject asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum PrivacyRequestKind {
    /// Erase my personal data (the tombstone stays, P3).
    Erasure,
    /// Link my new login to my old member number (a returning member).
    Relink,
    /// Send me what is held under my e-mail address (someone without an account).
    Export,
}

/// Where a data subject's request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum PrivacyRequestStatus {
    /// Asked by e-mail address: waiting for the address to confirm.
    Unconfirmed,
    /// In the staff queue.
    Open,
    /// Done.
    Completed,
    /// Refused, with a reason.
    Refused,
}

/// Where a vulnerability report stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum VulnerabilityReportStatus {
    /// Waiting for staff.
    Received,
    /// A real vulnerability, new to us.
    Accepted,
    /// Real, but already reported or known.
    Duplicate,
    /// Not a vulnerability, or out of scope.
    Rejected,
}

/// Where a newsletter subscription stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum SubscriptionStatus {
    /// Asked for; waiting for the address to confirm.
    Pending,
    /// Confirmed: receives the list's campaigns.
    Confirmed,
    /// Unsubscribed: receives nothing.
    Unsubscribed,
}

/// What a consent record records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum ConsentAction {
    /// Someone asked to subscribe the address.
    Requested,
    /// The address confirmed (consent given).
    Confirmed,
    /// The address unsubscribed (consent withdrawn).
    Unsubscribed,
}

/// Where a newsletter campaign stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
pub enum CampaignStatus {
    /// Being written.
    Draft,
    /// Queued to every confirmed address.
    Queued,
}
