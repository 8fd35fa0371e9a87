//! Register (then confirm the address by its link), log in, and "my account" (member
//! number, e-mail, own login history).

use crate::api::{self, ApiError, AuditEventKind, Me, MemberRole};
use crate::components::field::Field;
use crate::components::form_error::FormError;
use crate::components::login_required::{LoginRequired, session_ended};
use crate::routes::certification::MyCertification;
use crate::routes::petitions::MyPetitions;
use crate::session::{Session, use_session};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::{Email, LegalName, Password};

#[component]
pub fn Register() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let legal_name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    // The server's "check your inbox", once the form went through.
    let sent = RwSignal::new(None::<String>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (e, p, n) = (email.get(), password.get(), legal_name.get());
        // The same rules the server applies, checked first so mistakes show at once.
        let checked = Email::parse("email", &e)
            .and_then(|_| Password::parse("password", &p))
            .and_then(|_| LegalName::parse("legalName", &n));
        if let Err(field_error) = checked {
            error.set(Some(ApiError::from(field_error)));
            return;
        }
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = api::register(&e, &p, &n).await;
            busy.set(false);
            match result {
                Ok(answer) => {
                    password.set(String::new());
                    sent.set(Some(answer.message));
                }
                Err(err) => error.set(Some(err)),
            }
        });
    };

    view! {
        <section class="card">
            <h1>"Create your account"</h1>
            <Show when=move || sent.get().is_some() fallback=move || view! {
            <form class="stack" on:submit=submit novalidate>
                <Field label="E-mail address" name="email" id="register-email" kind="email" autocomplete="email" value=email error=error/>
                <Field label="Password" name="password" id="register-password" kind="password" autocomplete="new-password"
                    hint="8 to 128 characters. A passphrase of a few words is easy to remember and hard to guess."
                    value=password error=error/>
                <Field label="Legal name" name="legalName" id="register-name" autocomplete="name"
                    hint="As it should appear on your certificates." value=legal_name error=error/>
                <FormError error=error/>
                <button type="submit" id="register-submit" disabled=move || busy.get()>"Create account"</button>
            </form>
            }>
                <div id="register-done" role="status">
                    <p>{move || sent.get()}</p>
                    <p class="hint">"The link works for 48 hours. Nothing arrived? Look in your spam folder, or:"</p>
                    <ResendLink email=email/>
                </div>
            </Show>
            <p>"Already a member? "<A href="/login">"Log in"</A></p>
        </section>
    }
}

/// "Send the link again" for an address typed in before (the answer is the same for
/// any address).
#[component]
fn ResendLink(email: RwSignal<String>) -> impl IntoView {
    let note = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let resend = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = api::resend_confirmation(&email.get_untracked()).await;
            busy.set(false);
            note.set(Some(match answer {
                Ok(_) => "Sent again: look for the newest message.".to_owned(),
                Err(e) => e.summary(),
            }));
        });
    };
    view! {
        <button type="button" class="secondary" id="resend-link" on:click=resend disabled=move || busy.get()>
            "Send the link again"
        </button>
        <p class="hint" id="resend-done" role="status">{move || note.get()}</p>
    }
}

