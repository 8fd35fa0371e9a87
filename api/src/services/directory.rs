//! The member's private contact record and the public directory (P1, P4, P5, P6, P7, P13).
//!
//! A profile is the member's own: they create and edit it, choose whether their phone is
//! shown (P5), hide it without losing its search rank (P6) or delete it with its files
//! (P7). Visitors reach a trainer only through the contact relay (P4), which queues the
//! message with the sender's IP (P13) and never reveals the trainer's address.

use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::db::profiles::PublicProfileRow;
use crate::db::search::{RankKey, SearchPage};
use crate::error::{Error, Result, conflict_on_unique};
use crate::page::PageRequest;
use crate::services::accounts;
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::mail::{self, Mail, MailHeaders, NamedAddress, Recipient};
use crate::state::AppState;
use chrono::{Datelike, NaiveDate};
use entity::enums::{AuditKind, MessageKind, ProfileStatus};
use entity::{directory_profile, member, specialty};
use shared::validate::{bounded_text, slug as parse_slug, slugify};
use shared::{Email, Phone};
use std::path::PathBuf;

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

/// What a member types into the profile editor.
pub struct ProfileInput {
    pub slug: Option<String>,
    pub display_name: String,
    pub city: String,
    pub region: String,
    pub country: String,
    pub bio: String,
    pub languages: Vec<String>,
    pub specialties: Vec<String>,
    pub show_phone: bool,
}

/// A profile with its specialties.
pub struct ProfileView {
    pub profile: directory_profile::Model,
    pub specialties: Vec<specialty::Model>,
}

/// Creates or updates the caller's profile. The slug is made from the display name the
/// first time (with a number added when taken) and kept after that unless given.
pub async fn save_my_profile(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    input: ProfileInput,
) -> Result<ProfileView> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let display_name = bounded_text("displayName", &input.display_name, 120, true, false)?;
    let city = bounded_text("city", &input.city, 100, true, false)?;
    let region = bounded_text("region", &input.region, 100, false, false)?;
    let country = bounded_text("country", &input.country, 100, true, false)?;
    let bio = bounded_text("bio", &input.bio, 4000, false, true)?;
    let mut languages = Vec::new();
    for language in &input.languages {
        let language = bounded_text("languages", language, 40, false, false)?;
        if !language.is_empty() && !language.contains(',') && !languages.contains(&language) {
            languages.push(language);
        }
    }
    let languages = languages.join(", ");
    if languages.chars().count() > 200 {
        return Err(Error::invalid("languages", "List at most a few languages."));
    }
    let mut wanted: Vec<String> = input.specialties.iter().map(|s| s.trim().to_owned()).collect();
    wanted.sort();
    wanted.dedup();
    if wanted.len() > shared::validate::MAX_PROFILE_SPECIALTIES {
        return Err(Error::invalid(
            "specialties",
            format!(
                "Choose at most {} specialties.",
                shared::validate::MAX_PROFILE_SPECIALTIES
            ),
        ));
    }
    let requested_slug = input.slug.as_deref().map(|s| parse_slug("slug", s)).transpose()?;

    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let txn = write.conn();
    let specialties = db::profiles::specialties_by_slug(txn, &wanted).await?;
    if specialties.len() != wanted.len() {
        return Err(Error::invalid("specialties", "Choose specialties from the list."));
    }
    let existing = db::profiles::find_by_member(txn, me.member_id).await?;
    let slug = match (requested_slug, &existing) {
        (Some(slug), _) => {
            if db::profiles::slug_taken(txn, &slug, me.member_id).await? {
                return Err(Error::Conflict {
                    field: Some("slug"),
                    message: "Another profile already uses this address.".to_owned(),
                });
            }
            slug
        }
        (None, Some(found)) => found.slug.clone(),
        (None, None) => free_slug(txn, &display_name, me.member_id).await?,
    };
    let fields = db::profiles::ProfileFields {
        slug,
        display_name,
        city,
        region,
        country,
        bio,
        languages,
        show_phone: input.show_phone,
    };
    let profile = db::profiles::upsert(txn, me.member_id, fields, write.now())
        .await
        .map_err(|e| conflict_on_unique(e, "slug", "Another profile already uses this address."))?;
    link_specialties_and_index(txn, &profile, &specialties).await?;
    let detail = if existing.is_some() { "updated" } else { "created" };
    write
        .commit(
            AuditRecord::new(AuditKind::ProfileSaved)
                .about(me.member_id)
                .detail(detail),
        )
        .await?;
    state.typos.forget_all();
    let mut specialties = specialties;
    specialties.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(ProfileView { profile, specialties })
}

