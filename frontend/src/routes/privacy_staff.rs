//! Staff privacy screens. `/staff/privacy`: data requests with their deadlines (overdue
//! first flagged by the `retention` job), the retention periods and what each rule would do
//! now (admins), wipe receipts, and the page-view search. `/staff/newsletters`: lists, the
//! campaign editor with a live preview, sending. Steering only: the server refuses all of
//! it to anyone but staff.

use crate::api::{self, ApiError, CampaignsData, PageView, QueuedRequest, RequestAnswer, RetentionData, WipeReceipt};
use crate::components::field::Field;
use crate::components::form_error::FormError;
use crate::components::login_required::LoginRequired;
use crate::routes::staff::act;
use leptos::prelude::*;

#[component]
pub fn StaffPrivacy() -> impl IntoView {
    view! { <LoginRequired><RequestQueue/><RetentionPanel/><PageViewSearch/></LoginRequired> }
}

fn describe(request: &QueuedRequest) -> String {
    use api::privacy_queue::PrivacyRequestKind as Kind;
    let what = match &request.kind {
        Kind::ERASURE => "erasure".to_owned(),
        Kind::RELINK => format!(
            "relink to {}",
            request.claimed_member_number.clone().unwrap_or_default()
        ),
        Kind::EXPORT => "a copy of what is held under the address".to_owned(),
        Kind::Other(other) => other.to_lowercase(),
    };
    let who = request
        .member_number
        .clone()
        .or_else(|| request.email.clone().map(|e| format!("{e} (no account)")))
        .unwrap_or_default();
    format!(
        "{who} asks for {what}; due {}{}",
        api::when(&request.due_at),
        if request.overdue { " (OVERDUE)" } else { "" }
    )
}

