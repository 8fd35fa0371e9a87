//! The course catalogue: current courses by title, online only if asked; logged-in members
//! see the member price (P21), visitors whether one exists.

use crate::api::{self, ApiError, CourseCard, SuggestionKind, WorkshopSlot};
use crate::components::combobox::Combobox;
use crate::components::form_error::FormError;
use crate::components::login_required::LoginRequired;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Courses() -> impl IntoView {
    let session = use_session();
    let cards = RwSignal::new(Vec::<CourseCard>::new());
    let next = RwSignal::new(None::<String>);
    let online_only = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let load = move |more: bool| {
        let after = if more { next.get_untracked() } else { None };
        let (member, online) = (session.logged_in(), online_only.get_untracked());
        let text = Some(query.get_untracked()).filter(|q| !q.trim().is_empty());
        leptos::task::spawn_local(async move {
            match api::courses(member, text, online, after).await {
                Ok((found, cursor)) => {
                    error.set(None);
                    cards.update(|shown| {
                        if !more {
                            shown.clear();
                        }
                        shown.extend(found);
                    });
                    next.set(cursor);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load(false);
    view! {
        <section class="card">
            <h1>"Continuing-education courses"</h1>
            <form class="stack" role="search" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                load(false);
            }>
                <label for="courses-query">"Title, topic, code or provider"</label>
                <Combobox id="courses-query" kind=SuggestionKind::Course value=query
                    on_pick=Callback::new(move |title: String| {
                        query.set(title);
                        load(false);
                    })/>
                <button type="submit" id="courses-search">"Search"</button>
            </form>
            <label class="check">
                <input type="checkbox" id="courses-online" prop:checked=move || online_only.get()
                    on:change=move |ev| {
                        online_only.set(event_target_checked(&ev));
                        load(false);
                    }/>
                "Online only"
            </label>
            <FormError error=error id="courses-error"/>
        </section>
        <ul class="results" id="courses">
            <For each=move || cards.get() key=|c| c.code.clone() let:c>
                <li class="card result course">
                    <h2><A href=format!("/courses/{}", c.code)>{c.title.clone()}</A></h2>
                    <p class="hint">{format!("{} · {} · {} h · {} CEC{}", c.code, c.provider,
                        c.hours, c.cec, if c.online { " · online" } else { " · in person" })}</p>
                    <p>{c.description.clone()}</p>
                    <p class="price">{format!("Price: {}", c.public_price)}</p>
                    {match (c.member_price.clone(), c.has_member_price) {
                        (Some(price), true) => view! { <p class="price member-price">{format!("Your member price: {price}")}</p> }.into_any(),
                        (None, true) => view! { <p class="hint member-price"><A href="/login">"Log in"</A>" to see the member price."</p> }.into_any(),
                        _ => ().into_any(),
                    }}
                    {(!c.approved).then(|| view! { <p class="hint">"Not approved: its credit needs an approved petition."</p> })}
                </li>
            </For>
        </ul>
        <Show when=move || next.get().is_some()>
            <button type="button" class="secondary" id="courses-more" on:click=move |_| load(true)>"More courses"</button>
        </Show>
    }
}

/// One course: its facts, prices, workshops, and enrolment for members.
#[component]
pub fn CoursePage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let code = move || params.with(|p| p.get("code").unwrap_or_default());
    let course = RwSignal::new(None::<(CourseCard, Vec<WorkshopSlot>)>);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let code = code();
        leptos::task::spawn_local(async move {
            match api::course_page(code).await {
                Ok(found) => course.set(Some(found)),
                Err(e) => error.set(Some(e)),
            }
        });
    });
    let enrol = move |workshop: Option<String>| {
        let code = code();
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::enrol(code, workshop).await {
                Ok(owed) if owed.starts_with("$0.00") => notice.set(Some("You are enrolled.".to_owned())),
                Ok(owed) => notice.set(Some(format!(
                    "Added to your cart at {owed}: your place is held while you pay."
                ))),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card" id="course-page">
            {move || course.get().map(|(c, workshops)| view! {
                <h1>{c.title.clone()}</h1>
                <p class="hint">{format!("{} · {} · {} h · {} CEC", c.code, c.provider, c.hours, c.cec)}</p>
                <p>{c.description.clone()}</p>
                <p class="price">{format!("Price: {}", c.public_price)}</p>
                <h2>"Workshops"</h2>
                {if workshops.is_empty() {
                    view! { <p>"No dated sessions: this course is taken at your own pace."</p>
                        <LoginRequired><button type="button" id="enrol" on:click=move |_| enrol(None)>"Enrol"</button></LoginRequired> }.into_any()
                } else {
                    view! { <ul class="workshops" id="workshops">{workshops.into_iter().map(|w| {
                        let full = w.seats_left == 0;
                        let id = w.id.clone();
                        view! {
                            <li class="workshop">
                                {format!("{} to {}, {} · {} seats left", api::when(&w.starts_at), api::when(&w.ends_at), w.location, w.seats_left)}
                                <button type="button" class="enrol-workshop" disabled=full
                                    on:click=move |_| enrol(Some(id.clone()))>{if full { "Full" } else { "Enrol" }}</button>
                            </li>
                        }
                    }).collect_view()}</ul> }.into_any()
                }}
            })}
            <p role="status" id="enrol-notice">{move || notice.get()}</p>
            <p hidden=move || notice.get().is_none_or(|n| !n.contains("cart"))><A href="/cart" attr:id="go-to-cart">"Go to your cart"</A></p>
            <FormError error=error id="course-error"/>
        </section>
    }
}
