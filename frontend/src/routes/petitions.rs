//! Petitions (P22). On "my account": the member's petitions with their state, the answer
//! box when the reviewer asked something, and the form to file one with evidence, which
//! starts from one of their enrolments in a course that is not approved (P16). At
//! `/staff/petitions`: the review queue with the evidence viewer and the three decisions.

use crate::api::{
    self, ApiError, Decision, NewPetition, PetitionSource, PetitionStatus, PetitionSummary, QueuedPetition,
};
use crate::components::field::Field;
use crate::components::form_error::FormError;
use crate::components::login_required::LoginRequired;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The member's petitions and the form to file one.
#[allow(clippy::too_many_lines, reason = "the `view!` template reads best in one piece")]
#[component]
pub fn MyPetitions() -> impl IntoView {
    let petitions = RwSignal::new(Vec::<PetitionSummary>::new());
    let sources = RwSignal::new(Vec::<PetitionSource>::new());
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let (title, provider, completed_on, hours, cec) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    // A file is not `Send`: the signal lives on this (the only) thread.
    let evidence = RwSignal::new_local(None::<web_sys::File>);
    let busy = RwSignal::new(false);
    let load = move || {
        leptos::task::spawn_local(async move {
            match api::my_petitions().await {
                Ok((list, from)) => {
                    petitions.set(list);
                    sources.set(from);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load();
    let start_from = move |ev: leptos::ev::Event| {
        let code = event_target_value(&ev);
        if let Some(source) = sources.get_untracked().into_iter().find(|s| s.course_code == code) {
            title.set(source.course_title.clone());
            hours.set(source.course_hours.clone());
            completed_on.set(source.completed_on.clone().unwrap_or_default());
            provider.set(String::new());
        }
    };
    let on_file = move |ev: leptos::ev::Event| {
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        let file = input.and_then(|i| i.files()).and_then(|files| files.get(0));
        evidence.set(file);
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        notice.set(None);
        let Some(file) = evidence.get_untracked() else {
            error.set(Some(ApiError::from(shared::FieldError::new(
                "evidence",
                "Attach the certificate or transcript (PDF, PNG or JPEG).",
            ))));
            return;
        };
        let petition = NewPetition {
            title: title.get_untracked(),
            provider_name: provider.get_untracked(),
            completed_on: completed_on.get_untracked(),
            hours: hours.get_untracked(),
            requested_cec: cec.get_untracked(),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::file_petition(petition, file).await {
                Ok(()) => {
                    notice.set(Some("Petition filed: it reaches the reviewers once its fee is paid."));
                    for field in [title, provider, completed_on, hours, cec] {
                        field.set(String::new());
                    }
                    evidence.set(None);
                    load();
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let evidence_error = move || error.get().and_then(|e| e.for_field("evidence"));
    view! {
        <section class="card" id="petitions">
            <h2>"Petitions"</h2>
            <p class="hint">"A course that is not approved earns credit through a petition: at most 0.7 CEC, filed within 6 months of completing it, with the certificate as evidence and a review fee."</p>
            <p role="status" id="petition-notice">{move || notice.get()}</p>
            <ul class="petitions" id="petition-list">
                {move || petitions.get().into_iter().map(|p| view! { <PetitionItem petition=p reload=load/> }).collect_view()}
            </ul>
            <h3>"File a petition"</h3>
            <form class="stack" on:submit=submit novalidate id="petition-form">
                <Show when=move || !sources.get().is_empty()>
                    <label for="petition-from">"Start from one of my courses"
                        <select id="petition-from" on:change=start_from>
                            <option value="">"—"</option>
                            {move || sources.get().into_iter().map(|s| view! {
                                <option value=s.course_code.clone()>{s.course_title.clone()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </Show>
                <Field label="Course title" name="title" id="petition-title" value=title error=error/>
                <Field label="Given by" name="providerName" id="petition-provider" value=provider error=error/>
                <Field label="Completed on" name="completedOn" id="petition-completed" kind="date" value=completed_on error=error/>
                <Field label="Hours" name="hours" id="petition-hours" hint="For example 7.0" value=hours error=error/>
                <Field label="CEC asked for" name="requestedCec" id="petition-cec" hint="0.1 to 0.7" value=cec error=error/>
                <label for="petition-evidence">"Evidence"<span class="hint">"PDF, PNG or JPEG, at most 10 MiB"</span>
                    <input id="petition-evidence" name="evidence" type="file" accept="application/pdf,image/png,image/jpeg"
                        on:change=on_file aria-describedby="petition-evidence-error"/>
                    <span class="field-error" id="petition-evidence-error" role="alert">{evidence_error}</span>
                </label>
                <FormError error=error fields=&["title", "providerName", "completedOn", "hours", "requestedCec", "evidence"] id="petition-error"/>
                <button type="submit" id="petition-submit" disabled=move || busy.get()>"File the petition"</button>
            </form>
        </section>
    }
}

/// One of the member's petitions; the answer box when the reviewer asked a question.
#[component]
fn PetitionItem(petition: PetitionSummary, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let answer = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let id = petition.id.clone();
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (id, text) = (id.clone(), answer.get_untracked());
        leptos::task::spawn_local(async move {
            match api::answer_petition(id, text).await {
                Ok(()) => reload(),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let asking = petition.status == PetitionStatus::NeedsInformation;
    let granted = petition.granted_cec.clone();
    view! {
        <li class="petition">
            <strong class="petition-title">{petition.title.clone()}</strong>
            " — " {petition.provider_name.clone()} ", " {petition.completed_on.clone()}
            <div>
                <span class="petition-state">{petition.status.label()}</span>
                {format!(" · {} CEC asked", petition.requested_cec)}
                {granted.map(|g| format!(" · {g} CEC granted"))}
                {(petition.status == PetitionStatus::AwaitingPayment)
                    .then(|| format!(" · fee {} owed", petition.fee.amount.formatted))}
            </div>
            {petition.staff_note.clone().map(|note| view! { <p class="petition-note">{note}</p> })}
            <Show when=move || asking>
                <form class="stack" on:submit=send.clone() novalidate>
                    <Field label="Your answer" name="answer" id="petition-answer" value=answer error=error/>
                    <FormError error=error fields=&["answer"]/>
                    <button type="submit">"Send the answer"</button>
                </form>
            </Show>
        </li>
    }
}

#[component]
pub fn StaffPetitions() -> impl IntoView {
    view! { <LoginRequired><StaffPetitionsPage/></LoginRequired> }
}

/// The review queue.
#[component]
fn StaffPetitionsPage() -> impl IntoView {
    let queue = RwSignal::new(Vec::<QueuedPetition>::new());
    let error = RwSignal::new(None::<ApiError>);
    let load = move || {
        leptos::task::spawn_local(async move {
            match api::petition_queue().await {
                Ok(list) => queue.set(list),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load();
    view! {
        <section class="card">
            <h1>"Petition queue"</h1>
            <p class="hint">"Paid petitions waiting for a decision, oldest first."</p>
            <FormError error=error/>
            <Show when=move || queue.get().is_empty()>
                <p id="queue-empty">"Nothing is waiting for review."</p>
            </Show>
            <ul class="petitions" id="petition-queue">
                {move || queue.get().into_iter().map(|p| view! { <Review petition=p reload=load/> }).collect_view()}
            </ul>
        </section>
    }
}

/// One petition under review: its facts, its evidence and the decisions.
#[component]
fn Review(petition: QueuedPetition, reload: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let p = petition.petition_fields.clone();
    let note = RwSignal::new(String::new());
    let granted = RwSignal::new(p.requested_cec.clone());
    let error = RwSignal::new(None::<ApiError>);
    let viewer = RwSignal::new(None::<(String, String)>);
    let id = p.id.clone();
    let show_evidence = {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            leptos::task::spawn_local(async move {
                match api::petition_evidence(id).await {
                    Ok(link) => viewer.set(Some(link)),
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let decide = move |decision: fn(String, String) -> Decision| {
        let id = id.clone();
        move |_| {
            let chosen = decision(granted.get_untracked(), note.get_untracked());
            let id = id.clone();
            leptos::task::spawn_local(async move {
                match api::decide_petition(id, chosen).await {
                    Ok(()) => reload(),
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let approve = decide(|granted, _| Decision::Approve {
        granted_cec: Some(granted),
    });
    let reject = decide(|_, reason| Decision::Reject { reason });
    let ask = decide(|_, question| Decision::Ask { question });
    view! {
        <li class="petition review">
            <strong class="petition-title">{p.title.clone()}</strong>
            " — " {p.provider_name.clone()}
            <dl class="facts">
                <dt>"Member"</dt><dd>{format!("{} ({})", petition.member_name, petition.member_number)}</dd>
                <dt>"Completed"</dt><dd>{p.completed_on.clone()}</dd>
                <dt>"Hours"</dt><dd>{p.hours.clone()}</dd>
                <dt>"Asked"</dt><dd>{format!("{} CEC", p.requested_cec)}</dd>
                {p.member_answer.clone().map(|a| view! { <dt>"Answer"</dt><dd>{a}</dd> })}
            </dl>
            <button type="button" class="show-evidence" on:click=show_evidence>"Show the evidence"</button>
            {move || viewer.get().map(|(url, kind)| view! {
                {if kind.starts_with("image/") {
                    view! { <img class="evidence" src=url.clone() alt="The petition's evidence"/> }.into_any()
                } else {
                    // Not sandboxed: browsers render no PDF in a sandboxed frame.
                    view! { <iframe class="evidence" src=url.clone() title="The petition's evidence"></iframe> }.into_any()
                }}
                <p><a href=url target="_blank" rel="noopener">"Open the evidence in a new tab (the link works for five minutes)"</a></p>
            })}
            <label>"CEC granted"
                <input class="granted" prop:value=move || granted.get() on:input=move |ev| granted.set(event_target_value(&ev))/>
            </label>
            <label>"Reason or question for the member"
                <textarea class="note" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
            </label>
            <FormError error=error/>
            <div class="actions">
                <button type="button" class="approve" on:click=approve>"Approve"</button>
                <button type="button" class="reject" on:click=reject>"Reject"</button>
                <button type="button" class="ask" on:click=ask>"Ask for information"</button>
            </div>
        </li>
    }
}
