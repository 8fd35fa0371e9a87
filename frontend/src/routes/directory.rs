//! The public trainer directory: search with typeahead, filters, result cards, pagination;
//! and a trainer's public page with the contact relay form (never an e-mail address, P4).

use crate::api::{self, ApiError, DirectoryPage, SpecialtyName, SuggestionKind, TrainerCard};
use crate::components::combobox::Combobox;
use crate::components::field::Field;
use crate::components::form_error::{FieldError, FormError};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

// Most of its length is the `view!` template, which reads best in one piece.
#[allow(clippy::too_many_lines, reason = "the `view!` template reads best in one piece")]
#[component]
pub fn Directory() -> impl IntoView {
    let query = RwSignal::new(String::new());
    let city = RwSignal::new(String::new());
    let specialty = RwSignal::new(String::new());
    let specialties = RwSignal::new(Vec::<SpecialtyName>::new());
    let page = RwSignal::new(None::<DirectoryPage>);
    let error = RwSignal::new(None::<ApiError>);
    let loading = RwSignal::new(false);

    leptos::task::spawn_local(async move {
        if let Ok(list) = api::specialties().await {
            specialties.set(list);
        }
    });

    // Runs a search; `more` appends the next page to the current one.
    let run = move |more: bool| {
        let after = if more {
            page.get_untracked().and_then(|p| p.end_cursor)
        } else {
            None
        };
        let (q, c, s) = (query.get_untracked(), city.get_untracked(), specialty.get_untracked());
        loading.set(true);
        leptos::task::spawn_local(async move {
            let result = api::directory(&q, &c, &s, after).await;
            loading.set(false);
            match result {
                Ok(next) => {
                    error.set(None);
                    page.update(|current| match current {
                        Some(shown) if more => {
                            shown.cards.extend(next.cards);
                            shown.end_cursor = next.end_cursor;
                            shown.has_next = next.has_next;
                        }
                        _ => *current = Some(next),
                    });
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    run(false);

    view! {
        <section class="card">
            <h1>"Find a certified trainer"</h1>
            <form class="stack" role="search" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                run(false);
            }>
                <label for="directory-query">"Name, city, specialty or keyword"</label>
                <Combobox id="directory-query" kind=SuggestionKind::Name value=query
                    on_pick=Callback::new(move |name: String| {
                        query.set(name);
                        run(false);
                    })/>
                <label for="directory-city">
                    "City"
                    <input id="directory-city" autocomplete="address-level2"
                        prop:value=move || city.get() on:input=move |ev| city.set(event_target_value(&ev))/>
                </label>
                <label for="directory-specialty">
                    "Specialty"
                    <select id="directory-specialty" on:change=move |ev| {
                        specialty.set(event_target_value(&ev));
                        run(false);
                    }>
                        <option value="">"Any specialty"</option>
                        <For each=move || specialties.get() key=|s| s.slug.clone() let:s>
                            <option value=s.slug.clone()>{s.name.clone()}</option>
                        </For>
                    </select>
                </label>
                <button type="submit" id="directory-search">"Search"</button>
            </form>
        </section>
        <section aria-live="polite">
            <FormError error=error id="directory-error"/>
            {move || page.get().map(|p| view! {
                <p class="hint" id="result-count">{format!("{} trainer(s) found", p.total)}</p>
                {if p.cards.is_empty() {
                    view! { <p class="card" id="no-results">"No trainer matches. Try fewer words or another city."</p> }.into_any()
                } else {
                    view! { <ul class="results">{p.cards.into_iter().map(|c| view! { <Card card=c/> }).collect_view()}</ul> }.into_any()
                }}
                <Show when=move || page.get().is_some_and(|p| p.has_next)>
                    <button class="secondary" id="load-more" disabled=move || loading.get() on:click=move |_| run(true)>
                        "More trainers"
                    </button>
                </Show>
            })}
        </section>
    }
}

#[component]
fn Card(card: TrainerCard) -> impl IntoView {
    let href = format!("/trainers/{}", card.slug);
    let specialties = card
        .specialties
        .iter()
        .map(|s| s.name.clone())
        .collect::<Vec<_>>()
        .join(" · ");
    let where_ = place(&card);
    let name = card.display_name;
    view! {
        <li class="card result">
            <h2><A href=href>{name}</A></h2>
            <p class="hint">{where_}</p>
            <p>{specialties}</p>
        </li>
    }
}

fn place(card: &TrainerCard) -> String {
    [card.city.as_str(), card.region.as_str(), card.country.as_str()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

#[component]
pub fn TrainerPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let card = RwSignal::new(None::<TrainerCard>);
    let error = RwSignal::new(None::<ApiError>);
    Effect::new(move |_| {
        let slug = slug();
        leptos::task::spawn_local(async move {
            match api::profile(&slug).await {
                Ok(found) => card.set(Some(found)),
                Err(e) => error.set(Some(e)),
            }
        });
    });
    view! {
        {move || error.get().map(|e| view! {
            <section class="card"><h1>"Trainer not found"</h1><p>{e.summary()}</p><A href="/trainers">"Back to the directory"</A></section>
        })}
        {move || card.get().map(|c| view! { <Profile card=c/> })}
    }
}

#[component]
fn Profile(card: TrainerCard) -> impl IntoView {
    let slug = card.slug.clone();
    let where_ = place(&card);
    let photo_alt = format!("Photo of {}", card.display_name);
    view! {
        <article class="card" id="trainer-profile">
            <h1 id="trainer-name">{card.display_name.clone()}</h1>
            {card.photo_url.clone().map(|url| view! { <img class="photo" src=url alt=photo_alt.clone()/> })}
            <p class="hint">{where_}</p>
            <dl class="facts">
                <dt>"Specialties"</dt>
                <dd>{card.specialties.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ")}</dd>
                <dt>"Languages"</dt>
                <dd>{card.languages.join(", ")}</dd>
                <dt>"Certification"</dt>
                <dd>{card.certification_status.label()}</dd>
                {card.phone.clone().map(|phone| view! { <dt>"Phone"</dt><dd id="trainer-phone">{phone}</dd> })}
            </dl>
            <p>{card.bio.clone()}</p>
        </article>
        <ContactForm slug=slug/>
    }
}

/// The relay form: the message reaches the trainer by e-mail; their address is never shown.
#[component]
fn ContactForm(slug: String) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let message = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let sent = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let slug = slug.clone();
        let (n, e, m) = (name.get(), email.get(), message.get());
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api::contact_trainer(&slug, &n, &e, &m).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    error.set(None);
                    sent.set(true);
                    name.set(String::new());
                    email.set(String::new());
                    message.set(String::new());
                }
                Err(err) => error.set(Some(err)),
            }
        });
    };
    view! {
        <section class="card">
            <h2>"Contact this trainer"</h2>
            <p class="hint">"We pass your message on by e-mail; the trainer replies to you directly. We keep your IP address with the message."</p>
            <Show when=move || sent.get()>
                <p id="contact-sent" role="status">"Your message was sent."</p>
            </Show>
            <form class="stack" on:submit=submit novalidate>
                <Field label="Your name" name="senderName" id="contact-name" autocomplete="name" value=name error=error/>
                <Field label="Your e-mail address" name="senderEmail" id="contact-email" kind="email" autocomplete="email" value=email error=error/>
                <label for="contact-message">
                    "Message"
                    <textarea id="contact-message" rows="5" prop:value=move || message.get()
                        on:input=move |ev| message.set(event_target_value(&ev))></textarea>
                    <FieldError error=error name="message"/>
                </label>
                <FormError error=error fields=&["senderName", "senderEmail", "message"]/>
                <button type="submit" id="contact-send" disabled=move || busy.get()>"Send message"</button>
            </form>
        </section>
    }
}
