//! The member record (P1): the private contact fields a member keeps (phone, address,
//! date of birth), apart from the public profile.

use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::error::{Error, Result};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::state::AppState;
use chrono::{Datelike, NaiveDate};
use entity::enums::AuditKind;
use entity::member;
use shared::Phone;
use shared::validate::bounded_text;

/// The private contact fields a member keeps on their record. Every field is replaced;
/// `None` clears it.
#[derive(Default)]
pub struct RecordUpdate {
    pub phone: Option<String>,
    pub street_address: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
}

/// Replaces the caller's private contact fields.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn update_my_record(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    input: RecordUpdate,
) -> Result<member::Model> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let optional = |field: &'static str, value: Option<String>, max: usize| -> Result<Option<String>> {
        match value {
            None => Ok(None),
            Some(raw) => {
                let text = bounded_text(field, &raw, max, false, false)?;
                Ok((!text.is_empty()).then_some(text))
            }
        }
    };
    let phone = match input.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(raw) => Some(Phone::parse("phone", raw)?.as_str().to_owned()),
    };
    if let Some(born) = input.date_of_birth {
        let age = state.now().date_naive().year() - born.year();
        if !(14..=120).contains(&age) {
            return Err(Error::invalid("dateOfBirth", "Enter your real date of birth."));
        }
    }
    let update = db::members::ContactFields {
        phone,
        street_address: optional("streetAddress", input.street_address, 200)?,
        city: optional("city", input.city, 100)?,
        region: optional("region", input.region, 100)?,
        postal_code: optional("postalCode", input.postal_code, 20)?,
        country: optional("country", input.country, 100)?,
        date_of_birth: input.date_of_birth,
    };
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let before = db::members::find_by_id(write.conn(), me.member_id)
        .await?
        .ok_or(Error::NotFound)?;
    // The audit row names the fields that changed, never their values.
    let changed: Vec<&str> = [
        ("phone", before.phone != update.phone),
        ("streetAddress", before.street_address != update.street_address),
        ("city", before.address_city != update.city),
        ("region", before.address_region != update.region),
        ("postalCode", before.postal_code != update.postal_code),
        ("country", before.address_country != update.country),
        ("dateOfBirth", before.date_of_birth != update.date_of_birth),
    ]
    .into_iter()
    .filter_map(|(name, differs)| differs.then_some(name))
    .collect();
    db::members::set_contact_fields(write.conn(), me.member_id, update, write.now()).await?;
    let detail = if changed.is_empty() {
        "no change".to_owned()
    } else {
        changed.join(", ")
    };
    write
        .commit(
            AuditRecord::new(AuditKind::MemberRecordUpdated)
                .about(me.member_id)
                .detail(detail),
        )
        .await?;
    db::members::find_by_id(&state.db, me.member_id)
        .await?
        .ok_or(Error::NotFound)
}
