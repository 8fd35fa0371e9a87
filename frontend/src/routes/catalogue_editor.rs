//! `/staff/catalogue`: staff edit the catalogue (providers, courses, their workshops) and,
//! with provider accounts, record completions from a course's roster. Steering only: the
//! server refuses editing to anyone but staff, and a provider account sees the roster of
//! its own provider's courses only.

use crate::api::{self, ApiError, CourseForm, EditedCourse, EnrolmentStatus, RosterEntry};
use crate::components::field::Field;
use crate::components::form_error::FormError;
use crate::components::login_required::LoginRequired;
use leptos::prelude::*;

#[component]
pub fn CatalogueEditor() -> impl IntoView {
    view! { <LoginRequired><CatalogueEditorPage/></LoginRequired> }
}

/// A text field bound to one member of the course form.
fn text_field(
    form: RwSignal<CourseForm>,
    get: fn(&CourseForm) -> &String,
    set: fn(&mut CourseForm, String),
) -> RwSignal<String> {
    let value = RwSignal::new(String::new());
    Effect::new(move |_| value.set(form.with(|f| get(f).clone())));
    Effect::new(move |_| {
        let typed = value.get();
        form.update_untracked(|f| set(f, typed));
    });
    value
}

#[allow(clippy::too_many_lines, reason = "the `view!` template reads best in one piece")]
#[component]
fn CatalogueEditorPage() -> impl IntoView {
    let code = RwSignal::new(String::new());
    let loaded = RwSignal::new(None::<EditedCourse>);
    let roster = RwSignal::new(Vec::<RosterEntry>::new());
    let form = RwSignal::new(CourseForm::default());
    let providers = RwSignal::new(Vec::<(String, String)>::new());
    let new_provider = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let (starts, ends, location, capacity) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new("12".to_owned()),
    );
    // Today (UTC), the usual answer; staff change it for a course completed earlier.
    let today: String = js_sys::Date::new_0()
        .to_iso_string()
        .as_string()
        .unwrap_or_default()
        .chars()
        .take(10)
        .collect();
    let completed_on = RwSignal::new(today);
    let title = text_field(form, |f| &f.title, |f, v| f.title = v);
    let description = text_field(form, |f| &f.description, |f, v| f.description = v);
    let hours = text_field(form, |f| &f.hours, |f, v| f.hours = v);
    let cec = text_field(form, |f| &f.cec, |f, v| f.cec = v);
    let public_price = text_field(form, |f| &f.public_price, |f, v| f.public_price = v);
    let member_price = text_field(form, |f| &f.member_price, |f, v| f.member_price = v);

    let load_providers = move || {
        leptos::task::spawn_local(async move {
            if let Ok(list) = api::providers().await {
                providers.set(list);
            }
        });
    };
    load_providers();
    let load = move || {
        let wanted = code.get_untracked().trim().to_uppercase();
        leptos::task::spawn_local(async move {
            match api::edited_course(wanted.clone()).await {
                Ok(course) => {
                    form.set(CourseForm::from(&course));
                    loaded.set(Some(course));
                    error.set(None);
                }
                Err(e) => {
                    loaded.set(None);
                    error.set(Some(e));
                }
            }
            roster.set(api::roster_of(wanted).await.unwrap_or_default());
        });
    };
    let act = move |action: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ApiError>>>>,
                    done: &'static str| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match action.await {
                Ok(()) => {
                    notice.set(Some(done.to_owned()));
                    load();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut course = form.get_untracked();
        course.code = code.get_untracked().trim().to_uppercase();
        let new = loaded.get_untracked().is_none();
        act(Box::pin(api::save_course(course, new)), "Course saved.");
    };
    view! {
        <section class="card">
            <h1>"Catalogue"</h1>
            <p class="hint">"Load a course by its code to edit it, add workshops, or record completions; a new code creates a course."</p>
            <form class="stack" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); load(); }>
                <Field label="Course code" name="code" id="editor-code" hint="For example NUT-201." value=code error=error/>
                <button type="submit" id="editor-load">"Load"</button>
            </form>
            <p role="status" id="editor-notice">{move || notice.get()}</p>
            <FormError error=error id="editor-error"/>
        </section>
        <section class="card">
            <h2>{move || if loaded.get().is_some() { "Edit the course" } else { "New course" }}</h2>
            <form class="stack" on:submit=save novalidate>
                <label for="editor-provider">"Provider"
                    <select id="editor-provider" on:change=move |ev| form.update(|f| f.provider_slug = event_target_value(&ev))>
                        <option value="">"—"</option>
                        {move || providers.get().into_iter().map(|(slug, name)| {
                            let selected = form.with(|f| f.provider_slug == slug);
                            view! { <option value=slug.clone() selected=selected>{name}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <Field label="Title" name="title" id="editor-title" value=title error=error/>
                <Field label="Description" name="description" id="editor-description" value=description error=error/>
                <label class="check"><input type="checkbox" id="editor-online"
                    prop:checked=move || form.with(|f| f.online)
                    on:change=move |ev| form.update(|f| f.online = event_target_checked(&ev))/>"Online"</label>
                <Field label="Hours" name="hours" id="editor-hours" value=hours error=error/>
                <Field label="CEC" name="cec" id="editor-cec" hint="Empty: from the hours." value=cec error=error/>
                <label class="check"><input type="checkbox" id="editor-approved"
                    prop:checked=move || form.with(|f| f.approved)
                    on:change=move |ev| form.update(|f| f.approved = event_target_checked(&ev))/>"Approved (completion earns credit)"</label>
                <Field label="Public price" name="publicPrice" id="editor-public-price" hint="Dollars, e.g. 95.00" value=public_price error=error/>
                <Field label="Member price" name="memberPrice" id="editor-member-price" hint="Empty: none." value=member_price error=error/>
                <button type="submit" id="editor-save">"Save the course"</button>
            </form>
            <Show when=move || loaded.get().is_some_and(|c| !c.retired)>
                <button type="button" class="secondary" id="editor-retire"
                    on:click=move |_| act(Box::pin(api::retire_a_course(code.get_untracked().trim().to_uppercase())), "Course retired.")>
                    "Retire the course"</button>
            </Show>
            <form class="stack" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                let name = new_provider.get_untracked();
                act(Box::pin(async move { api::add_provider(name).await.map(|_| ()) }), "Provider added.");
                load_providers();
            }>
                <Field label="New provider" name="name" id="editor-new-provider" value=new_provider error=error/>
                <button type="submit" class="secondary">"Add the provider"</button>
            </form>
        </section>
        <Show when=move || loaded.get().is_some()>
            <section class="card">
                <h2>"Workshops"</h2>
                <ul class="workshops" id="editor-workshops">
                    {move || loaded.get().map(|c| c.workshops.into_iter().map(|w| {
                        let id = w.id.clone();
                        view! {
                            <li>{format!("{} to {}, {} · {} of {} seats left{}", w.starts_at, w.ends_at, w.location,
                                w.seats_left, w.capacity, if w.cancelled { " · cancelled" } else { "" })}
                                {(!w.cancelled).then(|| view! {
                                    <button type="button" class="secondary"
                                        on:click=move |_| act(Box::pin(api::cancel_workshop(id.clone())), "Workshop cancelled.")>"Cancel"</button>
                                })}
                            </li>
                        }
                    }).collect_view())}
                </ul>
                <form class="stack" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let seats = capacity.get_untracked().trim().parse().unwrap_or(0);
                    let (from, to, place) = (starts.get_untracked(), ends.get_untracked(), location.get_untracked());
                    let course = code.get_untracked().trim().to_uppercase();
                    act(Box::pin(async move { api::add_workshop(course, &from, &to, place, seats).await }), "Workshop added.");
                }>
                    <Field label="Starts (UTC)" name="startsAt" id="workshop-starts" kind="datetime-local" value=starts error=error/>
                    <Field label="Ends (UTC)" name="endsAt" id="workshop-ends" kind="datetime-local" value=ends error=error/>
                    <Field label="Location" name="location" id="workshop-location" value=location error=error/>
                    <Field label="Seats" name="capacity" id="workshop-capacity" kind="number" value=capacity error=error/>
                    <button type="submit" id="workshop-add">"Add the workshop"</button>
                </form>
            </section>
        </Show>
        <section class="card">
            <h2>"Enrolled members"</h2>
            <Field label="Completed on" name="completedOn" id="roster-date" kind="date" value=completed_on error=error/>
            <table id="roster">
                <thead><tr><th>"Member"</th><th>"Status"</th><th></th></tr></thead>
                <tbody>{move || roster.get().into_iter().map(|entry| {
                    let id = entry.id.clone();
                    let open = entry.status == EnrolmentStatus::ENROLLED;
                    view! {
                        <tr>
                            <td>{format!("{} ({})", entry.member_name, entry.member_number)}</td>
                            <td>{match entry.status {
                                EnrolmentStatus::AWAITING_PAYMENT => "Fee owed".to_owned(),
                                EnrolmentStatus::ENROLLED => "Enrolled".to_owned(),
                                EnrolmentStatus::COMPLETED => format!("Completed {}{}", entry.completed_on.clone().unwrap_or_default(),
                                    if entry.credited { ", credited" } else { "" }),
                                EnrolmentStatus::Other(_) => "—".to_owned(),
                            }}</td>
                            <td>{open.then(|| view! {
                                <button type="button" class="complete"
                                    on:click=move |_| act(Box::pin(api::mark_completed(id.clone(), completed_on.get_untracked())), "Completion recorded.")>
                                    "Mark completed"</button>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table>
        </section>
    }
}
