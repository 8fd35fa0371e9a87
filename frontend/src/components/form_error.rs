//! Errors where they belong: a form's fields show the message for their own name
//! (`components::field`); [`FormError`] shows everything else at the top of the form,
//! including a message about a field this form does not show.

use crate::api::ApiError;
use leptos::prelude::*;

/// The message for `error` that no field of the form shows. `fields` are the API names the
/// form shows at their inputs (`displayName`, `city`...).
#[component]
pub fn FormError(
    error: RwSignal<Option<ApiError>>,
    #[prop(default = &[])] fields: &'static [&'static str],
    /// The paragraph's id; a form repeated in a list gives each copy its own.
    #[prop(into, default = "form-error".to_owned())]
    id: String,
) -> impl IntoView {
    let text = move || {
        error
            .get()
            .filter(|e| e.field.as_deref().is_none_or(|field| !fields.contains(&field)))
            .map(|e| e.summary())
    };
    view! { <p class="form-error" id=id role="alert">{text}</p> }
}

/// A field's message, for inputs that are not a [`Field`](crate::components::field::Field).
#[component]
pub fn FieldError(
    error: RwSignal<Option<ApiError>>,
    name: &'static str,
    #[prop(optional, into)] id: Option<String>,
) -> impl IntoView {
    view! { <span class="field-error" id=id role="alert">{move || error.get().and_then(|e| e.for_field(name))}</span> }
}
