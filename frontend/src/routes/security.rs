//! `/security/report`: anyone reports a security vulnerability (P20): their address, what
//! they found and how to reproduce it, as text. The server stores it, limits reports per
//! address and e-mails an acknowledgement.

use crate::api::{self, ApiError, NewVulnerabilityReport};
use crate::components::field::Field;
use crate::components::form_error::{FieldError, FormError};
use leptos::prelude::*;

/// `aria-invalid` for the input of `field`.
fn invalid(error: RwSignal<Option<ApiError>>, field: &'static str) -> impl Fn() -> &'static str {
    move || {
        if error.get().and_then(|e| e.for_field(field)).is_some() {
            "true"
        } else {
            "false"
        }
    }
}

#[component]
pub fn ReportVulnerability() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let steps = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    // The report's number and the address the acknowledgement went to.
    let received = RwSignal::new(None::<(String, String)>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let report = NewVulnerabilityReport {
            email: email.get_untracked().trim().to_owned(),
            description: description.get_untracked(),
            steps: steps.get_untracked(),
        };
        let address = report.email.clone();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::report_vulnerability(report).await {
                Ok(number) => {
                    received.set(Some((number, address)));
                    for field in [email, description, steps] {
                        field.set(String::new());
                    }
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" id="report-vulnerability">
            <h1>"Report a security vulnerability"</h1>
            <p>"Found a weakness in this site or its API? Tell us what you found and how to reproduce it. We acknowledge every report by e-mail and write to you again once our staff have triaged it."</p>
            <p class="hint" id="report-reward">"Accepted reports from people who acted in good faith earn a single-use 20% workshop coupon. SECURITY.md, in the project, describes the scope and the rules."</p>
            <Show when=move || received.get().is_none() fallback=move || view! {
                <p role="status" id="report-received">{move || received.get().map(|(number, address)| format!(
                    "Report #{number} received; we sent an acknowledgement to {address}."
                ))}</p>
            }>
                <form class="stack" id="report-form" on:submit=submit novalidate>
                    <Field label="Your e-mail address" name="email" id="report-email" kind="email" autocomplete="email"
                        hint="We answer here." value=email error=error/>
                    <label for="report-description">
                        "What you found"
                        <span class="hint">"What is wrong and what it lets an attacker do."</span>
                        <textarea id="report-description" name="description" rows="8"
                            aria-invalid=invalid(error, "description") aria-describedby="report-description-error"
                            prop:value=move || description.get()
                            on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                        <FieldError error=error name="description" id="report-description-error"/>
                    </label>
                    <label for="report-steps">
                        "Steps to reproduce"
                        <textarea id="report-steps" name="steps" rows="8"
                            aria-invalid=invalid(error, "steps") aria-describedby="report-steps-error"
                            prop:value=move || steps.get()
                            on:input=move |ev| steps.set(event_target_value(&ev))></textarea>
                        <FieldError error=error name="steps" id="report-steps-error"/>
                    </label>
                    <FormError error=error fields=&["email", "description", "steps"] id="report-error"/>
                    <button type="submit" id="report-submit" disabled=move || busy.get()>"Send the report"</button>
                </form>
            </Show>
        </section>
    }
}
