//! Certification types. CEC amounts are decimal strings (`"0.7"`): exact, as the ledger
//! counts tenths.

use crate::page::{Page, PageRequest};
use crate::schema::directory::types::CertificationStatus;
use crate::schema::pagination::plain_connection;
use crate::services::certification::{
    CertificationView, Dashboard, LedgerEntry, RecentEntry, RenewalView, Verification,
};
use async_graphql::connection::Connection;
use async_graphql::{Enum, ID, Object, SimpleObject};
use shared::cec::format_tenths;

pub struct Certification(pub CertificationView);

/// A member's certification: its status today, the cycle that counts and its credit.
/// Audience: owner, staff.
#[Object]
impl Certification {
    /// `CERTIFIED` inside a cycle, `GRACE` after its expiry while renewal is still allowed,
    /// `EXPIRED` after grace, `NONE` without a certification. Audience: owner, staff.
    async fn status(&self) -> CertificationStatus {
        self.0.status.into()
    }

    /// First day of the cycle that counts now (the current one, or the last one).
    /// Audience: owner, staff.
    async fn cycle_starts_on(&self) -> Option<chrono::NaiveDate> {
        self.0.cycle.as_ref().map(|c| c.starts_on)
    }

    /// Expiry date of that cycle: the first day it no longer covers. Audience: owner, staff.
    async fn expires_on(&self) -> Option<chrono::NaiveDate> {
        self.0.cycle.as_ref().map(|c| c.ends_on)
    }

    /// The first day after grace: from then on the certification is expired.
    /// Audience: owner, staff.
    async fn grace_ends_on(&self) -> Option<chrono::NaiveDate> {
        self.0.grace_ends_on
    }

    /// Continuing-education credit counted for that cycle, e.g. `"1.4"`. Audience: owner, staff.
    async fn earned_cec(&self) -> String {
        format_tenths(i32::try_from(self.0.earned_tenths).unwrap_or(i32::MAX))
    }

    /// What a cycle requires, e.g. `"2.0"`. Audience: owner, staff.
    async fn required_cec(&self) -> String {
        format_tenths(self.0.required_tenths)
    }

    /// The first day the cycle that counts may be renewed (renewal stays open to the end of
    /// grace). Audience: owner, staff.
    async fn renewal_opens_on(&self) -> Option<chrono::NaiveDate> {
        self.0.renewal_opens_on
    }

    /// The renewal of the cycle that counts, once asked for, with its fee.
    /// Audience: owner, staff.
    async fn renewal(&self) -> Option<Renewal> {
        self.0.renewal.clone().map(Renewal)
    }
}

/// An amount of money in integer cents of one currency.
pub struct MoneyAmount(pub shared::Money);

/// An amount of money: integer cents and the currency, never a float.
#[Object(name = "Money")]
impl MoneyAmount {
    /// The amount in cents, e.g. `9500`. Audience: as the field that holds it.
    async fn cents(&self) -> i64 {
        self.0.cents
    }

    /// ISO 4217 currency code: `CAD`. Audience: as the field that holds it.
    async fn currency(&self) -> &'static str {
        shared::Money::CURRENCY
    }

    /// For display, e.g. `$95.00 CAD`. Audience: as the field that holds it.
    async fn formatted(&self) -> String {
        self.0.to_string()
    }
}

/// Where a fee, and what it pays for, stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::PaymentStatus")]
pub enum PaymentStatus {
    /// Owed; what it pays for waits.
    AwaitingPayment,
    /// Paid; what it pays for took effect.
    Paid,
    /// No longer owed: the order holding it lapsed or was cancelled.
    Cancelled,
    /// Paid, then refunded: what it paid for was reversed.
    Refunded,
}

/// What a fee is for.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::FeePurpose")]
pub enum FeePurpose {
    /// Renewing a certification for another cycle.
    Renewal,
    /// A place in a course or one of its workshops.
    Enrolment,
    /// The review of a petition for credit (P22).
    Petition,
}

pub struct Fee(pub entity::fee::Model);

/// Something a member owes. Audience: owner, staff.
#[Object]
impl Fee {
    /// Stable identifier. Audience: owner, staff.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// What it is for. Audience: owner, staff.
    async fn purpose(&self) -> FeePurpose {
        self.0.purpose.into()
    }

    /// How much. Audience: owner, staff.
    async fn amount(&self) -> MoneyAmount {
        MoneyAmount(shared::Money::from_cents(self.0.amount_cents))
    }

    /// Owed or paid. Audience: owner, staff.
    async fn status(&self) -> PaymentStatus {
        self.0.status.into()
    }