/// Links a written profile to its specialties and rewrites its search entry. Every write
/// of a profile's fields ends with this, in the same transaction.
pub(crate) async fn link_specialties_and_index<C: sea_orm::ConnectionTrait>(
    conn: &C,
    profile: &directory_profile::Model,
    specialties: &[specialty::Model],
) -> Result<()> {
    let ids: Vec<i64> = specialties.iter().map(|s| s.id).collect();
    db::profiles::set_specialties(conn, profile.id, &ids).await?;
    db::search::reindex(conn, profile, specialties).await?;
    Ok(())
}

async fn free_slug<C: sea_orm::ConnectionTrait>(conn: &C, name: &str, member_id: i64) -> Result<String> {
    let base = match slugify(name) {
        s if s.len() >= 3 => s,
        s => format!("trainer-{s}").trim_end_matches('-').to_owned(),
    };
    for n in 1..1000 {
        let candidate = if n == 1 { base.clone() } else { format!("{base}-{n}") };
        if !db::profiles::slug_taken(conn, &candidate, member_id).await? {
            return Ok(candidate);
        }
    }
    Err(Error::Conflict {
        field: Some("slug"),
        message: "Choose an address for your profile.".to_owned(),
    })
}

/// The caller's own profile (or a member's, for staff), with specialties.
pub async fn profile_of(state: &AppState, viewer: &Viewer, member_id: i64) -> Result<Option<ProfileView>> {
    authz::require(viewer, Audience::Owner, member_id)?;
    let Some(profile) = db::profiles::find_by_member(&state.db, member_id).await? else {
        return Ok(None);
    };
    let specialties = db::profiles::specialties_of(&state.db, &[profile.id])
        .await?
        .remove(&profile.id)
        .unwrap_or_default();
    Ok(Some(ProfileView { profile, specialties }))
}

/// The active profile at `slug`; `NOT_FOUND` for a missing or disabled one (P6).
pub async fn public_profile(state: &AppState, slug: &str) -> Result<PublicProfileRow> {
    db::profiles::public_by_slug(&state.reads, slug.trim())
        .await?
        .ok_or(Error::NotFound)
}

/// What a directory page asks for.
pub struct DirectorySearch {
    pub query: Option<String>,
    pub city: Option<String>,
    pub specialty: Option<String>,
    /// Keyset pagination by score and id.
    pub page: PageRequest<RankKey>,
}

/// Searches active profiles (P6: disabled ones never appear; P5: phones only when
/// showcased, both applied in SQL).
pub async fn search(state: &AppState, input: DirectorySearch) -> Result<SearchPage> {
    let terms = input.query.as_deref().map(db::search::terms_of).unwrap_or_default();
    let similar = similar_names(state, &terms).await?;
    let query = db::search::SearchQuery {
        terms,
        similar,
        city: input
            .city
            .as_deref()
            .map(|c| shared::validate::fold(c.trim()))
            .filter(|c| !c.is_empty()),
        specialty: input.specialty.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
        page: input.page,
    };
    let fits = match query.page.after {
        None => true,
        Some(RankKey::Rank { .. }) => query.keyed_by_rank(),
        Some(RankKey::Score { .. }) => !query.keyed_by_rank(),
    };
    if !fits {
        return Err(Error::invalid("after", "This cursor belongs to another search."));
    }
    Ok(db::search::search(&state.reads, &query).await?)
}

/// For each search word, the name words it may be a typo of: from the cache where it has
/// them, the others in one statement.
async fn similar_names(state: &AppState, terms: &[String]) -> Result<Vec<Vec<String>>> {
    let mut similar: Vec<Option<Vec<String>>> = terms.iter().map(|t| state.typos.get(t)).collect();
    let missing: Vec<String> = terms
        .iter()
        .zip(&similar)
        .filter(|(_, found)| found.is_none())
        .map(|(t, _)| t.clone())
        .collect();
    if !missing.is_empty() {
        let mut found = db::search::similar_names(&state.reads, &missing).await?.into_iter();
        for (term, slot) in terms.iter().zip(similar.iter_mut()) {
            if slot.is_none() {
                let candidates = found.next().unwrap_or_default();
                state.typos.put(term, candidates.clone());
                *slot = Some(candidates);
            }
        }
    }
    Ok(similar.into_iter().map(Option::unwrap_or_default).collect())
}

/// What typeahead completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuggestKind {
    Name,
    City,
    Specialty,
}

/// Most completions one `suggest` gives.
pub const MAX_SUGGESTIONS: i64 = 10;

