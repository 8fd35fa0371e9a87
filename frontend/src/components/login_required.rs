//! The wrapper of every member page: without a session it sends the visitor to the login
//! page (and back here afterwards); with one it shows the page. A page whose data comes
//! back `UNAUTHENTICATED` (the session ended meanwhile) calls [`session_ended`].

use crate::session::{Session, use_session};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate};

/// Shows `children` only with a session; steers to `/login?next=<this page>` otherwise.
/// Steering only: the server refuses member data without a valid token anyway.
#[component]
pub fn LoginRequired(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    // Checked once, when the page opens: a logout on this page navigates by itself, and a
    // second navigation would race it.
    if !session.logged_in() {
        let next = use_location().pathname.get_untracked();
        use_navigate()(&login_path(&next), NavigateOptions::default());
    }
    view! { <Show when=move || session.logged_in()>{children()}</Show> }
}

/// The login page, coming back to `next` after.
fn login_path(next: &str) -> String {
    let encoded = js_sys::encode_uri_component(next);
    format!("/login?next={}", String::from(encoded))
}

/// The server said the session is over: forget it and go to the login page, coming back
/// to `next` after.
pub fn session_ended(session: Session, navigate: &impl Fn(&str, NavigateOptions), next: &str) {
    session.clear();
    navigate(&login_path(next), NavigateOptions::default());
}