    /// When it was paid (UTC). Audience: owner, staff.
    async fn paid_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.paid_at
    }

    /// While owed, the order awaiting payment that holds it (the member's cart, or an
    /// order staff keyed): paying that order pays the fee. Audience: owner, staff.
    #[graphql(guard = "crate::schema::guard::readable_by(crate::authz::Audience::Owner, self.0.member_id)")]
    async fn pending_order_id(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<Option<ID>> {
        use crate::schema::ContextExt;
        use crate::schema::error::GqlResult;
        let order = crate::services::orders::pending_order_of_fee(ctx.state(), self.0.id)
            .await
            .gql()?;
        Ok(order.map(|id| ID(id.to_string())))
    }
}

pub struct Renewal(pub RenewalView);

/// A request to renew a certification cycle; the next cycle begins, where this one ends,
/// once its fee is paid. Audience: owner, staff.
#[Object]
impl Renewal {
    /// Awaiting payment, or paid (the next cycle exists). Audience: owner, staff.
    async fn status(&self) -> PaymentStatus {
        self.0.renewal.status.into()
    }

    /// When it was asked for (UTC). Audience: owner, staff.
    async fn requested_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.renewal.requested_at
    }

    /// The fee it waits for. Audience: owner, staff.
    async fn fee(&self) -> Fee {
        Fee(self.0.fee.clone())
    }
}

/// Where credit came from.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::CecSource")]
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

pub struct CecEntry(pub LedgerEntry);

impl CecEntry {
    pub const CURSOR_LIST: &'static str = "ledger";

    pub fn connection(request: &PageRequest<i64>, page: Page<LedgerEntry>) -> CecEntryConnection {
        plain_connection(Self::CURSOR_LIST, request, page, |entry| entry.entry.id, CecEntry)
    }
}

/// A page of ledger entries, newest first.
pub type CecEntryConnection = Connection<String, CecEntry>;

/// One entry of the continuing-education credit ledger. Audience: owner, staff.
#[Object]
impl CecEntry {
    /// Stable identifier of the entry. Audience: owner, staff.
    async fn id(&self) -> ID {
        ID(self.0.entry.id.to_string())
    }

    /// Amount, e.g. `"0.7"`; negative for a reversal or a debit. Audience: owner, staff.
    async fn cec(&self) -> String {
        format_tenths(self.0.entry.tenths)
    }

    /// The title of the course or petition it credits (ledger lists; adjustments have
    /// none). Audience: owner, staff.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }

    /// Where it came from. Audience: owner, staff.
    async fn source(&self) -> CecSource {
        self.0.entry.source.into()
    }

    /// Why staff adjusted or reversed it. Audience: owner, staff.
    async fn reason(&self) -> Option<&str> {
        self.0.entry.reason.as_deref()
    }

    /// When the credit was earned. Audience: owner, staff.
    async fn earned_on(&self) -> chrono::NaiveDate {
        self.0.entry.earned_on
    }

    /// True when the entry counts toward a certification cycle (it was earned during a
    /// cycle or its grace). Audience: owner, staff.
    async fn counts_for_a_cycle(&self) -> bool {
        self.0.entry.cycle_id.is_some()
    }

    /// The entry this one reverses. Audience: owner, staff.
    async fn reverses(&self) -> Option<ID> {
        self.0.entry.reverses_id.map(|id| ID(id.to_string()))
    }

    /// When it was recorded (UTC). Audience: owner, staff.
    async fn recorded_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.entry.recorded_at
    }
}

/// What the public certification register says of a trainer: nothing more than the status
/// and the expiry month.
#[derive(SimpleObject)]
pub struct CertificationCheck {
    /// The status today. Audience: public (with the member number and last name).
    pub status: CertificationStatus,
    /// Expiry month of the cycle that counts, `YYYY-MM`. Audience: public (with the member
    /// number and last name).
    pub expiry_month: Option<String>,
}

impl From<Verification> for CertificationCheck {
    fn from(v: Verification) -> Self {
        Self {
            status: v.status.into(),
            expiry_month: v.expiry_month,
        }
    }
}

/// A member's dashboard (`MemberDashboard` in the schema). Its fields are declared on
/// [`MemberDashboardFields`]; a plain selection of them is answered in one pass
/// ([`crate::schema::plain`]), anything else by the derived resolver.
pub struct MemberDashboard(pub Dashboard);

