//! The CPTN Network web app: Leptos, rendered in the browser, built by Trunk.
//!
//! Invariant: depends only on `shared` among the workspace crates; talks to the server only
//! through `api` (GraphQL over `fetch`). Protected routes only steer navigation: the
//! server's guards are the security.
//! Invariant: the access token lives in `sessionStorage` only (P12); the one cookie is the
//! notice bar's "seen" flag.

mod api;
mod components;
mod routes;
mod session;

use components::{nav::Nav, notice::NoticeBar};
use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// Reports each route this tab shows (P14): the path only, to our own API; a failure is
/// not the visitor's problem and is not shown.
#[component]
fn PageViews() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        let path = location.pathname.get();
        leptos::task::spawn_local(async move {
            let _ = api::record_page_view(path).await;
        });
    });
}

#[component]
fn App() -> impl IntoView {
    let session = session::Session::restore();
    provide_context(session);
    session.keep_alive();
    view! {
        <Router>
            <PageViews/>
            <NoticeBar/>
            <Nav/>
            <main>
                <Routes fallback=routes::not_found::NotFound>
                    <Route path=path!("/") view=routes::home::Home/>
                    <Route path=path!("/register") view=routes::account::Register/>
                    <Route path=path!("/login") view=routes::account::Login/>
                    <Route path=path!("/confirm") view=routes::account::Confirm/>
                    <Route path=path!("/account") view=routes::account::Account/>
                    <Route path=path!("/account/profile") view=routes::profile_editor::ProfileEditor/>
                    <Route path=path!("/account/privacy") view=routes::privacy::MyPrivacy/>
                    <Route path=path!("/verify-email") view=routes::privacy::VerifyEmail/>
                    <Route path=path!("/subscriptions/confirm") view=routes::privacy::ConfirmSubscription/>
                    <Route path=path!("/unsubscribe/:token") view=routes::privacy::UnsubscribePage/>
                    <Route path=path!("/data-request") view=routes::privacy::DataRequest/>
                    <Route path=path!("/newsletters") view=routes::privacy::NewsletterSignup/>
                    <Route path=path!("/data-request/confirm") view=routes::privacy::ConfirmDataRequest/>
                    <Route path=path!("/security/report") view=routes::security::ReportVulnerability/>
                    <Route path=path!("/trainers") view=routes::directory::Directory/>
                    <Route path=path!("/trainers/:slug") view=routes::directory::TrainerPage/>
                    <Route path=path!("/verify") view=routes::certification::Verify/>
                    <Route path=path!("/courses") view=routes::courses::Courses/>
                    <Route path=path!("/courses/:code") view=routes::courses::CoursePage/>
                    <Route path=path!("/cart") view=routes::orders::Cart/>
                    <Route path=path!("/orders") view=routes::orders::MyOrders/>
                    <Route path=path!("/orders/:id") view=routes::orders::OrderPage/>
                    <Route path=path!("/staff/orders") view=routes::orders::StaffOrders/>
                    <Route path=path!("/staff/terminal") view=routes::orders::StaffTerminal/>
                    <Route path=path!("/staff/member") view=routes::staff::StaffMember/>
                    <Route path=path!("/staff/petitions") view=routes::petitions::StaffPetitions/>
                    <Route path=path!("/staff/catalogue") view=routes::catalogue_editor::CatalogueEditor/>
                    <Route path=path!("/staff/privacy") view=routes::privacy_staff::StaffPrivacy/>
                    <Route path=path!("/staff/newsletters") view=routes::privacy_staff::StaffNewsletters/>
                    <Route path=path!("/staff/security") view=routes::security_staff::StaffSecurity/>
                </Routes>
            </main>
        </Router>
    }
}

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
