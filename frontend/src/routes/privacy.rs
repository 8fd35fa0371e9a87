//! Privacy pages. `/account/privacy`: download my data, request erasure or a relink to an
//! old member number, newsletters with their consent history (P17, P23). Public:
//! `/verify-email` (check a signed e-mail, P15), `/subscriptions/confirm` (double opt-in),
//! `/unsubscribe/:token` (the page behind a message's one-click link), and
//! `/data-request` with its `/data-request/confirm` link (people without an account).

use crate::api::{self, ApiError, MyPrivacyData, MyRequest, MySubscription, SignatureCheck};
use crate::components::field::Field;
use crate::components::form_error::FormError;
use crate::components::login_required::LoginRequired;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// A request's kind and state in words.
fn describe(request: &MyRequest) -> String {
    use api::my_privacy::{PrivacyRequestKind as Kind, PrivacyRequestStatus as Status};
    let kind = match &request.kind {
        Kind::ERASURE => "Erasure of my personal data".to_owned(),
        Kind::RELINK => format!(
            "Link to my old member number {}",
            request.claimed_member_number.clone().unwrap_or_default()
        ),
        Kind::EXPORT => "A copy of my data".to_owned(),
        Kind::Other(other) => other.clone(),
    };
    let state = match &request.status {
        Status::UNCONFIRMED => "waiting for the address to confirm".to_owned(),
        Status::OPEN if request.overdue => "open, overdue".to_owned(),
        Status::OPEN => format!("open, answered by {}", api::when(&request.due_at)),
        Status::COMPLETED => "done".to_owned(),
        Status::REFUSED => "refused".to_owned(),
        Status::Other(other) => other.to_lowercase(),
    };
    format!("{kind}: {state}")
}

/// The member's privacy page.
#[component]
pub fn MyPrivacy() -> impl IntoView {
    view! { <LoginRequired><PrivacyPage/></LoginRequired> }
}

