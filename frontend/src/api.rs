//! The typed GraphQL client every page uses. One `request` function does the transport
//! (POST /graphql, bearer token from `sessionStorage`); each operation below is a typed
//! function with its query text and result type.

use crate::session::stored_token;
use gloo_net::http::Request;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shared::ErrorCode;

/// A failed call, as the pages show it.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// `None` when the server could not be reached or answered something unexpected.
    pub code: Option<ErrorCode>,
    pub message: String,
    /// The input field a `VALIDATION` or `CONFLICT` error is about.
    pub field: Option<String>,
}

impl ApiError {
    fn network(message: impl Into<String>) -> Self {
        Self {
            code: None,
            message: message.into(),
            field: None,
        }
    }

    pub fn is_unauthenticated(&self) -> bool {
        self.code == Some(ErrorCode::Unauthenticated)
    }

    /// The message for `field`, when this error is about it.
    pub fn for_field(&self, field: &str) -> Option<String> {
        (self.field.as_deref() == Some(field)).then(|| self.message.clone())
    }

    /// A sentence for the top of a form.
    pub fn summary(&self) -> String {
        match self.code {
            None => format!(
                "Could not reach the server ({}). Check your connection and try again.",
                self.message
            ),
            Some(ErrorCode::Internal) => "Something went wrong on our side. Please try again later.".to_owned(),
            Some(_) => self.message.clone(),
        }
    }
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: Option<T>,
    #[serde(default)]
    errors: Vec<WireError>,
}

#[derive(Deserialize)]
struct WireError {
    message: String,
    #[serde(default)]
    extensions: Option<WireExtensions>,
}

#[derive(Deserialize)]
struct WireExtensions {
    code: Option<String>,
    field: Option<String>,
}

impl From<WireError> for ApiError {
    fn from(e: WireError) -> Self {
        let ext = e.extensions;
        Self {
            code: ext.as_ref().and_then(|x| x.code.as_deref()).and_then(ErrorCode::parse),
            field: ext.and_then(|x| x.field),
            message: e.message,
        }
    }
}

#[derive(Serialize)]
struct Body<'a> {
    query: &'a str,
    variables: Value,
}

/// A POST to `/graphql` carrying the session's bearer token, if any.
fn authorized() -> gloo_net::http::RequestBuilder {
    let builder = Request::post("/graphql").header("Accept", "application/json");
    match stored_token() {
        Some(token) => builder.header("Authorization", &format!("Bearer {token}")),
        None => builder,
    }
}

/// Sends a prepared request and decodes `data` into `T`; the first error wins.
async fn send<T: DeserializeOwned>(request: gloo_net::http::Request) -> Result<T, ApiError> {
    let response = request.send().await.map_err(|e| ApiError::network(e.to_string()))?;
    let envelope: Envelope<T> = response.json().await.map_err(|e| ApiError::network(e.to_string()))?;
    if let Some(first) = envelope.errors.into_iter().next() {
        return Err(first.into());
    }
    envelope
        .data
        .ok_or_else(|| ApiError::network("the answer held no data"))
}

/// Sends one operation and decodes `data` into `T`.
async fn request<T: DeserializeOwned>(query: &str, variables: Value) -> Result<T, ApiError> {
    let request = authorized()
        .json(&Body { query, variables })
        .map_err(|e| ApiError::network(e.to_string()))?;
    send(request).await
}

/// What `login` and `renewToken` return.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub token: String,
    pub expires_at: String,
}

/// What `register` and `resendConfirmation` answer, whatever the address.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct CheckYourInbox {
    pub message: String,
}

/// Starts an account; the answer is the same whether or not the address is known.
pub async fn register(email: &str, password: &str, legal_name: &str) -> Result<CheckYourInbox, ApiError> {
    #[derive(Deserialize)]
    struct Data {
        register: CheckYourInbox,
    }
    let data: Data = request(
        "mutation Register($input: RegisterInput!) { register(input: $input) { message } }",
        json!({ "input": { "email": email, "password": password, "legalName": legal_name } }),
    )
    .await?;
    Ok(data.register)
}

/// Confirms an address with the token of its link and the registration's password, and
/// logs in.
pub async fn confirm_email(token: &str, password: &str) -> Result<Session, ApiError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Data {
        confirm_email: Session,
    }
    let data: Data = request(
        "mutation ConfirmEmail($token: String!, $password: String!) { confirmEmail(token: $token, password: $password) { token expiresAt } }",
        json!({ "token": token, "password": password }),
    )
    .await?;
    Ok(data.confirm_email)
}

