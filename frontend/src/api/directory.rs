//! The directory and the profile editor (`graphql/directory.graphql`).

use super::{ApiError, CertificationStatus, ProfileStatus, SuggestionKind, Upload, run, run_upload};

graphql_operations!(
    "graphql/directory.graphql",
    extern_enums("CertificationStatus", "ProfileStatus", "SuggestionKind"),
    Directory,
    Suggest,
    Specialties,
    Profile,
    ContactTrainer,
    Editor,
    SaveProfile,
    DisableProfile,
    EnableProfile,
    DeleteProfile,
    UploadProfilePhoto,
);

/// A specialty as the pages list it.
#[derive(Clone, Debug, PartialEq)]
pub struct SpecialtyName {
    pub slug: String,
    pub name: String,
}

/// One directory result or a public profile: never an e-mail, a phone only when showcased.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainerCard {
    pub slug: String,
    pub display_name: String,
    pub city: String,
    pub region: String,
    pub country: String,
    pub bio: String,
    pub languages: Vec<String>,
    pub phone: Option<String>,
    pub photo_url: Option<String>,
    pub certification_status: CertificationStatus,
    pub specialties: Vec<SpecialtyName>,
}

/// The owner's view of their profile.
#[derive(Clone, Debug, PartialEq)]
pub struct MyProfile {
    pub slug: String,
    pub display_name: String,
    pub city: String,
    pub region: String,
    pub country: String,
    pub bio: String,
    pub languages: Vec<String>,
    pub specialties: Vec<SpecialtyName>,
    pub show_phone: bool,
    pub status: ProfileStatus,
    pub photo_url: Option<String>,
}

// The same fragment is a type of its own in each operation's module; these conversions
// are checked by the compiler like the rest.
macro_rules! card_from {
    ($($module:ident),*) => {$(
        impl From<$module::TrainerCardFields> for TrainerCard {
            fn from(card: $module::TrainerCardFields) -> Self {
                Self {
                    slug: card.slug,
                    display_name: card.display_name,
                    city: card.city,
                    region: card.region,
                    country: card.country,
                    bio: card.bio,
                    languages: card.languages,
                    phone: card.phone,
                    photo_url: card.photo_url,
                    certification_status: card.certification_status,
                    specialties: card
                        .specialties
                        .into_iter()
                        .map(|s| SpecialtyName { slug: s.slug, name: s.name })
                        .collect(),
                }
            }
        }
    )*};
}

macro_rules! my_profile_from {
    ($($module:ident),*) => {$(
        impl From<$module::MyProfileFields> for MyProfile {
            fn from(profile: $module::MyProfileFields) -> Self {
                Self {
                    slug: profile.slug,
                    display_name: profile.display_name,
                    city: profile.city,
                    region: profile.region,
                    country: profile.country,
                    bio: profile.bio,
                    languages: profile.languages,
                    specialties: profile
                        .specialties
                        .into_iter()
                        .map(|s| SpecialtyName { slug: s.slug, name: s.name })
                        .collect(),
                    show_phone: profile.show_phone,
                    status: profile.status,
                    photo_url: profile.photo_url,
                }
            }
        }
    )*};
}

card_from!(directory, profile);
my_profile_from!(
    editor,
    save_profile,
    disable_profile,
    enable_profile,
    upload_profile_photo
);

/// A page of directory results.
#[derive(Clone, Debug, PartialEq)]
pub struct DirectoryPage {
    pub cards: Vec<TrainerCard>,
    pub total: i64,
    pub end_cursor: Option<String>,
    pub has_next: bool,
}

/// `None` for a blank box: no filter.
fn filled(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

pub async fn directory(
    query: &str,
    city: &str,
    specialty: &str,
    after: Option<String>,
) -> Result<DirectoryPage, ApiError> {
    let variables = directory::Variables {
        query: filled(query),
        city: filled(city),
        specialty: filled(specialty),
        after,
    };
    let found = run::<Directory>(variables).await?.directory;
    Ok(DirectoryPage {
        cards: found.edges.into_iter().map(|e| e.node.into()).collect(),
        total: found.total_count,
        end_cursor: found.page_info.end_cursor,
        has_next: found.page_info.has_next_page,
    })
}

/// Typeahead completions.
pub async fn suggest(prefix: &str, kind: SuggestionKind) -> Result<Vec<String>, ApiError> {
    let variables = suggest::Variables {
        prefix: prefix.to_owned(),
        kind,
    };
    Ok(run::<Suggest>(variables).await?.suggest)
}

pub async fn specialties() -> Result<Vec<SpecialtyName>, ApiError> {
    let list = run::<Specialties>(specialties::Variables).await?.specialties;
    Ok(list
        .into_iter()
        .map(|s| SpecialtyName {
            slug: s.slug,
            name: s.name,
        })
        .collect())
}

pub async fn profile(slug: &str) -> Result<TrainerCard, ApiError> {
    let variables = profile::Variables { slug: slug.to_owned() };
    Ok(run::<Profile>(variables).await?.profile.into())
}

pub async fn contact_trainer(slug: &str, name: &str, email: &str, message: &str) -> Result<(), ApiError> {
    let variables = contact_trainer::Variables {
        slug: slug.to_owned(),
        name: name.to_owned(),
        email: email.to_owned(),
        message: message.to_owned(),
    };
    run::<ContactTrainer>(variables).await?;
    Ok(())
}

/// The owner's profile editor: the profile if there is one, and the member record fields
/// that prefill a new one (P16).
#[derive(Clone, Debug, PartialEq)]
pub struct EditorData {
    pub legal_name: String,
    pub phone: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
    pub profile: Option<MyProfile>,
}

pub async fn editor_data() -> Result<Option<EditorData>, ApiError> {
    let me = run::<Editor>(editor::Variables).await?.me;
    Ok(me.map(|me| EditorData {
        legal_name: me.legal_name,
        phone: me.phone,
        city: me.address.city,
        region: me.address.region,
        country: me.address.country,
        profile: me.profile.map(Into::into),
    }))
}

/// What the editor saves.
pub type ProfileInput = save_profile::ProfileInput;

pub async fn save_profile(input: ProfileInput) -> Result<MyProfile, ApiError> {
    let data = run::<SaveProfile>(save_profile::Variables { input }).await?;
    Ok(data.save_my_profile.into())
}

/// `enabled` false hides the profile, true lists it again.
pub async fn set_profile_listed(enabled: bool) -> Result<MyProfile, ApiError> {
    if enabled {
        Ok(run::<EnableProfile>(enable_profile::Variables)
            .await?
            .enable_profile
            .into())
    } else {
        Ok(run::<DisableProfile>(disable_profile::Variables)
            .await?
            .disable_profile
            .into())
    }
}

pub async fn delete_profile(password: &str) -> Result<(), ApiError> {
    let variables = delete_profile::Variables {
        password: Some(password.to_owned()),
    };
    run::<DeleteProfile>(variables).await?;
    Ok(())
}

/// Uploads a photo by the GraphQL multipart request spec.
pub async fn upload_photo(file: web_sys::File) -> Result<MyProfile, ApiError> {
    let variables = upload_profile_photo::Variables { file: () };
    let data = run_upload::<UploadProfilePhoto>(variables, "file", &file).await?;
    Ok(data.upload_profile_photo.into())
}
