//! `/staff/security`: vulnerability reports, newest first, filtered by status; each with
//! what the reporter wrote (as plain text), the blocked attempts from their address, the
//! attachment link, the triage (accepted, duplicate, rejected, with a note e-mailed to the
//! reporter) and, for an accepted report, the good-faith reward. Steering only: the server
//! refuses all of it to anyone but staff.

use crate::api::{self, ApiError, ReportOutcome, VulnerabilityReport, VulnerabilityReportStatus as Status};
use crate::components::form_error::{FieldError, FormError};
use crate::components::login_required::LoginRequired;
use leptos::prelude::*;

#[component]
pub fn StaffSecurity() -> impl IntoView {
    view! { <LoginRequired><ReportList/></LoginRequired> }
}

/// The status the filter names (`""`: all).
fn status_named(value: &str) -> Option<Status> {
    match value {
        "RECEIVED" => Some(Status::Received),
        "ACCEPTED" => Some(Status::Accepted),
        "DUPLICATE" => Some(Status::Duplicate),
        "REJECTED" => Some(Status::Rejected),
        _ => None,
    }
}

#[component]
fn ReportList() -> impl IntoView {
    let filter = RwSignal::new(String::new());
    let reports = RwSignal::new(Vec::<VulnerabilityReport>::new());
    let next = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    // Loads the first page, or with `more` appends the next one.
    let load = move |more: bool| {
        let after = if more { next.get_untracked() } else { None };
        let status = status_named(&filter.get_untracked());
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::vulnerability_reports(status, after).await {
                Ok((found, cursor)) => {
                    if more {
                        reports.update(|shown| shown.extend(found));
                    } else {
                        reports.set(found);
                    }
                    next.set(cursor);
                    loaded.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load(false);
    view! {
        <section class="card" id="security-reports">
            <h1>"Vulnerability reports"</h1>
            <p class="hint">"Newest first. Triage e-mails the reporter your note; only an accepted report can be rewarded, once."</p>
            <form class="stack" on:submit=move |ev: leptos::ev::SubmitEvent| ev.prevent_default() novalidate>
                <label for="report-status-filter">"Status"
                    <select id="report-status-filter" on:change=move |ev| {
                        filter.set(event_target_value(&ev));
                        load(false);
                    }>
                        <option value="">"All"</option>
                        <option value="RECEIVED">"Received"</option>
                        <option value="ACCEPTED">"Accepted"</option>
                        <option value="DUPLICATE">"Duplicate"</option>
                        <option value="REJECTED">"Rejected"</option>
                    </select>
                </label>
            </form>
            <FormError error=error id="reports-error"/>
            <Show when=move || loaded.get() && reports.with(Vec::is_empty)>
                <p id="reports-empty">"No reports."</p>
            </Show>
            <ul class="reports" id="report-list">
                <For each=move || reports.get() key=|r| r.id.clone() let:report>
                    <ReportItem report=report reports=reports/>
                </For>
            </ul>
            <Show when=move || next.get().is_some()>
                <button type="button" class="secondary" id="reports-more" on:click=move |_| load(true)>"Show more"</button>
            </Show>
        </section>
    }
}

/// One report: its facts and text, and the staff actions that fit its state. What an
/// action changes is written into `reports`, so the item keeps its note and messages.
#[allow(clippy::too_many_lines, reason = "the `view!` template reads best in one piece")]
#[component]
fn ReportItem(report: VulnerabilityReport, reports: RwSignal<Vec<VulnerabilityReport>>) -> impl IntoView {
    let id = StoredValue::new(report.id.clone());
    let latest = {
        let initial = report.clone();
        Memo::new(move |_| {
            reports
                .with(|list| list.iter().find(|r| r.id == initial.id).cloned())
                .unwrap_or_else(|| initial.clone())
        })
    };
    let note = RwSignal::new(String::new());
    let confirmed = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    // Runs an action; its outcome updates the report in the list.
    let act = move |action: std::pin::Pin<Box<dyn std::future::Future<Output = Result<ReportOutcome, ApiError>>>>,
                    done: fn(&ReportOutcome) -> String| {
        error.set(None);
        notice.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match action.await {
                Ok(outcome) => {
                    reports.update(|list| outcome.apply_to(list));
                    note.set(String::new());
                    confirmed.set(false);
                    notice.set(Some(done(&outcome)));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let triage = move |status: Status| {
        let text = note.get_untracked();
        act(
            Box::pin(api::triage_vulnerability_report(id.get_value(), status, text)),
            |o| {
                format!(
                    "Marked {}; the reporter was told by e-mail.",
                    o.status.label().to_lowercase()
                )
            },
        );
    };
    let reward = move |_| {
        act(
            Box::pin(api::reward_vulnerability_report(
                id.get_value(),
                confirmed.get_untracked(),
            )),
            |o| {
                format!(
                    "Rewarded: the coupon {} was e-mailed to the reporter.",
                    o.reward_coupon.clone().unwrap_or_default()
                )
            },
        );
    };
    let rewarded = move || latest.with(|r| r.reward_coupon.is_some());
    let rewardable = move || latest.with(|r| r.status == Status::Accepted && r.reward_coupon.is_none());
    let number = report.id.clone();
    let element = |suffix: &str| format!("report-{number}-{suffix}");
    let (note_id, note_error, confirm_id, confirm_error) = (
        element("note"),
        element("note-error"),
        element("confirm"),
        element("confirm-error"),
    );
    let blocked = move || latest.with(|r| r.blocked_attempts);
    view! {
        <li class="report" id=element("item")>
            <h2>{format!("Report #{number}")}</h2>
            <dl class="facts">
                <dt>"Received"</dt><dd class="report-received">{api::when(&report.received_at)}</dd>
                <dt>"Reporter"</dt><dd class="report-email">{report.reporter_email.clone()}</dd>
                <dt>"IP address"</dt><dd class="report-ip">{report.reporter_ip.clone().unwrap_or_else(|| "not recorded".to_owned())}</dd>
                <dt>"Blocked attempts"</dt>
                <dd class="report-blocked" class:alert={move || blocked() > 0}>{move || format!("{} from this IP address", blocked())}</dd>
                <dt>"Status"</dt><dd class="report-status">{move || latest.with(|r| r.status.label())}</dd>
                {move || latest.with(|r| r.triaged_at.clone()).map(|at| view! {
                    <dt>"Triaged"</dt><dd class="report-triaged">{api::when(&at)}</dd>
                })}
                {move || latest.with(|r| r.reward_coupon.clone()).map(|code| view! {
                    <dt>"Reward coupon"</dt><dd class="report-coupon"><code>{code}</code></dd>
                })}
            </dl>
            <h3>"What they found"</h3>
            <p class="report-text report-description">{report.description.clone()}</p>
            <h3>"Steps to reproduce"</h3>
            {if report.steps.trim().is_empty() {
                view! { <p class="hint report-steps">"None given."</p> }.into_any()
            } else {
                view! { <p class="report-text report-steps">{report.steps.clone()}</p> }.into_any()
            }}
            {move || latest.with(|r| r.attachment_url.clone()).map(|url| view! {
                <p><a class="report-attachment" href=url target="_blank" rel="noopener noreferrer">
                    "Open the attachment in a new tab"
                </a><span class="hint">" (the link works for five minutes after the list loads: reload the page for a new one)"</span></p>
            })}
            {move || latest.with(|r| r.triage_note.clone()).map(|text| view! {
                <h3>"Triage note"</h3>
                <p class="report-text report-note">{text}</p>
            })}
            <p role="status" class="report-notice">{move || notice.get()}</p>
            <FormError error=error fields=&["note", "noMaliciousActivityConfirmed"] id=element("error")/>
            <Show when=move || !rewarded() fallback=|| view! {
                <p class="hint">"Rewarded: its triage stands."</p>
            }>
                <label for=note_id.clone()>
                    "Note for the reporter"
                    <span class="hint">"E-mailed with the triage (up to 4,000 characters). Triaging again sends another e-mail."</span>
                    <textarea id=note_id.clone() rows="3" aria-describedby=note_error.clone()
                        prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                    <FieldError error=error name="note" id=note_error.clone()/>
                </label>
                <div class="actions">
                    <button type="button" class="accept" disabled=move || busy.get() on:click=move |_| triage(Status::Accepted)>"Accept"</button>
                    <button type="button" class="duplicate" disabled=move || busy.get() on:click=move |_| triage(Status::Duplicate)>"Duplicate"</button>
                    <button type="button" class="reject" disabled=move || busy.get() on:click=move |_| triage(Status::Rejected)>"Reject"</button>
                </div>
            </Show>
            <Show when=rewardable>
                <div class="reward-confirm">
                    <label class="check" for=confirm_id.clone()>
                        <input type="checkbox" id=confirm_id.clone() aria-describedby=confirm_error.clone()
                            prop:checked=move || confirmed.get() on:change=move |ev| confirmed.set(event_target_checked(&ev))/>
                        "I looked at the logs (blocked attempts, audit trail for this address) and found no malicious act"
                    </label>
                    <FieldError error=error name="noMaliciousActivityConfirmed" id=confirm_error.clone()/>
                    <p class="hint">"The reporter is e-mailed a single-use 20% workshop coupon."</p>
                    <button type="button" class="reward" disabled=move || !confirmed.get() || busy.get() on:click=reward>"Reward"</button>
                </div>
            </Show>
        </li>
    }
}
