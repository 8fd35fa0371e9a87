//! The notification bar. Dismissing it sets the site's only cookie, `cptn_notice_seen`
//! (P12): no other cookie is ever written.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

const COOKIE: &str = "cptn_notice_seen";

fn document() -> Option<web_sys::HtmlDocument> {
    web_sys::window()?.document()?.dyn_into().ok()
}

fn seen() -> bool {
    document()
        .and_then(|d| d.cookie().ok())
        .is_some_and(|cookies| cookies.split(';').any(|c| c.trim() == format!("{COOKIE}=1")))
}

fn remember_seen() {
    if let Some(d) = document() {
        let _ = d.set_cookie(&format!("{COOKIE}=1; Path=/; Max-Age=31536000; SameSite=Strict"));
    }
}

#[component]
pub fn NoticeBar() -> impl IntoView {
    let visible = RwSignal::new(!seen());
    view! {
        <Show when=move || visible.get()>
            <div class="notice" role="region" aria-label="Privacy notice" id="notice">
                <span>
                    "We use no tracking and no cookies, except one that remembers you closed this notice. "
                    "Your login ends when you close the browser or log out."
                </span>
                <button
                    id="notice-dismiss"
                    class="secondary"
                    on:click=move |_| {
                        remember_seen();
                        visible.set(false);
                    }
                >
                    "Got it"
                </button>
            </div>
        </Show>
    }
}