/// `/confirm?token=...`: the page the confirmation mail links to. The person enters the
/// password they chose when registering (the link alone confirms nothing, so a link
/// scanner cannot, nor someone who registered an address that is not theirs), and is
/// logged in. Without a token, or with one that no longer works, it offers a new link.
#[component]
pub fn Confirm() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let token = query.with_untracked(|q| q.get("token")).unwrap_or_default();
    let password = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    // The link itself is gone (used, expired, never sent): offer a new one.
    let no_token = token.trim().is_empty();
    let link_failed = move || no_token || error.get().is_some_and(|e| e.field.as_deref() == Some("token"));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (t, p) = (token.clone(), password.get());
        let form = SignInForm {
            session,
            password,
            busy,
            error,
        };
        sign_in(form, navigate.clone(), async move { api::confirm_email(&t, &p).await });
    };

    view! {
        <section class="card">
            <h1>"Confirm your e-mail address"</h1>
            <Show when=link_failed fallback=move || view! {
                <form class="stack" id="confirm-form" on:submit=submit.clone() novalidate>
                    <p>"Enter the password you chose when you registered: this confirms the address and logs you in."</p>
                    <Field label="Password" name="password" id="confirm-password" kind="password" autocomplete="current-password" value=password error=error/>
                    <FormError error=error fields=&["password"]/>
                    <button type="submit" id="confirm-submit" disabled=move || busy.get()>"Confirm and log in"</button>
                </form>
            }>
                <div id="confirm-error">
                    <p role="alert">{move || error.get().map_or_else(
                        || "Ask for a new confirmation link: enter the address you registered with.".to_owned(),
                        |e| e.summary(),
                    )}</p>
                    <form class="stack" on:submit=|ev: leptos::ev::SubmitEvent| ev.prevent_default() novalidate>
                        <Field label="E-mail address" name="email" id="resend-email" kind="email" autocomplete="email" value=email error=error/>
                        <ResendLink email=email/>
                    </form>
                </div>
            </Show>
        </section>
    }
}

#[component]
pub fn Login() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (e, p) = (email.get(), password.get());
        if let Err(field_error) = Email::parse("email", &e) {
            error.set(Some(ApiError::from(field_error)));
            return;
        }
        let form = SignInForm {
            session,
            password,
            busy,
            error,
        };
        sign_in(form, navigate.clone(), async move { api::login(&e, &p).await });
    };

    view! {
        <section class="card">
            <h1>"Log in"</h1>
            <form class="stack" on:submit=submit novalidate>
                <Field label="E-mail address" name="email" id="login-email" kind="email" autocomplete="username" value=email error=error/>
                <Field label="Password" name="password" id="login-password" kind="password" autocomplete="current-password" value=password error=error/>
                <FormError error=error fields=&["email", "password"]/>
                <button type="submit" id="login-submit" disabled=move || busy.get()>"Log in"</button>
            </form>
            <p>"New here? "<A href="/register">"Create an account"</A></p>
            <p>"No confirmation e-mail? "<A href="/confirm" attr:id="login-resend">"Send the link again"</A></p>
        </section>
    }
}

/// The parts of a form that opens a session (log in, confirm).
#[derive(Clone, Copy)]
struct SignInForm {
    session: Session,
    password: RwSignal<String>,
    busy: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
}

/// Runs `call` (a login or a confirmation), then enters the account or shows why not; the
/// typed password is forgotten once it worked.
fn sign_in(
    form: SignInForm,
    navigate: impl Fn(&str, NavigateOptions) + 'static,
    call: impl std::future::Future<Output = Result<api::Session, ApiError>> + 'static,
) {
    form.error.set(None);
    form.busy.set(true);
    leptos::task::spawn_local(async move {
        let result = call.await;
        form.busy.set(false);
        if result.is_ok() {
            form.password.set(String::new());
        }
        enter_account(result, form.session, &navigate, form.error);
    });
}

/// Where a login leads: back to the member page that sent the visitor here (`?next=`),
/// or "my account". Only a plain path of this site is followed
/// (`shared::validate::is_local_path`).
fn after_login() -> String {
    let next = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok())
        .and_then(|params| params.get("next"));
    match next {
        Some(path) if shared::validate::is_local_path(&path) => path,
        _ => "/account".to_owned(),
    }
}

/// After a successful login: keep the token and go on ([`after_login`]); otherwise show why.
fn enter_account(
    result: Result<api::Session, ApiError>,
    session: Session,
    navigate: &impl Fn(&str, NavigateOptions),
    error: RwSignal<Option<ApiError>>,
) {
    match result {
        Ok(signed_in) => {
            session.set(signed_in.token, &signed_in.expires_at);
            navigate(&after_login(), NavigateOptions::default());
        }
        Err(err) => error.set(Some(err)),
    }
}

#[component]
pub fn Account() -> impl IntoView {
    view! { <LoginRequired><AccountPage/></LoginRequired> }
}

