//! The site header: brand and the links that fit the session.

use crate::api;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn Nav() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let log_out = move |_| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            // The server revokes the session; whatever it answers, this tab forgets the token.
            let _ = api::logout().await;
            session.clear();
            navigate("/login", NavigateOptions::default());
        });
    };
    view! {
        <header class="site">
            <nav aria-label="Main">
                <A href="/" attr:class="brand">"CPTN Network"</A>
                <A href="/trainers" attr:id="nav-directory">"Find a trainer"</A>
                <A href="/courses" attr:id="nav-courses">"Courses"</A>
                <A href="/verify" attr:id="nav-verify">"Verify a certification"</A>
                <A href="/verify-email" attr:id="nav-verify-email">"Check an e-mail"</A>
                <Show
                    when=move || session.logged_in()
                    fallback=|| view! {
                        <A href="/login" attr:id="nav-login">"Log in"</A>
                        <A href="/register" attr:id="nav-register">"Register"</A>
                    }
                >
                    <A href="/cart" attr:id="nav-cart">"Cart"</A>
                    <A href="/account" attr:id="nav-account">"My account"</A>
                    <button id="logout" class="secondary" on:click=log_out.clone()>"Log out"</button>
                </Show>
            </nav>
        </header>
    }
}
