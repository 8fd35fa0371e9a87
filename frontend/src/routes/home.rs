//! The landing page.

use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Home() -> impl IntoView {
    let session = use_session();
    view! {
        <section class="card">
            <h1>"CPTN Network"</h1>
            <p>
                "The Certified Professional Trainers Network keeps your certification, your "
                "continuing-education credits and your public trainer profile, and keeps its "
                "privacy promises in code: no tracking, no cookies, your e-mail never shown."
            </p>
            <Show
                when=move || session.logged_in()
                fallback=|| view! {
                    <p><A href="/register">"Create an account"</A>" or "<A href="/login">"log in"</A>"."</p>
                }
            >
                <p><A href="/account">"Go to my account"</A></p>
            </Show>
            <p class="hint">
                <A href="/newsletters">"Newsletters"</A>" · "
                <A href="/verify-email">"Check that an e-mail is really from us"</A>" · "
                <A href="/data-request">"Your data without an account (a copy, or its erasure)"</A>" · "
                <A href="/security/report" attr:id="home-report-vulnerability">"Report a security vulnerability"</A>
            </p>
        </section>
    }
}
