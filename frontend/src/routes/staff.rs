//! Staff screens. `/staff/member`: one member's certification and credit ledger, with the
//! tools to record the exam, reinstate, adjust and correct the ledger, and mark a renewal's
//! fee paid. Steering only: the server refuses all of it to anyone but staff.

use crate::api::{self, ApiError, CertificationStatus, StaffView};
use crate::components::field::Field;
use crate::components::form_error::FormError;
use crate::components::login_required::LoginRequired;
use leptos::prelude::*;

#[component]
pub fn StaffMember() -> impl IntoView {
    view! { <LoginRequired><StaffMemberPage/></LoginRequired> }
}

/// Runs a staff action, then reloads the member (or shows why not).
pub(crate) fn act(
    action: impl std::future::Future<Output = Result<(), ApiError>> + 'static,
    reload: impl Fn() + 'static,
    error: RwSignal<Option<ApiError>>,
    notice: RwSignal<Option<&'static str>>,
    done: &'static str,
) {
    error.set(None);
    leptos::task::spawn_local(async move {
        match action.await {
            Ok(()) => {
                notice.set(Some(done));
                reload();
            }
            Err(e) => error.set(Some(e)),
        }
    });
}

#[allow(clippy::too_many_lines, reason = "the `view!` template reads best in one piece")]
#[component]
fn StaffMemberPage() -> impl IntoView {
    let number = RwSignal::new(String::new());
    let member = RwSignal::new(None::<StaffView>);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let starts_on = RwSignal::new(String::new());
    let cec = RwSignal::new(String::new());
    let earned_on = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let cheque = RwSignal::new(String::new());
    let load = move || {
        let n = number.get_untracked();
        leptos::task::spawn_local(async move {
            match api::staff_member(&n).await {
                Ok(found) => member.set(Some(found)),
                Err(e) => {
                    member.set(None);
                    error.set(Some(e));
                }
            }
        });
    };
    let find = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        notice.set(None);
        load();
    };
    let start_cycle = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let expired = member
            .get_untracked()
            .is_some_and(|m| m.certification.status == CertificationStatus::Expired);
        let (n, d) = (number.get_untracked(), starts_on.get_untracked());
        act(
            async move { api::start_cycle(&n, &d, expired).await },
            load,
            error,
            notice,
            "Certification recorded.",
        );
    };
    let adjust = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (n, c, d, r) = (
            number.get_untracked(),
            cec.get_untracked(),
            earned_on.get_untracked(),
            reason.get_untracked(),
        );
        act(
            async move { api::adjust_cec(&n, &c, &d, &r).await },
            load,
            error,
            notice,
            "Ledger adjusted.",
        );
    };
    let reverse = move |entry: String| {
        let why = reason.get_untracked();
        act(
            async move { api::reverse_entry(&entry, &why).await },
            load,
            error,
            notice,
            "Entry reversed.",
        );
    };
    let pay = move |order: String| {
        let reference = cheque.get_untracked();
        act(
            async move { api::record_cheque(&order, &reference).await },
            load,
            error,
            notice,
            "Cheque recorded: the fee is paid.",
        );
    };

    view! {
        <section class="card">
            <h1>"Member certification"</h1>
            <form class="stack" on:submit=find novalidate>
                <Field label="Member number" name="memberNumber" id="staff-number" value=number error=error/>
                <button type="submit" id="staff-find">"Open"</button>
            </form>
            <p role="status" id="staff-notice">{move || notice.get()}</p>
            <FormError error=error fields=&["memberNumber", "startsOn", "cec", "earnedOn", "reason", "reference"]/>
        </section>
        {move || member.get().map(|m| {
            let c = m.certification.clone();
            let status = format!("{:?}", c.status).to_uppercase();
            view! {
                <section class="card" id="staff-member">
                    <h2>{format!("{} ({})", m.legal_name, m.member_number)}</h2>
                    <dl class="facts">
                        <dt>"Status"</dt><dd id="staff-status">{status}</dd>
                        <dt>"Cycle"</dt><dd>{format!("{} to {}", c.cycle_starts_on.clone().unwrap_or_default(), c.expires_on.clone().unwrap_or_default())}</dd>
                        <dt>"Credit"</dt><dd id="staff-credit">{format!("{} of {} CEC", c.earned_cec, c.required_cec)}</dd>
                    </dl>
                    {c.renewal.clone().map(|r| {
                        let owed = format!("Renewal fee {}: {:?}", r.fee.amount.formatted, r.fee.status);
                        let order = r.fee.pending_order_id.clone();
                        view! {
                            <p id="staff-renewal">{owed}</p>
                            {order.map(|order| view! {
                                <form class="stack" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); pay(order.clone()); } novalidate>
                                    <Field label="Cheque number (the member mailed one)" name="reference" id="staff-cheque-ref" value=cheque error=error/>
                                    <button type="submit" id="staff-record-cheque">"Record the cheque"</button>
                                </form>
                            })}
                        }
                    })}
                    <form class="stack" on:submit=start_cycle novalidate>
                        <Field label="Cycle starts on (exam passed, or reinstatement)" name="startsOn" id="staff-starts-on" kind="date" value=starts_on error=error/>
                        <button type="submit" id="staff-start-cycle">"Record certification"</button>
                    </form>
                    <form class="stack" on:submit=adjust novalidate>
                        <Field label="CEC (e.g. 0.5 or -0.2)" name="cec" id="staff-cec" value=cec error=error/>
                        <Field label="Earned on" name="earnedOn" id="staff-earned-on" kind="date" value=earned_on error=error/>
                        <Field label="Reason (shown to the member; also used for reversals)" name="reason" id="staff-reason" value=reason error=error/>
                        <button type="submit" id="staff-adjust">"Adjust the ledger"</button>
                    </form>
                    <table id="staff-ledger">
                        <thead><tr><th>"Earned"</th><th>"CEC"</th><th class="ua">"Reason"</th><th></th></tr></thead>
                        <tbody>{m.ledger.edges.into_iter().map(|edge| {
                            let entry = edge.node;
                            let id = entry.id.clone();
                            let reversible = entry.reverses.is_none() && !entry.cec.starts_with('-');
                            view! {
                                <tr>
                                    <td>{entry.earned_on.clone()}</td>
                                    <td>{entry.cec.clone()}</td>
                                    <td class="ua">{entry.reason.clone().unwrap_or_default()}</td>
                                    <td>{reversible.then(|| view! {
                                        <button type="button" class="secondary" on:click=move |_| reverse(id.clone())>"Reverse"</button>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </table>
                </section>
            }
        })}
    }
}