/// Asks for a new confirmation link.
pub async fn resend_confirmation(email: &str) -> Result<CheckYourInbox, ApiError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Data {
        resend_confirmation: CheckYourInbox,
    }
    let data: Data = request(
        "mutation ResendConfirmation($email: String!) { resendConfirmation(email: $email) { message } }",
        json!({ "email": email }),
    )
    .await?;
    Ok(data.resend_confirmation)
}

pub async fn login(email: &str, password: &str) -> Result<Session, ApiError> {
    #[derive(Deserialize)]
    struct Data {
        login: Session,
    }
    let data: Data = request(
        "mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { token expiresAt } }",
        json!({ "email": email, "password": password }),
    )
    .await?;
    Ok(data.login)
}

pub async fn renew_token() -> Result<Session, ApiError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Data {
        renew_token: Session,
    }
    let data: Data = request("mutation Renew { renewToken { token expiresAt } }", json!({})).await?;
    Ok(data.renew_token)
}

pub async fn logout() -> Result<(), ApiError> {
    let _: Value = request("mutation Logout { logout }", json!({})).await?;
    Ok(())
}

/// The member's own record, as "my account" shows it.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct MyAccount {
    pub member_number: String,
    pub email: String,
    pub legal_name: String,
    pub role: String,
    pub login_history: Connection<LoginEvent>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Connection<T> {
    pub edges: Vec<Edge<T>>,
    pub page_info: PageInfo,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Edge<T> {
    pub node: T,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LoginEvent {
    pub id: String,
    pub occurred_at: String,
    pub kind: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

pub async fn my_account() -> Result<Option<MyAccount>, ApiError> {
    #[derive(Deserialize)]
    struct Data {
        me: Option<MyAccount>,
    }
    let data: Data = request(
        "query MyAccount { me { memberNumber email legalName role \
         loginHistory(first: 20) { edges { node { id occurredAt kind ip userAgent } } pageInfo { hasNextPage } } } }",
        json!({}),
    )
    .await?;
    Ok(data.me)
}

/// One directory result or a public profile: never an e-mail, a phone only when showcased.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
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
    pub certification_status: String,
    pub specialties: Vec<SpecialtyName>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct SpecialtyName {
    pub slug: String,
    pub name: String,
}

const CARD_FIELDS: &str =
    "slug displayName city region country bio languages phone photoUrl certificationStatus specialties { slug name }";

/// A page of directory results.
#[derive(Clone, Debug, PartialEq)]
pub struct DirectoryPage {
    pub cards: Vec<TrainerCard>,
    pub total: u64,
    pub end_cursor: Option<String>,
    pub has_next: bool,
}

pub async fn directory(
    query: &str,
    city: &str,
    specialty: &str,
    after: Option<String>,
) -> Result<DirectoryPage, ApiError> {
    #[derive(Deserialize)]
    struct Data {
        directory: Wire,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Wire {
        total_count: u64,
        edges: Vec<Edge<TrainerCard>>,
        page_info: WirePageInfo,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct WirePageInfo {
        has_next_page: bool,
        end_cursor: Option<String>,
    }
    let blank_to_null = |s: &str| {
        if s.trim().is_empty() { Value::Null } else { json!(s) }
    };
    let data: Data = request(
        &format!(
            "query Directory($q: String, $city: String, $specialty: String, $after: String) {{ \
             directory(query: $q, city: $city, specialty: $specialty, first: 20, after: $after) {{ \
             totalCount edges {{ node {{ {CARD_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
        ),
        json!({ "q": blank_to_null(query), "city": blank_to_null(city), "specialty": blank_to_null(specialty), "after": after }),
    )
    .await?;
    Ok(DirectoryPage {
        cards: data.directory.edges.into_iter().map(|e| e.node).collect(),
        total: data.directory.total_count,
        end_cursor: data.directory.page_info.end_cursor,
        has_next: data.directory.page_info.has_next_page,
    })
}

/// Typeahead completions; `kind` is `NAME`, `CITY` or `SPECIALTY`.
pub async fn suggest(prefix: &str, kind: &str) -> Result<Vec<String>, ApiError> {
    #[derive(Deserialize)]
    struct Data {
        suggest: Vec<String>,
    }
    let data: Data = request(
        "query Suggest($p: String!, $k: SuggestionKind!) { suggest(prefix: $p, kind: $k, first: 8) }",
        json!({ "p": prefix, "k": kind }),
    )
    .await?;
    Ok(data.suggest)
}

pub async fn specialties() -> Result<Vec<SpecialtyName>, ApiError> {
    #[derive(Deserialize)]
    struct Data {
        specialties: Vec<SpecialtyName>,
    }
    let data: Data = request("query Specialties { specialties { slug name } }", json!({})).await?;
    Ok(data.specialties)
}

pub async fn profile(slug: &str) -> Result<TrainerCard, ApiError> {
    #[derive(Deserialize)]
    struct Data {
        profile: TrainerCard,
    }
    let data: Data = request(
        &format!("query Profile($slug: String!) {{ profile(slug: $slug) {{ {CARD_FIELDS} }} }}"),
        json!({ "slug": slug }),
    )
    .await?;
    Ok(data.profile)
}

pub async fn contact_trainer(slug: &str, name: &str, email: &str, message: &str) -> Result<(), ApiError> {
    let _: Value = request(
        "mutation Contact($slug: String!, $name: String!, $email: String!, $message: String!) { \
         contactTrainer(profileSlug: $slug, senderName: $name, senderEmail: $email, message: $message) }",
        json!({ "slug": slug, "name": name, "email": email, "message": message }),
    )
    .await?;
    Ok(())
}

/// The owner's profile editor: the profile if there is one, and the member record fields
/// that prefill a new one (P16).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EditorData {
    pub legal_name: String,
    pub phone: Option<String>,
    pub address: EditorAddress,
    pub profile: Option<MyProfile>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EditorAddress {
    pub city: Option<String>,
    pub region: Option<String>,
    pub country: Option<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
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
    pub status: String,
    pub photo_url: Option<String>,
}

const MY_PROFILE_FIELDS: &str =
    "slug displayName city region country bio languages specialties { slug name } showPhone status photoUrl";

pub async fn editor_data() -> Result<Option<EditorData>, ApiError> {
    #[derive(Deserialize)]
    struct Data {
        me: Option<EditorData>,
    }
    let data: Data = request(
        &format!(
            "query Editor {{ me {{ legalName phone address {{ city region country }} profile {{ {MY_PROFILE_FIELDS} }} }} }}"
        ),
        json!({}),
    )
    .await?;
    Ok(data.me)
}

/// What the editor saves.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileInput {
    pub display_name: String,
    pub city: String,
    pub region: String,
    pub country: String,
    pub bio: String,
    pub languages: Vec<String>,
    pub specialties: Vec<String>,
    pub show_phone: bool,
}

pub async fn save_profile(input: &ProfileInput) -> Result<MyProfile, ApiError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Data {
        save_my_profile: MyProfile,
    }
    let data: Data = request(
        &format!("mutation Save($i: ProfileInput!) {{ saveMyProfile(input: $i) {{ {MY_PROFILE_FIELDS} }} }}"),
        json!({ "i": input }),
    )
    .await?;
    Ok(data.save_my_profile)
}

/// `enabled` false hides the profile, true lists it again.
pub async fn set_profile_listed(enabled: bool) -> Result<MyProfile, ApiError> {
    let field = if enabled { "enableProfile" } else { "disableProfile" };
    let data: Value = request(
        &format!("mutation Listing {{ {field} {{ {MY_PROFILE_FIELDS} }} }}"),
        json!({}),
    )
    .await?;
    serde_json::from_value(data[field].clone()).map_err(|e| ApiError::network(e.to_string()))
}

pub async fn delete_profile(password: &str) -> Result<(), ApiError> {
    let _: Value = request(
        "mutation Delete($p: String) { deleteProfile(password: $p) }",
        json!({ "p": password }),
    )
    .await?;
    Ok(())
}

/// Uploads a photo by the GraphQL multipart request spec.
pub async fn upload_photo(file: web_sys::File) -> Result<MyProfile, ApiError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Data {
        upload_profile_photo: MyProfile,
    }
    let fail = |e: wasm_bindgen::JsValue| ApiError::network(format!("{e:?}"));
    let form = web_sys::FormData::new().map_err(fail)?;
    let operations = json!({
        "query": format!("mutation Upload($f: Upload!) {{ uploadProfilePhoto(file: $f) {{ {MY_PROFILE_FIELDS} }} }}"),
        "variables": { "f": null },
    });
    form.append_with_str("operations", &operations.to_string())
        .map_err(fail)?;
    form.append_with_str("map", r#"{"0":["variables.f"]}"#).map_err(fail)?;
    form.append_with_blob_and_filename("0", &file, &file.name())
        .map_err(fail)?;
    let request = authorized().body(form).map_err(|e| ApiError::network(e.to_string()))?;
    let data: Data = send(request).await?;
    Ok(data.upload_profile_photo)
}