#[component]
fn AccountPage() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let account = RwSignal::new(None::<Me>);
    let error = RwSignal::new(None::<ApiError>);

    leptos::task::spawn_local(async move {
        match api::my_account().await {
            Ok(Some(me)) => account.set(Some(me)),
            Ok(None) => session_ended(session, &navigate, "/account"),
            Err(e) if e.is_unauthenticated() => session_ended(session, &navigate, "/account"),
            Err(e) => error.set(Some(e)),
        }
    });

    view! {
        <section class="card">
            <h1>"My account"</h1>
            <FormError error=error/>
            {move || account.get().map(|me| view! {
                <dl class="facts" id="account-facts">
                    <dt>"Member number"</dt><dd id="account-number">{me.member_number.clone()}</dd>
                    <dt>"E-mail"</dt><dd id="account-email">{me.email.clone()}</dd>
                    <dt>"Legal name"</dt><dd id="account-name">{me.legal_name.clone()}</dd>
                </dl>
                <p><A href="/account/profile" attr:id="edit-profile">"Edit my public profile"</A></p>
                <p><A href="/orders" attr:id="my-orders">"My orders and receipts"</A></p>
                <p><A href="/account/privacy" attr:id="my-privacy">"Privacy: download my data, erasure, newsletters"</A></p>
                {matches!(me.role, MemberRole::STAFF | MemberRole::ADMIN).then(|| view! {
                    <p><A href="/staff/member" attr:id="staff-tools">"Staff: a member's certification and ledger"</A></p>
                    <p><A href="/staff/petitions" attr:id="staff-petitions">"Staff: the petition queue"</A></p>
                    <p><A href="/staff/catalogue" attr:id="staff-catalogue">"Staff: the catalogue and completions"</A></p>
                    <p><A href="/staff/orders" attr:id="staff-orders-link">"Staff: orders, refunds and the phone terminal"</A></p>
                    <p><A href="/staff/privacy" attr:id="staff-privacy">"Staff: data requests, retention and page views"</A></p>
                    <p><A href="/staff/newsletters" attr:id="staff-newsletters">"Staff: newsletters"</A></p>
                    <p><A href="/staff/security" attr:id="staff-security">"Staff: vulnerability reports"</A></p>
                })}
                {(me.role == MemberRole::PROVIDER).then(|| view! {
                    <p><A href="/staff/catalogue" attr:id="provider-completions">"Record completions of my courses"</A></p>
                })}
            })}
        </section>
        <MyCertification/>
        <MyPetitions/>
        <section class="card">
            <h2>"Login history"</h2>
            <p class="hint">"Every attempt to log in to your account, newest first, with the address and browser it came from."</p>
            {move || account.get().map(|me| view! { <LoginHistory me=me/> })}
        </section>
    }
}

#[component]
fn LoginHistory(me: Me) -> impl IntoView {
    let rows = me
        .login_history
        .edges
        .into_iter()
        .map(|edge| {
            let event = edge.node;
            view! {
                <tr>
                    <td>{format_time(&event.occurred_at)}</td>
                    <td>{describe(&event.kind)}</td>
                    <td>{event.ip.unwrap_or_default()}</td>
                    <td class="ua">{event.user_agent.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table id="login-history">
            <thead><tr><th>"When (UTC)"</th><th>"What"</th><th>"IP address"</th><th class="ua">"Browser"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

fn describe(kind: &AuditEventKind) -> &'static str {
    match kind {
        AuditEventKind::LOGIN_SUCCEEDED => "Logged in",
        AuditEventKind::LOGIN_WRONG_PASSWORD => "Wrong password",
        AuditEventKind::LOGIN_DISABLED_ACCOUNT => "Refused: account disabled",
        AuditEventKind::LOGIN_UNCONFIRMED_EMAIL => "Refused: address not confirmed yet",
        AuditEventKind::LOGIN_RATE_LIMITED => "Refused: too many attempts",
        _ => "Other",
    }
}

/// `2026-11-29T08:11:24.123Z` -> `2026-11-29 08:11`.
fn format_time(rfc3339: &str) -> String {
    let mut text: String = rfc3339.chars().take(16).collect();
    text = text.replacen('T', " ", 1);
    text
}