impl async_graphql::OutputType for MemberDashboard {
    fn type_name() -> std::borrow::Cow<'static, str> {
        MemberDashboardFields::type_name()
    }

    fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
        MemberDashboardFields::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &async_graphql::ContextSelectionSet<'_>,
        field: &async_graphql::Positioned<async_graphql::parser::types::Field>,
    ) -> async_graphql::ServerResult<async_graphql::Value> {
        match self.plain_value(&ctx.item.node) {
            Some(value) => Ok(value),
            None => async_graphql::OutputType::resolve(&MemberDashboardFields(&self.0), ctx, field).await,
        }
    }
}

impl MemberDashboard {
    /// The same values as the resolvers of [`MemberDashboardFields`], built in one pass.
    fn plain_value(&self, selection: &async_graphql::parser::types::SelectionSet) -> Option<async_graphql::Value> {
        use crate::schema::plain::{optional, plain_object};
        use async_graphql::Value;
        use async_graphql::resolver_utils::enum_value;
        let d = &self.0;
        let date = |day: Option<chrono::NaiveDate>| optional(day.map(|d| d.to_string()));
        plain_object(selection, "MemberDashboard", |field| {
            Some(match field.name.node.as_str() {
                "status" => enum_value(CertificationStatus::from(d.status)),
                "cycleStartsOn" => date(d.cycle.map(|c| c.starts_on)),
                "expiresOn" => date(d.cycle.map(|c| c.ends_on)),
                "graceEndsOn" => date(d.grace_ends_on),
                "renewalOpensOn" => date(d.renewal_opens_on),
                "earnedCec" => Value::String(format_tenths(i32::try_from(d.earned_tenths).unwrap_or(i32::MAX))),
                "requiredCec" => Value::String(format_tenths(d.required_tenths)),
                "renewalPaid" => Value::Boolean(matches!(d.renewal_fee, Some((_, entity::enums::PaymentStatus::Paid)))),
                "renewalFee" => match d.renewal_fee {
                    None => Value::Null,
                    Some((amount, _)) => money_value(amount, &field.selection_set.node)?,
                },
                "recentCredit" => Value::List(
                    d.entries
                        .iter()
                        .map(|e| recent_credit_value(e, &field.selection_set.node))
                        .collect::<Option<_>>()?,
                ),
                _ => return None,
            })
        })
    }
}

/// An amount as [`MoneyAmount`] resolves it, in one pass.
fn money_value(
    amount: shared::Money,
    selection: &async_graphql::parser::types::SelectionSet,
) -> Option<async_graphql::Value> {
    use async_graphql::Value;
    crate::schema::plain::plain_object(selection, "Money", |field| {
        Some(match field.name.node.as_str() {
            "cents" => Value::Number(amount.cents.into()),
            "currency" => Value::String(shared::Money::CURRENCY.to_owned()),
            "formatted" => Value::String(amount.to_string()),
            _ => return None,
        })
    })
}

/// A ledger entry as [`RecentCredit`] resolves it, in one pass.
fn recent_credit_value(
    entry: &RecentEntry,
    selection: &async_graphql::parser::types::SelectionSet,
) -> Option<async_graphql::Value> {
    use crate::schema::plain::{optional, plain_object};
    use async_graphql::Value;
    use async_graphql::resolver_utils::enum_value;
    plain_object(selection, "RecentCredit", |field| {
        Some(match field.name.node.as_str() {
            "id" => Value::String(entry.id.to_string()),
            "cec" => Value::String(format_tenths(i32::try_from(entry.tenths).unwrap_or(i32::MAX))),
            "source" => enum_value(CecSource::from(entry.source)),
            "title" => optional(entry.title.clone()),
            "reason" => optional(entry.reason.clone()),
            "earnedOn" => Value::String(entry.earned_on.to_string()),
            "countsForACycle" => Value::Boolean(entry.counts_for_a_cycle),
            _ => return None,
        })
    })
}

struct MemberDashboardFields<'a>(&'a Dashboard);