#[allow(clippy::too_many_lines, reason = "the `view!` template reads best in one piece")]
#[component]
fn RequestQueue() -> impl IntoView {
    let requests = RwSignal::new(Vec::<QueuedRequest>::new());
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let reason = RwSignal::new(String::new());
    let load = move || {
        leptos::task::spawn_local(async move {
            match api::privacy_queue(true).await {
                Ok(list) => requests.set(list),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load();
    let answer = move |id: String, how: RequestAnswer| {
        act(
            async move { api::answer_request(id, how).await },
            load,
            error,
            notice,
            "Done.",
        );
    };
    let refuse = move |id: String| {
        let why = reason.get_untracked();
        act(
            async move { api::refuse_request(id, why).await },
            load,
            error,
            notice,
            "Refused.",
        );
    };
    view! {
        <section class="card" id="staff-requests">
            <h1>"Data requests"</h1>
            <p class="hint">"Answer within 30 days. Check a returning member's identity outside the system before linking."</p>
            <p role="status">{move || notice.get()}</p>
            <FormError error=error fields=&["reason"]/>
            <Field label="Reason, when refusing" name="reason" id="refuse-reason" value=reason error=error/>
            <ul id="request-queue">
                {move || requests.get().into_iter().map(|r| {
                    let is_relink = matches!(r.kind, api::privacy_queue::PrivacyRequestKind::RELINK);
                    let (id_do, id_refuse) = (r.id.clone(), r.id.clone());
                    view! {
                        <li class:overdue=r.overdue>
                            <p>{describe(&r)}</p>
                            <p class="hint">{r.message.clone()}</p>
                            <button type="button" class="complete" on:click=move |_| answer(
                                id_do.clone(),
                                if is_relink { RequestAnswer::Link } else { RequestAnswer::Erase },
                            )>{if is_relink { "Link the new login to the old number" } else { "Erase now" }}</button>
                            <button type="button" class="refuse" on:click=move |_| refuse(id_refuse.clone())>"Refuse"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn RetentionPanel() -> impl IntoView {
    let retention = RwSignal::new(None::<RetentionData>);
    let error = RwSignal::new(None::<ApiError>);
    let number = RwSignal::new(String::new());
    let receipts = RwSignal::new(Vec::<WipeReceipt>::new());
    leptos::task::spawn_local(async move {
        match api::retention().await {
            Ok(data) => retention.set(Some(data)),
            Err(e) => error.set(Some(e)),
        }
    });
    let find = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let n = number.get_untracked();
        leptos::task::spawn_local(async move {
            match api::wipe_receipts(n).await {
                Ok(found) => receipts.set(found),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card" id="retention">
            <h2>"Retention"</h2>
            <FormError error=error fields=&["memberNumber"]/>
            <table id="retention-periods">
                <thead><tr><th>"What"</th><th>"Kept"</th><th>"Setting"</th><th>"Then"</th></tr></thead>
                <tbody>
                    {move || retention.get().map(|r| r.retention_policy.into_iter().map(|p| view! {
                        <tr>
                            <td>{p.name}</td>
                            <td>{format!("{} {:?}", p.amount, p.unit).to_lowercase()}</td>
                            <td><code>{p.setting.unwrap_or_else(|| "fixed".to_owned())}</code></td>
                            <td>{p.effect}</td>
                        </tr>
                    }).collect_view())}
                </tbody>
            </table>
            <h3>"If the retention job ran now (dry run)"</h3>
            <ul id="retention-report">
                {move || retention.get().map(|r| r.retention_report.into_iter().map(|line| view! {
                    <li>{format!("{}: {} {}", line.rule, line.count, line.what)}</li>
                }).collect_view())}
            </ul>
            <h3>"Wipe receipts"</h3>
            <form class="inline" on:submit=find novalidate>
                <Field label="Member number" name="memberNumber" id="receipt-number" value=number error=error/>
                <button type="submit">"Show"</button>
            </form>
            <ul id="wipe-receipts">
                {move || receipts.get().into_iter().map(|r| view! {
                    <li>{format!("{} wiped {} ({:?}): {}", r.member_number, api::when(&r.wiped_at), r.reason, r.categories.join(", "))}</li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn PageViewSearch() -> impl IntoView {
    let number = RwSignal::new(String::new());
    let ip = RwSignal::new(String::new());
    let views = RwSignal::new(Vec::<PageView>::new());
    let error = RwSignal::new(None::<ApiError>);
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let n = Some(number.get_untracked()).filter(|n| !n.trim().is_empty());
        let i = Some(ip.get_untracked()).filter(|i| !i.trim().is_empty());
        leptos::task::spawn_local(async move {
            match api::page_views(n, i).await {
                Ok(found) => views.set(found),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card" id="page-views">
            <h2>"Page views"</h2>
            <form class="inline" on:submit=search novalidate>
                <Field label="Member number" name="memberNumber" id="views-number" value=number error=error/>
                <Field label="IP address" name="ip" id="views-ip" value=ip error=error/>
                <button type="submit" id="views-search">"Search"</button>
            </form>
            <FormError error=error fields=&["memberNumber", "ip"]/>
            <table id="page-view-list">
                <tbody>
                    {move || views.get().into_iter().map(|v| view! {
                        <tr>
                            <td>{api::when(&v.occurred_at)}</td>
                            <td>{v.detail.unwrap_or_default()}</td>
                            <td>{v.member_number.unwrap_or_default()}</td>
                            <td>{v.ip.unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
pub fn StaffNewsletters() -> impl IntoView {
    view! { <LoginRequired><CampaignEditor/><NewList/></LoginRequired> }
}

#[allow(clippy::too_many_lines, reason = "the `view!` template reads best in one piece")]
#[component]
fn CampaignEditor() -> impl IntoView {
    let data = RwSignal::new(None::<CampaignsData>);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let list = RwSignal::new(String::new());
    let subject = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let preview = RwSignal::new(String::new());
    let load = move || {
        leptos::task::spawn_local(async move {
            match api::campaigns().await {
                Ok(loaded) => {
                    if list.get_untracked().is_empty()
                        && let Some(first) = loaded.mailing_lists.first()
                    {
                        list.set(first.slug.clone());
                    }
                    data.set(Some(loaded));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load();
    // The preview follows the text as staff write it.
    Effect::new(move |_| {
        let (l, s, b) = (list.get(), subject.get(), body.get());
        if l.is_empty() || s.trim().is_empty() || b.trim().is_empty() {
            preview.set(String::new());
            return;
        }
        leptos::task::spawn_local(async move {
            if let Ok(text) = api::campaign_preview(l, s, b).await {
                preview.set(text);
            }
        });
    });
    let save = move |send: bool| {
        error.set(None);
        let (l, s, b) = (list.get_untracked(), subject.get_untracked(), body.get_untracked());
        leptos::task::spawn_local(async move {
            match api::save_campaign(None, l, s, b, send).await {
                Ok(Some(count)) => notice.set(Some(format!("Queued to {count} confirmed addresses."))),
                Ok(None) => notice.set(Some("Draft saved.".to_owned())),
                Err(e) => error.set(Some(e)),
            }
            load();
        });
    };
    view! {
        <section class="card" id="newsletters">
            <h1>"Newsletters"</h1>
            <p role="status" id="campaign-notice">{move || notice.get()}</p>
            <FormError error=error fields=&["subject", "body", "listSlug"]/>
            <label for="campaign-list">"List"
                <select id="campaign-list" on:change=move |ev| list.set(event_target_value(&ev))>
                    {move || data.get().map(|d| d.mailing_lists.into_iter().map(|l| {
                        let label = l.partner_name.map_or_else(|| l.name.clone(), |p| format!("{} (for {p})", l.name));
                        view! { <option value=l.slug.clone() selected=move || list.get() == l.slug>{label}</option> }
                    }).collect_view())}
                </select>
            </label>
            <Field label="Subject" name="subject" id="campaign-subject" value=subject error=error/>
            <label for="campaign-body">"Text (plain; links stay as you write them)"
                <textarea id="campaign-body" rows="10" prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
            </label>
            <h3>"Preview"</h3>
            <pre id="campaign-preview">{move || preview.get()}</pre>
            <button type="button" id="campaign-save" on:click=move |_| save(false)>"Save draft"</button>
            <button type="button" id="campaign-send" on:click=move |_| save(true)>"Send to the list"</button>
            <h3>"Campaigns"</h3>
            <ul id="campaign-list-sent">
                {move || data.get().map(|d| d.campaigns.edges.into_iter().map(|e| {
                    let c = e.node;
                    view! { <li>{format!("{} — {} — {:?}, {} recipients", c.subject, c.list.name, c.status, c.recipients)}</li> }
                }).collect_view())}
            </ul>
        </section>
    }
}

#[component]
fn NewList() -> impl IntoView {
    let (slug, name, description, partner) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = (
            slug.get_untracked(),
            name.get_untracked(),
            description.get_untracked(),
            partner.get_untracked(),
        );
        act(
            async move { api::create_mailing_list(input.0, input.1, input.2, input.3).await },
            || (),
            error,
            notice,
            "List created: reload to write for it.",
        );
    };
    view! {
        <section class="card" id="new-list">
            <h2>"New list"</h2>
            <p role="status">{move || notice.get()}</p>
            <form class="stack" on:submit=create novalidate>
                <Field label="Slug" name="slug" id="list-slug" hint="e.g. monthly-news" value=slug error=error/>
                <Field label="Name" name="name" id="list-name" value=name error=error/>
                <Field label="Description" name="description" id="list-description" value=description error=error/>
                <Field label="On behalf of (partner, optional)" name="partnerName" id="list-partner" value=partner error=error/>
                <FormError error=error fields=&["slug", "name", "description", "partnerName"]/>
                <button type="submit">"Create list"</button>
            </form>
        </section>
    }
}
