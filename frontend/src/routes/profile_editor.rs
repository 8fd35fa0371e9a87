//! The owner's profile editor: every field, prefilled from the member record when the
//! profile is new (P16); city typeahead; the phone showcase toggle (P5); photo upload with
//! a preview; hide/show (P6) and delete with password confirmation (P7).

use crate::api::{self, ApiError, EditorData, MyProfile, ProfileInput, SpecialtyName, SuggestionKind};
use crate::components::combobox::Combobox;
use crate::components::field::Field;
use crate::components::form_error::{FieldError, FormError};
use crate::components::login_required::{LoginRequired, session_ended};
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use wasm_bindgen::JsCast;

/// The form's state, one signal per field.
#[derive(Clone, Copy)]
struct Form {
    display_name: RwSignal<String>,
    city: RwSignal<String>,
    region: RwSignal<String>,
    country: RwSignal<String>,
    bio: RwSignal<String>,
    languages: RwSignal<String>,
    specialties: RwSignal<Vec<String>>,
    show_phone: RwSignal<bool>,
}

impl Form {
    fn new() -> Self {
        Self {
            display_name: RwSignal::new(String::new()),
            city: RwSignal::new(String::new()),
            region: RwSignal::new(String::new()),
            country: RwSignal::new(String::new()),
            bio: RwSignal::new(String::new()),
            languages: RwSignal::new(String::new()),
            specialties: RwSignal::new(Vec::new()),
            show_phone: RwSignal::new(false),
        }
    }

    /// Fills the form from the saved profile, or from the member record for a new one.
    fn load(&self, data: &EditorData) {
        if let Some(p) = &data.profile {
            self.show(p);
        } else {
            self.display_name.set(data.legal_name.clone());
            self.city.set(data.city.clone().unwrap_or_default());
            self.region.set(data.region.clone().unwrap_or_default());
            self.country.set(data.country.clone().unwrap_or_default());
        }
    }

    fn show(&self, p: &MyProfile) {
        self.display_name.set(p.display_name.clone());
        self.city.set(p.city.clone());
        self.region.set(p.region.clone());
        self.country.set(p.country.clone());
        self.bio.set(p.bio.clone());
        self.languages.set(p.languages.join(", "));
        self.specialties
            .set(p.specialties.iter().map(|s| s.slug.clone()).collect());
        self.show_phone.set(p.show_phone);
    }

    fn input(&self) -> ProfileInput {
        ProfileInput {
            // The address stays as it is (`None`), or as the server chose it the first time.
            slug: None,
            display_name: self.display_name.get_untracked(),
            city: self.city.get_untracked(),
            region: self.region.get_untracked(),
            country: self.country.get_untracked(),
            bio: self.bio.get_untracked(),
            languages: self
                .languages
                .get_untracked()
                .split(',')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            specialties: self.specialties.get_untracked(),
            show_phone: self.show_phone.get_untracked(),
        }
    }
}

#[component]
pub fn ProfileEditor() -> impl IntoView {
    view! { <LoginRequired><EditorPage/></LoginRequired> }
}

