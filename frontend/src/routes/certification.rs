//! Certification pages: the member's certification on "my account" (status, progress toward
//! the cycle's credit, ledger, renewal) and the public "verify a certification" register.

use crate::api::{self, ApiError, CecSource, CertificationStatus, Dashboard, Verification};
use crate::components::field::Field;
use crate::components::form_error::FormError;
use leptos::prelude::*;

fn status_label(status: CertificationStatus) -> &'static str {
    match status {
        CertificationStatus::Certified => "Certified",
        CertificationStatus::Grace => "In grace period: renew before it ends",
        CertificationStatus::Expired => "Expired",
        CertificationStatus::None => "Not certified",
        CertificationStatus::Unknown => "Unknown",
    }
}

fn source_label(source: &CecSource) -> &'static str {
    match source {
        CecSource::COURSE => "Course",
        CecSource::PETITION => "Petition",
        CecSource::ADJUSTMENT => "Adjustment",
        CecSource::REVERSAL => "Correction",
        CecSource::Other(_) => "Other",
    }
}

/// Tenths from `"1.4"`, for the progress bar.
fn tenths(cec: &str) -> u32 {
    shared::cec::parse_tenths(cec).map_or(0, |t| u32::try_from(t).unwrap_or(0))
}

/// The member's certification card and ledger, on "my account".
#[component]
pub fn MyCertification() -> impl IntoView {
    let data = RwSignal::new(None::<Dashboard>);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let load = move || {
        leptos::task::spawn_local(async move {
            match api::my_certification().await {
                Ok(found) => data.set(found),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load();
    let renew = move |_| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::renew_certification().await {
                Ok(()) => {
                    notice.set(Some("Renewal requested: it takes effect once its fee is paid."));
                    load();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card" id="certification">
            <h2>"Certification"</h2>
            <p role="status" id="certification-notice">{move || notice.get()}</p>
            {move || data.get().map(|c| {
                let (earned, required) = (tenths(&c.earned_cec), tenths(&c.required_cec).max(1));
                let can_renew = matches!(c.status, CertificationStatus::Certified | CertificationStatus::Grace)
                    && c.renewal_fee.is_none();
                view! {
                    <dl class="facts">
                        <dt>"Status"</dt><dd id="certification-status">{status_label(c.status)}</dd>
                        <dt>"Cycle"</dt>
                        <dd id="certification-cycle">{match (c.cycle_starts_on.clone(), c.expires_on.clone()) {
                            (Some(from), Some(to)) => format!("{from} to {to} (expiry)"),
                            _ => "No cycle yet".to_owned(),
                        }}</dd>
                        <dt>"Renewal opens"</dt><dd>{c.renewal_opens_on.clone().unwrap_or_else(|| "—".to_owned())}</dd>
                        <dt>"Grace ends"</dt><dd>{c.grace_ends_on.clone().unwrap_or_else(|| "—".to_owned())}</dd>
                    </dl>
                    <label for="cec-progress">{format!("Credit this cycle: {} of {} CEC", c.earned_cec, c.required_cec)}</label>
                    <progress id="cec-progress" max=required value=earned.min(required)></progress>
                    {c.renewal_fee.clone().map(|fee| view! {
                        <p id="renewal-state">{if c.renewal_paid {
                            "Renewed: the next cycle starts at this one's expiry.".to_owned()
                        } else {
                            format!("Renewal requested: {} owed (awaiting payment).", fee.formatted)
                        }}</p>
                    })}
                    <Show when=move || can_renew>
                        <button type="button" id="renew" on:click=renew>"Renew my certification"</button>
                    </Show>
                    <h3>"Credit ledger"</h3>
                    <table id="ledger">
                        <thead><tr><th>"Earned"</th><th>"CEC"</th><th>"Source"</th><th class="ua">"Note"</th></tr></thead>
                        <tbody>{c.recent_credit.into_iter().map(|entry| {
                            view! {
                                <tr>
                                    <td>{entry.earned_on.clone()}</td>
                                    <td>{entry.cec.clone()}</td>
                                    <td>{source_label(&entry.source)}</td>
                                    <td class="ua">{entry.title.clone().or(entry.reason.clone()).unwrap_or_default()}</td>
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </table>
                }
            })}
            <FormError error=error id="certification-error"/>
        </section>
    }
}

/// The public register: a member number and a last name, both needed.
#[component]
pub fn Verify() -> impl IntoView {
    let number = RwSignal::new(String::new());
    let last_name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let found = RwSignal::new(None::<Verification>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (n, l) = (number.get_untracked(), last_name.get_untracked());
        error.set(None);
        found.set(None);
        leptos::task::spawn_local(async move {
            match api::verify_certification(&n, &l).await {
                Ok(answer) => found.set(Some(answer)),
                Err(e) if e.code == Some(shared::ErrorCode::NotFound) => error.set(Some(ApiError {
                    message: "No certified trainer matches this member number and last name.".to_owned(),
                    ..e
                })),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card">
            <h1>"Verify a certification"</h1>
            <p class="hint">"Enter the trainer's member number and last name, as on their certificate. You will see the status and the expiry month, nothing else."</p>
            <form class="stack" on:submit=submit novalidate>
                <Field label="Member number" name="memberNumber" id="verify-number" hint="For example CPTN-000123." value=number error=error/>
                <Field label="Last name" name="lastName" id="verify-name" autocomplete="off" value=last_name error=error/>
                <FormError error=error fields=&["memberNumber", "lastName"]/>
                <button type="submit" id="verify-submit">"Verify"</button>
            </form>
            {move || found.get().map(|v| view! {
                <dl class="facts" id="verify-result">
                    <dt>"Status"</dt><dd id="verify-status">{status_label(v.status)}</dd>
                    <dt>"Expiry"</dt><dd id="verify-expiry">{v.expiry_month.clone().unwrap_or_else(|| "—".to_owned())}</dd>
                </dl>
            })}
        </section>
    }
}
