//! Staff tools: record and reinstate certifications, adjust and correct the ledger.

use super::types::{CecEntry, Certification, Renewal};
use crate::schema::account::query::parse_member_number;
use crate::schema::error::GqlResult;
use crate::schema::{ContextExt, parse_id};
use crate::services::certification;
use async_graphql::{Context, ID, Object};

#[derive(Default)]
pub struct CertificationMutation;

#[Object]
impl CertificationMutation {
    /// Records that a member passed the exam on `startsOn`: their first certification
    /// cycle. `CONFLICT` when they already have one (reinstate an expired one instead).
    /// Audience: staff.
    async fn record_certification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The member number, e.g. `CPTN-000123`.")] member_number: String,
        #[graphql(desc = "The day the exam was passed: the cycle's first day (not in the future).")]
        starts_on: chrono::NaiveDate,
    ) -> async_graphql::Result<Certification> {
        let number = parse_member_number(&member_number).gql()?;
        let view = certification::record_certification(ctx.state(), ctx.viewer(), ctx.meta(), number.0, starts_on)
            .await
            .gql()?;
        Ok(Certification(view))
    }

    /// Reinstates an expired certification with a new cycle from `startsOn`. `CONFLICT`
    /// unless the certification is expired. Audience: staff.
    async fn reinstate_certification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The member number, e.g. `CPTN-000123`.")] member_number: String,
        #[graphql(desc = "The new cycle's first day (after the previous grace, not in the future).")]
        starts_on: chrono::NaiveDate,
    ) -> async_graphql::Result<Certification> {
        let number = parse_member_number(&member_number).gql()?;
        let view = certification::reinstate(ctx.state(), ctx.viewer(), ctx.meta(), number.0, starts_on)
            .await
            .gql()?;
        Ok(Certification(view))
    }

    /// Credits (or, negative, debits) a member's ledger, with a reason the member sees. The
    /// entry counts for the cycle `earnedOn` falls in (its grace included). Audience: staff.
    async fn adjust_cec(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The member number, e.g. `CPTN-000123`.")] member_number: String,
        #[graphql(desc = "Amount in CEC with at most one decimal, e.g. `0.5` or `-0.2`; not zero, at most 10.")]
        cec: String,
        #[graphql(desc = "When the credit was earned (not in the future).")] earned_on: chrono::NaiveDate,
        #[graphql(desc = "Why, 1 to 500 characters.")] reason: String,
    ) -> async_graphql::Result<CecEntry> {
        let number = parse_member_number(&member_number).gql()?;
        let tenths = shared::cec::parse_tenths(&cec)
            .ok_or_else(|| crate::error::Error::invalid("cec", "Write an amount such as 0.5 or -0.2."))
            .gql()?;
        let entry = certification::adjust(
            ctx.state(),
            ctx.viewer(),
            ctx.meta(),
            number.0,
            tenths,
            earned_on,
            &reason,
        )
        .await
        .gql()?;
        Ok(CecEntry(entry))
    }

    /// Cancels a ledger entry with a reversing entry of the opposite amount (the ledger is
    /// never edited). `CONFLICT` for a reversal or an entry already reversed.
    /// Audience: staff.
    async fn reverse_cec_entry(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The entry to cancel.")] entry_id: ID,
        #[graphql(desc = "Why, 1 to 500 characters.")] reason: String,
    ) -> async_graphql::Result<CecEntry> {
        let id = parse_id(&entry_id, "entryId", "Not a ledger entry id.")?;
        let entry = certification::reverse(ctx.state(), ctx.viewer(), ctx.meta(), id, &reason)
            .await
            .gql()?;
        Ok(CecEntry(entry))
    }

    /// Asks to renew the caller's certification: allowed from the renewal window before
    /// expiry (`renewalOpensOn`) to the end of grace, when the cycle holds the required
    /// credit. The renewal fee is then owed; once it is paid, the next cycle begins where
    /// this one ends. `VALIDATION` says what is missing (e.g. "0.3 CEC short"); `CONFLICT`
    /// when this cycle's renewal was already asked for. Audience: member (own).
    async fn renew_certification(&self, ctx: &Context<'_>) -> async_graphql::Result<Renewal> {
        let view = certification::renew(ctx.state(), ctx.viewer(), ctx.meta())
            .await
            .gql()?;
        Ok(Renewal(view))
    }
}
