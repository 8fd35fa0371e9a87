//! GraphQL types of the directory. `PublicProfile` and `Specialty` have no private field
//! at all (P1); `MyProfile` is the owner's editing view, reachable only through
//! `Member.profile`.

use crate::authz::Audience;
use crate::schema::guard::readable_by;
use crate::schema::plain::{self, plain_object};
use crate::services::directory::ProfileView;
use crate::services::directory::PublicProfileRow;
use async_graphql::parser::types::{Field, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::enum_value;
use async_graphql::{
    ContextSelectionSet, Enum, InputObject, Object, OutputType, Positioned, ServerResult, SimpleObject, Value,
};
use entity::specialty;
use std::borrow::Cow;

/// One entry of the managed list of specialties.
#[derive(SimpleObject, Clone)]
pub struct Specialty {
    /// Stable key, e.g. `strength-training`. Audience: public.
    pub slug: String,
    /// Display name, e.g. "Strength training". Audience: public.
    pub name: String,
}

impl From<specialty::Model> for Specialty {
    fn from(model: specialty::Model) -> Self {
        Self {
            slug: model.slug,
            name: model.name,
        }
    }
}

/// Where a trainer stands with their certification.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::CertificationStatus")]
pub enum CertificationStatus {
    /// Certified and current.
    Certified,
    /// Expired less than six months ago; renewal still possible.
    Grace,
    /// Expired.
    Expired,
    /// Not certified yet.
    None,
}

fn split_languages(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn photo_url(file: Option<&str>) -> Option<String> {
    file.map(|f| format!("/photos/{f}"))
}

/// A trainer's public profile (`PublicProfile` in the schema). Its fields are declared on
/// [`PublicProfileFields`]; a plain selection of them is answered in one pass
/// ([`crate::schema::plain`]), anything else by the derived resolver.
pub struct PublicProfile(pub PublicProfileRow);

impl OutputType for PublicProfile {
    fn type_name() -> Cow<'static, str> {
        PublicProfileFields::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        PublicProfileFields::create_type_info(registry)
    }

    async fn resolve(&self, ctx: &ContextSelectionSet<'_>, field: &Positioned<Field>) -> ServerResult<Value> {
        match self.plain_value(&ctx.item.node) {
            Some(value) => Ok(value),
            None => OutputType::resolve(&PublicProfileFields(&self.0), ctx, field).await,
        }
    }
}

impl PublicProfile {
    /// The same values as the resolvers of [`PublicProfileFields`], built in one pass.
    fn plain_value(&self, selection: &SelectionSet) -> Option<Value> {
        let row = &self.0;
        plain_object(selection, &PublicProfileFields::type_name(), |field| {
            Some(match field.name.node.as_str() {
                "slug" => Value::String(row.slug.clone()),
                "displayName" => Value::String(row.display_name.clone()),
                "city" => Value::String(row.city.clone()),
                "region" => Value::String(row.region.clone()),
                "country" => Value::String(row.country.clone()),
                "bio" => Value::String(row.bio.clone()),
                "languages" => Value::List(split_languages(&row.languages).into_iter().map(Value::String).collect()),
                "specialties" => Value::List(
                    row.specialties
                        .iter()
                        .map(|s| specialty_value(s, &field.selection_set.node))
                        .collect::<Option<_>>()?,
                ),
                "phone" => plain::optional(row.phone.clone()),
                "photoUrl" => plain::optional(photo_url(row.photo_file.as_deref())),
                "certificationStatus" => enum_value(CertificationStatus::from(row.certification_status)),
                _ => return None,
            })
        })
    }
}

/// A specialty as [`Specialty`] resolves it, in one pass.
fn specialty_value(model: &specialty::Model, selection: &SelectionSet) -> Option<Value> {
    plain_object(selection, &Specialty::type_name(), |field| {
        Some(match field.name.node.as_str() {
            "slug" => Value::String(model.slug.clone()),
            "name" => Value::String(model.name.clone()),
            _ => return None,
        })
    })
}

struct PublicProfileFields<'a>(&'a PublicProfileRow);