#[allow(clippy::too_many_lines, reason = "the `view!` template reads best in one piece")]
#[component]
fn PrivacyPage() -> impl IntoView {
    let data = RwSignal::new(None::<MyPrivacyData>);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let load = move || {
        leptos::task::spawn_local(async move {
            match api::my_privacy().await {
                Ok(loaded) => data.set(Some(loaded)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load();
    let export = move |_| {
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let done = async {
                let path = api::export_my_data().await?;
                api::download_archive(&path).await
            };
            match done.await {
                Ok(()) => notice.set(Some(
                    "Your archive is downloading. We delete it from our server after 24 hours.".to_owned(),
                )),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
            load();
        });
    };
    let erasure_message = RwSignal::new(String::new());
    let erasure_sure = RwSignal::new(false);
    let request_erasure = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !erasure_sure.get_untracked() {
            error.set(Some(ApiError::from(shared::FieldError::new(
                "sure",
                "Tick the box to confirm you want your personal data erased.",
            ))));
            return;
        }
        let message = erasure_message.get_untracked();
        leptos::task::spawn_local(async move {
            match api::request_erasure(message).await {
                Ok(()) => {
                    notice.set(Some(
                        "Your request is with our staff; they answer within 30 days.".to_owned(),
                    ));
                    load();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let old_number = RwSignal::new(String::new());
    let relink_message = RwSignal::new(String::new());
    let request_relink = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (old, message) = (old_number.get_untracked(), relink_message.get_untracked());
        leptos::task::spawn_local(async move {
            match api::request_relink(old, message).await {
                Ok(()) => {
                    notice.set(Some(
                        "Your request is with our staff: they will check it is you, then link your login to your old number."
                            .to_owned(),
                    ));
                    load();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card" id="privacy">
            <h1>"Privacy"</h1>
            <p role="status" id="privacy-notice">{move || notice.get()}</p>
            <FormError error=error fields=&["oldMemberNumber", "message"] id="privacy-error"/>
            <h2>"Your data"</h2>
            <p>"Download everything we hold about you: your record, profile, certification and credits, petitions, orders, newsletters and consents, logins, page views and the messages we sent you, with the files you uploaded (a zip of JSON and files)."</p>
            <button type="button" id="export-data" on:click=export disabled=move || busy.get()>"Download my data"</button>
            <h2>"Your requests"</h2>
            <ul id="privacy-requests">
                {move || data.get().map(|d| d.my_privacy_requests.iter().map(|r| view! {
                    <li>{describe(r)}{r.outcome.clone().map(|o| view! { <p class="hint">{o}</p> })}</li>
                }).collect_view())}
            </ul>
            <h3>"Erase my personal data"</h3>
            <form class="stack" id="erasure-form" on:submit=request_erasure novalidate>
                <p class="hint">"Your name, contact details, profile, messages and the rest are erased. Your member number, certification history and credit ledger are kept, so you can come back."</p>
                <Field label="Anything we should know (optional)" name="message" id="erasure-message" value=erasure_message error=error/>
                <label for="erasure-sure"><input type="checkbox" id="erasure-sure" on:change=move |ev| erasure_sure.set(event_target_checked(&ev))/>"I want my personal data erased"</label>
                <button type="submit" id="erasure-submit">"Request erasure"</button>
            </form>
            <h3>"I was a member before"</h3>
            <form class="stack" id="relink-form" on:submit=request_relink novalidate>
                <Field label="My old member number" name="oldMemberNumber" id="relink-number" hint="For example CPTN-000123" value=old_number error=error/>
                <Field label="How we can check it is you" name="message" id="relink-message" value=relink_message error=error/>
                <button type="submit" id="relink-submit">"Ask to be linked"</button>
            </form>
            <Newsletters data=data reload=load notice=notice error=error/>
        </section>
    }
}

/// The lists, the member's subscriptions and their consent history; the signup form
/// filled in with the member's address (P16).
#[component]
fn Newsletters(
    data: RwSignal<Option<MyPrivacyData>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
    notice: RwSignal<Option<String>>,
    error: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let subscribe = move |slug: String| {
        let email = data
            .get_untracked()
            .and_then(|d| d.me.map(|m| m.email))
            .unwrap_or_default();
        leptos::task::spawn_local(async move {
            match api::subscribe(slug, email.clone()).await {
                Ok(()) => notice.set(Some(format!("We sent a link to {email}: open it to confirm."))),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let unsubscribe = move |token: String| {
        leptos::task::spawn_local(async move {
            match api::unsubscribe(token).await {
                Ok(name) => {
                    notice.set(Some(format!("Unsubscribed from {name}.")));
                    reload();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let subscription_of = move |slug: &str| -> Option<MySubscription> {
        data.get()?.my_subscriptions.into_iter().find(|s| s.list.slug == slug)
    };
    view! {
        <h2>"Newsletters"</h2>
        <ul class="lists" id="mailing-lists">
            {move || data.get().map(|d| d.mailing_lists.into_iter().map(|list| {
                let slug = list.slug.clone();
                let mine = subscription_of(&slug);
                let status = mine.as_ref().map(|s| format!("{:?}", s.status).to_lowercase());
                let confirmed = status.as_deref() == Some("confirmed");
                let token = mine.as_ref().map(|s| s.unsubscribe_token.clone()).unwrap_or_default();
                let history = mine.map(|s| s.consent_history).unwrap_or_default();
                view! {
                    <li class="list">
                        <strong>{list.name.clone()}</strong>
                        {list.partner_name.clone().map(|p| view! { <span class="hint">{format!(" for {p}")}</span> })}
                        <p>{list.description.clone()}</p>
                        <p class="hint">{list.consent_wording.clone()}</p>
                        <p>{status.clone().map_or_else(|| "Not subscribed".to_owned(), |s| format!("Subscription: {s}"))}</p>
                        <Show when=move || confirmed fallback={
                            let slug = slug.clone();
                            move || { let slug = slug.clone(); view! {
                                <button type="button" class="subscribe" on:click=move |_| subscribe(slug.clone())>"Subscribe my address"</button>
                            } }
                        }>
                            {let token = token.clone(); view! {
                                <button type="button" class="unsubscribe" on:click=move |_| unsubscribe(token.clone())>"Unsubscribe"</button>
                            }}
                        </Show>
                        <ul class="consent-history">
                            {history.into_iter().map(|c| view! {
                                <li>{format!("{:?} on {} from {} (wording {})", c.action, api::when(&c.at), c.ip.unwrap_or_default(), c.wording_version).to_lowercase()}</li>
                            }).collect_view()}
                        </ul>
                    </li>
                }
            }).collect_view())}
        </ul>
    }
}

/// Checks a signed e-mail from us (P15): paste the message or its block.
#[component]
pub fn VerifyEmail() -> impl IntoView {
    let text = RwSignal::new(String::new());
    let result = RwSignal::new(None::<SignatureCheck>);
    let error = RwSignal::new(None::<ApiError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let pasted = text.get_untracked();
        leptos::task::spawn_local(async move {
            match api::verify_email_signature(pasted).await {
                Ok(check) => result.set(Some(check)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let verdict = move || {
        use api::verify_email_signature::EmailSignatureResult as R;
        result.get().map(|check| match check.result {
            R::VALID => "Valid: we sent this message, unchanged. Here it is as we sent it.",
            R::TAMPERED => "Tampered: this message was changed after we sent it. Do not trust it.",
            R::UNKNOWN_KEY => "Not ours: no key of CPTN Network made this signature.",
            R::MALFORMED | R::Other(_) => "No signature of ours was found in the text.",
        })
    };
    view! {
        <section class="card" id="verify-email">
            <h1>"Check an e-mail from CPTN Network"</h1>
            <p>"Every message we send ends with a signature block. Paste the whole message (or just the block) to see whether we sent it and whether it was changed."</p>
            <form class="stack" on:submit=submit novalidate>
                <label for="signed-text">"The message"
                    <textarea id="signed-text" rows="12" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                </label>
                <FormError error=error/>
                <button type="submit" id="verify-submit">"Check"</button>
            </form>
            <p role="status" id="signature-verdict">{verdict}</p>
            {move || result.get().and_then(|c| c.message).map(|m| view! {
                <dl id="signed-message">
                    <dt>"From"</dt><dd>{m.from}</dd>
                    <dt>"To"</dt><dd>{m.to}</dd>
                    <dt>"Sent"</dt><dd>{api::when(&m.date)}</dd>
                    <dt>"Subject"</dt><dd>{m.subject}</dd>
                </dl>
                <pre class="signed-body">{m.body}</pre>
            })}
        </section>
    }
}

/// The link of a subscription's confirmation mail.
#[component]
pub fn ConfirmSubscription() -> impl IntoView {
    let token = use_query_map().with_untracked(|q| q.get("token")).unwrap_or_default();
    let outcome = RwSignal::new(None::<Result<String, ApiError>>);
    leptos::task::spawn_local(async move {
        outcome.set(Some(api::confirm_subscription(token).await));
    });
    view! {
        <section class="card" id="subscription-confirmed">
            <h1>"Newsletter subscription"</h1>
            <p role="status">{move || outcome.get().map(|o| match o {
                Ok(name) => format!("Confirmed: you will receive {name}. Every message has a one-click unsubscribe link."),
                Err(e) => e.summary(),
            })}</p>
        </section>
    }
}

/// The page behind a message's unsubscribe link: one button (a link opened by a mail
/// scanner unsubscribes nothing; the mail client's one-click POST needs no page).
#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let token = use_params_map().with_untracked(|p| p.get("token")).unwrap_or_default();
    let outcome = RwSignal::new(None::<Result<String, ApiError>>);
    let confirm = move |_| {
        let token = token.clone();
        leptos::task::spawn_local(async move {
            outcome.set(Some(api::unsubscribe(token).await));
        });
    };
    view! {
        <section class="card" id="unsubscribe">
            <h1>"Unsubscribe"</h1>
            <Show when=move || outcome.get().is_none()>
                <button type="button" id="unsubscribe-confirm" on:click=confirm.clone()>"Unsubscribe me"</button>
            </Show>
            <p role="status" id="unsubscribe-outcome">{move || outcome.get().map(|o| match o {
                Ok(name) => format!("Unsubscribed from {name}. You will receive no more of it."),
                Err(e) => e.summary(),
            })}</p>
        </section>
    }
}

/// For people without an account: ask, by e-mail address, for a copy of what is held
/// under it or for its erasure.
#[component]
pub fn DataRequest() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let erase = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let sent = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let (address, erase) = (email.get_untracked(), erase.get_untracked());
        leptos::task::spawn_local(async move {
            match api::request_data_by_email(address, erase).await {
                Ok(()) => sent.set(true),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card" id="data-request">
            <h1>"Your data, without an account"</h1>
            <p>"If you wrote to a trainer, subscribed to a newsletter or bought by phone or mail, ask for a copy of what we hold under your e-mail address, or for its erasure. Members use their privacy page."</p>
            <Show when=move || !sent.get() fallback=|| view! {
                <p role="status" id="data-request-sent">"Check your inbox: open the link we sent to confirm the address is yours."</p>
            }>
                <form class="stack" on:submit=submit novalidate>
                    <Field label="E-mail address" name="email" id="data-request-email" kind="email" value=email error=error/>
                    <label for="data-request-erase"><input type="checkbox" id="data-request-erase" on:change=move |ev| erase.set(event_target_checked(&ev))/>"Erase it (instead of sending me a copy)"</label>
                    <FormError error=error fields=&["email"]/>
                    <button type="submit" id="data-request-submit">"Send me the link"</button>
                </form>
            </Show>
        </section>
    }
}

/// The link of a data request by address: a copy is handed over at once, an erasure
/// waits for staff.
#[component]
pub fn ConfirmDataRequest() -> impl IntoView {
    let token = use_query_map().with_untracked(|q| q.get("token")).unwrap_or_default();
    let outcome = RwSignal::new(None::<Result<Option<String>, ApiError>>);
    leptos::task::spawn_local(async move {
        outcome.set(Some(api::confirm_data_request(token).await));
    });
    let save = move |_| {
        if let Some(Ok(Some(json))) = outcome.get_untracked() {
            let _ = api::save_json(&json, "cptn-data-by-address.json");
        }
    };
    view! {
        <section class="card" id="data-request-confirmed">
            <h1>"Your data request"</h1>
            <p role="status">{move || outcome.get().map(|o| match o {
                Ok(Some(_)) => "Confirmed. Here is what we hold under your address.".to_owned(),
                Ok(None) => "Confirmed. Our staff erase what we hold under your address within 30 days.".to_owned(),
                Err(e) => e.summary(),
            })}</p>
            <Show when=move || matches!(outcome.get(), Some(Ok(Some(_))))>
                <button type="button" id="data-request-save" on:click=save>"Save it as a file"</button>
            </Show>
        </section>
    }
}

/// The public newsletter signup: every list, what subscribing agrees to, and a form for an
/// address (a member's own address is filled in for them, P16).
#[component]
pub fn NewsletterSignup() -> impl IntoView {
    let lists = RwSignal::new(Vec::<api::PublicList>::new());
    let email = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    leptos::task::spawn_local(async move {
        match api::public_lists().await {
            Ok((found, own)) => {
                lists.set(found);
                if let Some(own) = own {
                    email.set(own);
                }
            }
            Err(e) => error.set(Some(e)),
        }
    });
    let subscribe = move |slug: String| {
        error.set(None);
        let address = email.get_untracked();
        leptos::task::spawn_local(async move {
            match api::subscribe(slug, address.clone()).await {
                Ok(()) => notice.set(Some(format!(
                    "We sent a link to {address}: open it to confirm. Nothing is sent before."
                ))),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card" id="newsletter-signup">
            <h1>"Newsletters"</h1>
            <p>"Plain-text e-mail, no tracking, one-click unsubscribe in every message. Partners never receive your address: we send their news ourselves."</p>
            <Field label="Your e-mail address" name="email" id="signup-email" kind="email" autocomplete="email" value=email error=error/>
            <FormError error=error fields=&["email"]/>
            <p role="status" id="signup-notice">{move || notice.get()}</p>
            <ul class="lists" id="signup-lists">
                {move || lists.get().into_iter().map(|list| {
                    let slug = list.slug.clone();
                    view! {
                        <li class="list">
                            <strong>{list.name.clone()}</strong>
                            <p>{list.description.clone()}</p>
                            <p class="hint">{list.consent_wording.clone()}</p>
                            <button type="button" class="subscribe" on:click=move |_| subscribe(slug.clone())>"Subscribe"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