/// Up to `first` (1 to 10) completions of `prefix`.
pub async fn suggest(state: &AppState, prefix: &str, kind: SuggestKind, first: i64) -> Result<Vec<String>> {
    if !(1..=MAX_SUGGESTIONS).contains(&first) {
        return Err(Error::invalid(
            "first",
            format!("`first` must be between 1 and {MAX_SUGGESTIONS}."),
        ));
    }
    let first = u64::try_from(first).unwrap_or(1);
    let prefix = shared::validate::fold(prefix.trim());
    if prefix.chars().count() > 60 {
        return Err(Error::invalid("prefix", "Type at most 60 characters."));
    }
    if prefix.is_empty() {
        return Ok(Vec::new());
    }
    let column = match kind {
        SuggestKind::Name => db::search::SuggestColumn::Name,
        SuggestKind::City => db::search::SuggestColumn::City,
        SuggestKind::Specialty => {
            let names = db::profiles::all_specialties(&state.reads).await?;
            return Ok(names
                .into_iter()
                .filter(|s| {
                    shared::validate::fold(&s.name)
                        .split(' ')
                        .any(|w| w.starts_with(&prefix))
                })
                .map(|s| s.name)
                .take(usize::try_from(first).unwrap_or(10))
                .collect());
        }
    };
    Ok(db::search::suggest(&state.reads, column, &prefix, first).await?)
}

/// The managed list of specialties.
pub async fn specialties(state: &AppState) -> Result<Vec<specialty::Model>> {
    Ok(db::profiles::all_specialties(&state.reads).await?)
}

/// The profile a call acts on: the caller's own, or (staff only) the member numbered `number`.
async fn target_profile(
    state: &AppState,
    viewer: &Viewer,
    number: Option<i64>,
) -> Result<(directory_profile::Model, i64)> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let member_id = match number {
        None => me.member_id,
        Some(number) => {
            authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
            db::members::find_by_number(&state.db, number)
                .await?
                .ok_or(Error::NotFound)?
                .id
        }
    };
    let profile = db::profiles::find_by_member(&state.db, member_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok((profile, me.member_id))
}

/// Shows or hides the phone number on the public profile (P5).
pub async fn set_phone_showcase(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    show: bool,
) -> Result<ProfileView> {
    let (profile, _) = target_profile(state, viewer, None).await?;
    // The flag and the public copy of the phone change together.
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    db::profiles::set_show_phone(write.conn(), profile.id, show, write.now()).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::PhoneShowcaseChanged)
                .about(profile.member_id)
                .detail(if show { "shown" } else { "hidden" }),
        )
        .await?;
    profile_of(state, viewer, profile.member_id)
        .await?
        .ok_or(Error::NotFound)
}

/// Hides (`enabled = false`) or shows a profile. Its search rank is kept (P6).
pub async fn set_profile_status(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    number: Option<i64>,
    enabled: bool,
) -> Result<ProfileView> {
    let (profile, _) = target_profile(state, viewer, number).await?;
    let (status, kind) = if enabled {
        (ProfileStatus::Active, AuditKind::ProfileEnabled)
    } else {
        (ProfileStatus::Disabled, AuditKind::ProfileDisabled)
    };
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    db::profiles::set_chosen_status(write.conn(), profile.id, status, write.now()).await?;
    write.commit(AuditRecord::new(kind).about(profile.member_id)).await?;
    state.typos.forget_all();
    profile_of(state, viewer, profile.member_id)
        .await?
        .ok_or(Error::NotFound)
}

/// Deletes a profile and its uploaded files (P7); the member record stays. The owner must
/// re-enter their password (the account's password budget and audit apply); staff name
/// the member instead.
pub async fn delete_profile(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    password: Option<String>,
    number: Option<i64>,
) -> Result<()> {
    authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    if number.is_none() {
        accounts::confirm_own_password(state, viewer, meta, password, "deleteProfile").await?;
    }
    let (profile, _) = target_profile(state, viewer, number).await?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    db::search::unindex(write.conn(), profile.id).await?;
    db::profiles::delete(write.conn(), profile.id).await?;
    write
        .commit(AuditRecord::new(AuditKind::ProfileDeleted).about(profile.member_id))
        .await?;
    state.typos.forget_all();
    // Files go after the rows are gone for good; a failure here is logged, not hidden.
    if let Some(file) = profile.photo_file {
        let path = photo_path(state, &file);
        if let Err(e) = tokio::fs::remove_file(&path).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            return Err(Error::Unexpected(anyhow::anyhow!("removing {}: {e}", path.display())));
        }
    }
    Ok(())
}

/// Where a profile photo is stored.
pub fn photo_path(state: &AppState, file: &str) -> PathBuf {
    state.settings.data_dir.join("photos").join(file)
}

/// A visitor's message to a trainer.
pub struct ContactMessage {
    pub profile_slug: String,
    pub sender_name: String,
    pub sender_email: String,
    pub message: String,
}