/// A trainer's public profile, as anyone sees it. It has no e-mail, no member number, no
/// address: visitors reach the trainer through `contactTrainer`.
#[Object(name = "PublicProfile")]
impl PublicProfileFields<'_> {
    /// The address of the public page: `/trainers/<slug>`. Audience: public.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The name the trainer shows. Audience: public.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    /// City. Audience: public.
    async fn city(&self) -> &str {
        &self.0.city
    }

    /// Province or region. Audience: public.
    async fn region(&self) -> &str {
        &self.0.region
    }

    /// Country. Audience: public.
    async fn country(&self) -> &str {
        &self.0.country
    }

    /// About the trainer. Audience: public.
    async fn bio(&self) -> &str {
        &self.0.bio
    }

    /// Languages the trainer coaches in. Audience: public.
    async fn languages(&self) -> Vec<String> {
        split_languages(&self.0.languages)
    }

    /// Specialties from the managed list, by name. Audience: public.
    async fn specialties(&self) -> Vec<Specialty> {
        // Read by the same statement as the profile (or the page it is on): no query here.
        self.0.specialties.iter().cloned().map(Into::into).collect()
    }

    /// Phone number, present only while the trainer showcases it (P5). Audience: public,
    /// only when showcased.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    /// Path of the profile photo, if any. Audience: public.
    async fn photo_url(&self) -> Option<String> {
        photo_url(self.0.photo_file.as_deref())
    }

    /// Certification standing. Audience: public.
    async fn certification_status(&self) -> CertificationStatus {
        self.0.certification_status.into()
    }
}

/// Whether a profile is listed.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::enums::ProfileStatus")]
pub enum ProfileStatus {
    /// Listed in search and reachable at its address.
    Active,
    /// Hidden everywhere, keeping its search rank for when it comes back.
    Disabled,
}

pub struct MyProfile(pub ProfileView);

impl MyProfile {
    fn owner(&self) -> i64 {
        self.0.profile.member_id
    }
}

/// The member's own profile, with its settings. Audience: owner, staff.
#[Object]
impl MyProfile {
    /// The address of the public page: `/trainers/<slug>`. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn slug(&self) -> &str {
        &self.0.profile.slug
    }

    /// The name shown in the directory. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn display_name(&self) -> &str {
        &self.0.profile.display_name
    }

    /// City. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn city(&self) -> &str {
        &self.0.profile.city
    }

    /// Province or region. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn region(&self) -> &str {
        &self.0.profile.region
    }

    /// Country. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn country(&self) -> &str {
        &self.0.profile.country
    }

    /// About the trainer. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn bio(&self) -> &str {
        &self.0.profile.bio
    }

    /// Languages. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn languages(&self) -> Vec<String> {
        split_languages(&self.0.profile.languages)
    }

    /// Chosen specialties. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn specialties(&self) -> Vec<Specialty> {
        self.0.specialties.iter().cloned().map(Into::into).collect()
    }

    /// Whether the record's phone number is shown on the public profile. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn show_phone(&self) -> bool {
        self.0.profile.show_phone
    }

    /// Listed or hidden, as the member (or staff) chose. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn status(&self) -> ProfileStatus {
        self.0.profile.chosen_status.into()
    }

    /// Whether the public sees the profile now: listed, and the account active.
    /// Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn listed(&self) -> bool {
        self.0.profile.status == entity::enums::ProfileStatus::Active
    }

    /// Path of the profile photo, if any. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn photo_url(&self) -> Option<String> {
        photo_url(self.0.profile.photo_file.as_deref())
    }

    /// Certification standing. Audience: owner, staff.
    #[graphql(guard = "readable_by(Audience::Owner, self.owner())")]
    async fn certification_status(&self) -> CertificationStatus {
        self.0.profile.certification_status.into()
    }
}

/// What the profile editor sends.
#[derive(InputObject)]
pub struct ProfileInput {
    /// The page address; kept as it is when omitted (made from the name the first time).
    pub slug: Option<String>,
    /// The name shown in the directory (required, at most 120 characters).
    pub display_name: String,
    /// City (required).
    pub city: String,
    /// Province or region.
    #[graphql(default)]
    pub region: String,
    /// Country (required).
    pub country: String,
    /// About you, at most 4,000 characters.
    #[graphql(default)]
    pub bio: String,
    /// Languages you coach in.
    #[graphql(default)]
    pub languages: Vec<String>,
    /// Specialty slugs from `specialties`, at most 8.
    #[graphql(default)]
    pub specialties: Vec<String>,
    /// Show the phone number of your member record on the public profile.
    #[graphql(default)]
    pub show_phone: bool,
}
