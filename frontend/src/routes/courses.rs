//! The course catalogue: current courses by title, online only if asked; logged-in members
//! see the member price (P21), visitors whether one exists.

use crate::api::{self, ApiError, CourseCard};
use crate::components::form_error::FormError;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Courses() -> impl IntoView {
    let session = use_session();
    let cards = RwSignal::new(Vec::<CourseCard>::new());
    let next = RwSignal::new(None::<String>);
    let online_only = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let load = move |more: bool| {
        let after = if more { next.get_untracked() } else { None };
        let (member, online) = (session.logged_in(), online_only.get_untracked());
        leptos::task::spawn_local(async move {
            match api::courses(member, online, after).await {
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
                    <h2>{c.title.clone()}</h2>
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