/// A member's own dashboard: their certification and latest credit. Audience: owner.
#[Object(name = "MemberDashboard")]
impl MemberDashboardFields<'_> {
    /// The status today (as `Certification.status`). Audience: owner.
    async fn status(&self) -> CertificationStatus {
        self.0.status.into()
    }

    /// First day of the cycle that counts now. Audience: owner.
    async fn cycle_starts_on(&self) -> Option<chrono::NaiveDate> {
        self.0.cycle.map(|c| c.starts_on)
    }

    /// Expiry date of that cycle. Audience: owner.
    async fn expires_on(&self) -> Option<chrono::NaiveDate> {
        self.0.cycle.map(|c| c.ends_on)
    }

    /// The first day after grace. Audience: owner.
    async fn grace_ends_on(&self) -> Option<chrono::NaiveDate> {
        self.0.grace_ends_on
    }

    /// The first day the cycle may be renewed. Audience: owner.
    async fn renewal_opens_on(&self) -> Option<chrono::NaiveDate> {
        self.0.renewal_opens_on
    }

    /// Credit counted for the cycle, e.g. `"1.4"`. Audience: owner.
    async fn earned_cec(&self) -> String {
        format_tenths(i32::try_from(self.0.earned_tenths).unwrap_or(i32::MAX))
    }

    /// What a cycle requires, e.g. `"2.0"`. Audience: owner.
    async fn required_cec(&self) -> String {
        format_tenths(self.0.required_tenths)
    }

    /// The renewal's fee, once renewal was asked for. Audience: owner.
    async fn renewal_fee(&self) -> Option<MoneyAmount> {
        self.0.renewal_fee.map(|(amount, _)| MoneyAmount(amount))
    }

    /// True once the renewal's fee is paid (the next cycle exists). Audience: owner.
    async fn renewal_paid(&self) -> bool {
        matches!(self.0.renewal_fee, Some((_, entity::enums::PaymentStatus::Paid)))
    }

    /// The latest 20 ledger entries, newest first. Audience: owner.
    async fn recent_credit(&self) -> Vec<RecentCredit> {
        self.0.entries.iter().cloned().map(RecentCredit).collect()
    }
}

pub struct RecentCredit(pub RecentEntry);

/// A ledger entry on the dashboard. Audience: owner.
#[Object]
impl RecentCredit {
    /// Stable identifier of the entry. Audience: owner.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// Amount, e.g. `"0.7"`. Audience: owner.
    async fn cec(&self) -> String {
        format_tenths(i32::try_from(self.0.tenths).unwrap_or(i32::MAX))
    }

    /// Where it came from. Audience: owner.
    async fn source(&self) -> CecSource {
        self.0.source.into()
    }

    /// The title of the course or petition it credits. Audience: owner.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }

    /// Why staff adjusted or reversed it. Audience: owner.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// When the credit was earned. Audience: owner.
    async fn earned_on(&self) -> chrono::NaiveDate {
        self.0.earned_on
    }

    /// True when it counts toward a certification cycle. Audience: owner.
    async fn counts_for_a_cycle(&self) -> bool {
        self.0.counts_for_a_cycle
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::types::{DocumentOperations, Selection};

    /// The selection of the web app's certification card (and the benchmark's).
    const CARD: &str = "{ myDashboard { status cycleStartsOn expiresOn graceEndsOn renewalOpensOn earnedCec \
                        requiredCec renewalPaid renewalFee { formatted } recentCredit { id cec source title reason \
                        earnedOn countsForACycle } } }";

    #[test]
    fn the_web_apps_dashboard_selection_is_answered_in_one_pass() -> Result<(), String> {
        let document = async_graphql::parser::parse_query(CARD).map_err(|e| e.to_string())?;
        let DocumentOperations::Single(operation) = document.operations else {
            return Err("one operation".to_owned());
        };
        let Some(Selection::Field(field)) = operation.node.selection_set.node.items.first().map(|i| &i.node) else {
            return Err("a field".to_owned());
        };
        let entry = RecentEntry {
            id: 7,
            earned_on: chrono::NaiveDate::MIN,
            tenths: 5,
            counts_for_a_cycle: true,
            source: entity::enums::CecSource::Course,
            title: Some("Kettlebells".to_owned()),
            reason: None,
        };
        let dashboard = MemberDashboard(Dashboard {
            status: entity::enums::CertificationStatus::Certified,
            cycle: None,
            grace_ends_on: None,
            renewal_opens_on: None,
            earned_tenths: 5,
            required_tenths: 20,
            renewal_fee: Some((
                shared::Money::from_cents(9500),
                entity::enums::PaymentStatus::AwaitingPayment,
            )),
            entries: vec![entry],
        });
        let value = dashboard
            .plain_value(&field.node.selection_set.node)
            .ok_or("the card's selection fell back to the derived resolvers")?;
        let json = value.into_json().map_err(|e| e.to_string())?;
        assert_eq!(json["renewalFee"]["formatted"], "$95.00 CAD");
        assert_eq!(json["recentCredit"][0]["title"], "Kettlebells");
        assert_eq!(json["status"], "CERTIFIED");
        Ok(())
    }
}