#[allow(clippy::too_many_lines, reason = "the `view!` template reads best in one piece")]
#[component]
fn EditorPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let form = Form::new();
    let saved = RwSignal::new(None::<MyProfile>);
    let record_phone = RwSignal::new(None::<String>);
    let all_specialties = RwSignal::new(Vec::<SpecialtyName>::new());
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let preview = RwSignal::new(None::<String>);
    let password = RwSignal::new(String::new());

    leptos::task::spawn_local(async move {
        if let Ok(list) = api::specialties().await {
            all_specialties.set(list);
        }
        match api::editor_data().await {
            Ok(Some(data)) => {
                form.load(&data);
                record_phone.set(data.phone.clone());
                saved.set(data.profile);
            }
            Ok(None) => {}
            Err(e) if e.is_unauthenticated() => session_ended(session, &navigate, "/account/profile"),
            Err(e) => error.set(Some(e)),
        }
    });

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = form.input();
        leptos::task::spawn_local(async move {
            match api::save_profile(input).await {
                Ok(profile) => {
                    error.set(None);
                    notice.set(Some("Profile saved."));
                    form.show(&profile);
                    saved.set(Some(profile));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let on_photo = move |ev: leptos::ev::Event| {
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let Some(file) = input.and_then(|i| i.files()).and_then(|files| files.get(0)) else {
            return;
        };
        preview.set(web_sys::Url::create_object_url_with_blob(&file).ok());
        leptos::task::spawn_local(async move {
            match api::upload_photo(file).await {
                Ok(profile) => {
                    notice.set(Some("Photo saved."));
                    saved.set(Some(profile));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let set_listed = move |enabled: bool| {
        leptos::task::spawn_local(async move {
            match api::set_profile_listed(enabled).await {
                Ok(profile) => {
                    notice.set(Some(if enabled {
                        "Your profile is listed again."
                    } else {
                        "Your profile is hidden."
                    }));
                    saved.set(Some(profile));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let delete = move |_| {
        let confirmed = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message("Delete your public profile and photo for good?")
                    .ok()
            })
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        let typed = password.get_untracked();
        leptos::task::spawn_local(async move {
            match api::delete_profile(&typed).await {
                Ok(()) => {
                    password.set(String::new());
                    saved.set(None);
                    notice.set(Some("Your profile was deleted. Your membership is unchanged."));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    // Specialties come from the managed list: typed text is completed by
    // `suggest(kind: SPECIALTY)` and a completion is added as a removable chip.
    let specialty_text = RwSignal::new(String::new());
    let add_specialty = move |name: String| {
        let wanted = shared::validate::fold(name.trim());
        let found = all_specialties
            .get_untracked()
            .into_iter()
            .find(|s| shared::validate::fold(&s.name) == wanted);
        if let Some(specialty) = found {
            form.specialties.update(|chosen| {
                if !chosen.contains(&specialty.slug) && chosen.len() < shared::validate::MAX_PROFILE_SPECIALTIES {
                    chosen.push(specialty.slug);
                }
            });
            specialty_text.set(String::new());
        }
    };
    let specialty_name = move |slug: &str| {
        all_specialties
            .get()
            .into_iter()
            .find(|s| s.slug == slug)
            .map_or_else(|| slug.to_owned(), |s| s.name)
    };

    view! {
        <section class="card">
            <h1>"My public profile"</h1>
            <p class="hint">
                "What anyone can see in the directory. Your e-mail address is never shown; visitors write to you through a form. "
                {move || saved.get().map(|p| view! { <A href=format!("/trainers/{}", p.slug)>"See your public page"</A> })}
            </p>
            <p role="status" id="editor-notice">{move || notice.get()}</p>
            <form class="stack" on:submit=save novalidate>
                <Field label="Display name" name="displayName" id="profile-name" value=form.display_name error=error/>
                <div class="field">
                    <label for="profile-city">"City"</label>
                    <Combobox id="profile-city" kind=SuggestionKind::City value=form.city autocomplete="address-level2"
                        described_by="profile-city-error" on_pick=Callback::new(move |city: String| form.city.set(city))/>
                    <FieldError error=error name="city" id="profile-city-error"/>
                </div>
                <Field label="Province or region" name="region" id="profile-region" autocomplete="address-level1" value=form.region error=error/>
                <Field label="Country" name="country" id="profile-country" autocomplete="country-name" value=form.country error=error/>
                <Field label="Languages" name="languages" id="profile-languages" hint="Separated by commas." value=form.languages error=error/>
                <fieldset>
                    <legend>"Specialties (up to 8)"</legend>
                    <ul class="chips" id="profile-specialties">
                        <For each=move || form.specialties.get() key=|slug| slug.clone() let:slug>
                            <li class="chip">
                                <span>{
                                    let slug = slug.clone();
                                    move || specialty_name(&slug)
                                }</span>
                                <button type="button" class="secondary"
                                    aria-label={
                                        let slug = slug.clone();
                                        move || format!("Remove {}", specialty_name(&slug))
                                    }
                                    on:click={
                                        let slug = slug.clone();
                                        move |_| form.specialties.update(|chosen| chosen.retain(|s| *s != slug))
                                    }>"×"</button>
                            </li>
                        </For>
                    </ul>
                    <label for="profile-specialty">"Add a specialty"</label>
                    <Combobox id="profile-specialty" kind=SuggestionKind::Specialty value=specialty_text
                        min_chars=1 enter_picks_first=true placeholder="Start typing, e.g. yoga"
                        on_pick=Callback::new(add_specialty)/>
                    <FieldError error=error name="specialties"/>
                </fieldset>
                <label for="profile-bio">
                    "About you"
                    <textarea id="profile-bio" rows="6" prop:value=move || form.bio.get()
                        on:input=move |ev| form.bio.set(event_target_value(&ev))></textarea>
                </label>
                <label class="check">
                    <input type="checkbox" id="profile-show-phone" prop:checked=move || form.show_phone.get()
                        on:change=move |ev| form.show_phone.set(event_target_checked(&ev))/>
                    {move || match record_phone.get() {
                        Some(phone) => format!("Show my phone number ({phone}) on my public profile"),
                        None => "Show my phone number on my public profile (add one to your member record first)".to_owned(),
                    }}
                </label>
                <FormError error=error fields=&["displayName", "city", "region", "country", "languages", "specialties"]/>
                <button type="submit" id="profile-save">"Save profile"</button>
            </form>
        </section>
        <Show when=move || saved.get().is_some()>
            <section class="card">
                <h2>"Photo"</h2>
                {move || preview.get().or_else(|| saved.get().and_then(|p| p.photo_url)).map(|src| view! { <img class="photo" id="photo-preview" src=src alt="Your profile photo"/> })}
                <label for="profile-photo">
                    "Upload a photo (PNG, JPEG or WebP, at most 5 MiB)"
                    <input id="profile-photo" type="file" accept="image/png,image/jpeg,image/webp" on:change=on_photo/>
                </label>
            </section>
            <section class="card">
                <h2>"Listing"</h2>
                {move || {
                    let listed = saved.get().is_some_and(|p| p.status == api::ProfileStatus::Active);
                    if listed {
                        view! {
                            <p>"Your profile is listed. Hiding it removes it from search and its page, and keeps its place for when you come back."</p>
                            <button class="secondary" id="profile-hide" on:click=move |_| set_listed(false)>"Hide my profile"</button>
                        }.into_any()
                    } else {
                        view! {
                            <p>"Your profile is hidden."</p>
                            <button id="profile-show" on:click=move |_| set_listed(true)>"List my profile again"</button>
                        }.into_any()
                    }
                }}
                <h3>"Delete"</h3>
                <p class="hint">"Deletes the profile and its photo for good. Your membership, certification and credits stay."</p>
                <Field label="Your password, to confirm" name="password" id="profile-delete-password" kind="password"
                    autocomplete="current-password" value=password error=error/>
                <button class="secondary" id="profile-delete" on:click=delete>"Delete my profile"</button>
            </section>
        </Show>
    }
}
