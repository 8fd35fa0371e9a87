//! A labelled input that shows the server's message for its field.

use crate::api::ApiError;
use leptos::prelude::*;

/// One form field. `name` is the API's field name (`email`, `legalName`), used to pick
/// the matching `VALIDATION` or `CONFLICT` message out of `error`.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    id: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    value: RwSignal<String>,
    error: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let message = move || error.get().and_then(|e| e.for_field(name));
    let error_id = format!("{id}-error");
    view! {
        <label for=id>
            {label}
            {hint.map(|h| view! { <span class="hint">{h}</span> })}
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || if message().is_some() { "true" } else { "false" }
                aria-describedby=error_id.clone()
            />
            <span class="field-error" id=error_id.clone() role="alert">{message}</span>
        </label>
    }
}