/// Queues a message to the trainer at `profile_slug` for relay by e-mail, with the
/// visitor's address as `Reply-To` and their IP in the message (P13). The answer never
/// contains the trainer's address (P4).
pub async fn contact_trainer(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    input: ContactMessage,
) -> Result<()> {
    if let Some(ip) = meta.ip
        && let Err(retry_after) = state.contact_limiter.check(&ip)
    {
        return Err(Error::RateLimited { retry_after });
    }
    let sender_name = bounded_text("senderName", &input.sender_name, 120, true, false)?;
    let sender_email = Email::parse("senderEmail", &input.sender_email)?;
    let message = bounded_text("message", &input.message, 5000, true, true)?;
    let recipient = db::profiles::active_member_by_slug(&state.db, input.profile_slug.trim())
        .await?
        .ok_or(Error::NotFound)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let body = format!(
        "{sender_name} wrote to you through your profile in the CPTN Network directory:\n\n\
         {message}\n\n\
         -- \n\
         Reply to this e-mail to answer {sender_name} at {address}. They have not seen your \
         e-mail address; they will when you reply.\n\
         Sent from IP address {ip} on {when} UTC.\n",
        address = sender_email.as_str(),
        ip = meta.ip_string().unwrap_or_else(|| "unknown".to_owned()),
        when = write.now().format("%Y-%m-%d %H:%M"),
    );
    let message_id = mail::queue(
        write.conn(),
        write.now(),
        Mail {
            kind: MessageKind::ContactRelay,
            to: Recipient::Member(recipient),
            subject: format!("CPTN Network: a message from {sender_name}"),
            body,
            headers: MailHeaders {
                reply_to: Some(NamedAddress {
                    name: Some(sender_name.clone()),
                    address: sender_email.into_inner(),
                }),
                other: Vec::new(),
            },
            sender_ip: meta.ip_string(),
        },
    )
    .await?;
    write
        .commit(
            AuditRecord::new(AuditKind::TrainerContacted)
                .about(recipient)
                .detail(format!("outbox message {message_id}")),
        )
        .await?;
    state.wake_mailer();
    Ok(())
}

/// The largest profile photo accepted.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// An image format we accept, recognised by its first bytes (never by its name).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    Png,
    Jpeg,
    WebP,
}

impl ImageKind {
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(Self::WebP)
        } else {
            None
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::WebP => "webp",
        }
    }

    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext {
            "png" => Some(Self::Png),
            "jpg" => Some(Self::Jpeg),
            "webp" => Some(Self::WebP),
            _ => None,
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::WebP => "image/webp",
        }
    }
}

/// Stores a new profile photo under an unguessable name and replaces the old one (whose
/// file is removed). PNG, JPEG or WebP by content, at most 5 MiB.
pub async fn set_photo(state: &AppState, viewer: &Viewer, meta: &RequestMeta, bytes: Vec<u8>) -> Result<ProfileView> {
    let (profile, _) = target_profile(state, viewer, None).await?;
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(Error::invalid("file", "A photo can be at most 5 MiB."));
    }
    let kind = ImageKind::sniff(&bytes).ok_or_else(|| Error::invalid("file", "Upload a PNG, JPEG or WebP image."))?;
    let name = format!("{}.{}", uuid::Uuid::new_v4().simple(), kind.extension());
    let dir = state.settings.data_dir.join("photos");
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| Error::Unexpected(anyhow::anyhow!("creating {}: {e}", dir.display())))?;
    let path = dir.join(&name);
    tokio::fs::write(&path, &bytes)
        .await
        .map_err(|e| Error::Unexpected(anyhow::anyhow!("writing {}: {e}", path.display())))?;
    let written = async {
        let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
        let previous = db::profiles::set_photo(write.conn(), &profile, &name, write.now()).await?;
        write
            .commit(AuditRecord::new(AuditKind::ProfilePhotoReplaced).about(profile.member_id))
            .await?;
        Ok::<_, Error>(previous)
    }
    .await;
    let previous = match written {
        Ok(previous) => previous,
        Err(e) => {
            // The row does not name the new file: it goes.
            let _ = tokio::fs::remove_file(&path).await;
            return Err(e);
        }
    };
    if let Some(old) = previous {
        let _ = tokio::fs::remove_file(photo_path(state, &old)).await;
    }
    profile_of(state, viewer, profile.member_id)
        .await?
        .ok_or(Error::NotFound)
}

/// The bytes and type of a photo, when it belongs to an active profile; `NOT_FOUND`
/// otherwise (a hidden profile's photo is hidden too).
pub async fn public_photo(state: &AppState, file: &str) -> Result<(Vec<u8>, ImageKind)> {
    let (stem, ext) = file.rsplit_once('.').ok_or(Error::NotFound)?;
    let well_formed = stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    let kind = ImageKind::from_extension(ext)
        .filter(|_| well_formed)
        .ok_or(Error::NotFound)?;
    if !db::profiles::photo_is_public(&state.db, file).await? {
        return Err(Error::NotFound);
    }
    let bytes = tokio::fs::read(photo_path(state, file))
        .await
        .map_err(|_| Error::NotFound)?;
    Ok((bytes, kind))
}
