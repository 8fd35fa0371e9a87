//! Orders. `/cart`: the member's pending order, coupons, and "Pay" (Stripe's page, then back
//! to the order). `/orders/:id`: an order with its state (updating while Stripe's
//! confirmation is on its way), receipt, refunds and cancellation; for staff also the
//! buyer's details while kept, payment at the terminal and refunds. `/orders`: the member's
//! order history. `/staff/orders`: staff's order search. `/staff/terminal`: a phone or
//! mail-in order, prefilled from the member record when the buyer is a member (P16).

use super::staff::act;
use crate::api::{
    self, ApiError, FoundOrder, KeyedOrderForm, OrderChannel, OrderStatus, OrderSummary, OrderView, StaffExtras,
};
use crate::components::field::Field;
use crate::components::form_error::FormError;
use crate::components::login_required::LoginRequired;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// Sends the browser to `url` (Stripe's payment page).
fn go_to(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(url);
    }
}

/// The amounts of an order, as a definition list.
fn totals(order: &OrderView) -> impl IntoView + use<> {
    let coupon = order
        .coupon_code
        .clone()
        .map(|c| format!(" (coupon {c})"))
        .unwrap_or_default();
    view! {
        <dl class="facts totals">
            <dt>"Subtotal"</dt><dd>{order.subtotal.formatted.clone()}</dd>
            {(order.discount.cents > 0).then(|| view! {
                <dt>{format!("Discount{coupon}")}</dt><dd id="order-discount">{format!("-{}", order.discount.formatted)}</dd>
            })}
            {order.tax_lines.iter().map(|t| view! {
                <dt>{format!("{} {}%", t.name, t.rate_percent)}</dt><dd>{t.amount.formatted.clone()}</dd>
            }).collect_view()}
            <dt>"Total"</dt><dd id="order-total">{order.total.formatted.clone()}</dd>
            {(order.refunded.cents > 0).then(|| view! {
                <dt>"Refunded"</dt><dd id="order-refunded">{order.refunded.formatted.clone()}</dd>
            })}
        </dl>
    }
}

#[component]
pub fn Cart() -> impl IntoView {
    view! { <LoginRequired><CartPage/></LoginRequired> }
}

#[allow(clippy::too_many_lines, reason = "the `view!` template reads best in one piece")]
#[component]
fn CartPage() -> impl IntoView {
    let cart = RwSignal::new(None::<OrderView>);
    let buyer = RwSignal::new((String::new(), String::new()));
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let code = RwSignal::new(String::new());
    let load = move || {
        leptos::task::spawn_local(async move {
            match api::my_cart().await {
                Ok((found, email, name)) => {
                    cart.set(found);
                    buyer.set((email, name));
                }
                Err(e) => error.set(Some(e)),
            }
            loaded.set(true);
        });
    };
    load();
    let order_id = move || cart.get_untracked().map(|c| c.id).unwrap_or_default();
    let remove = move |item: String| {
        act(
            async move { api::remove_from_cart(item).await },
            load,
            error,
            notice,
            "Removed.",
        );
    };
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (id, c) = (order_id(), code.get_untracked());
        act(
            async move { api::apply_coupon(id, c).await },
            load,
            error,
            notice,
            "Coupon applied.",
        );
    };
    let drop_coupon = move |_| {
        let id = order_id();
        act(
            async move { api::remove_coupon(id).await },
            load,
            error,
            notice,
            "Coupon removed.",
        );
    };
    let pay = move |_| {
        let id = order_id();
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::start_checkout(id).await {
                Ok(url) => go_to(&url),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card" id="cart">
            <h1>"Your cart"</h1>
            <p role="status" id="cart-notice">{move || notice.get()}</p>
            {move || match cart.get().filter(|c| !c.items.is_empty()) {
                None => view! {
                    <p id="cart-empty" hidden=move || !loaded.get()>"Your cart is empty. "<A href="/courses">"Browse courses"</A></p>
                }.into_any(),
                Some(order) => {
                    let held = order.expires_at.clone().map(|at| format!("Seats are held until {}.", api::when(&at)));
                    let (email, name) = buyer.get();
                    view! {
                        <table id="cart-items">
                            <thead><tr><th>"Item"</th><th>"Price"</th><th></th></tr></thead>
                            <tbody>{order.items.iter().map(|item| {
                                let id = item.id.clone();
                                view! {
                                    <tr>
                                        <td>{item.description.clone()}</td>
                                        <td>{item.price.formatted.clone()}</td>
                                        <td><button type="button" class="secondary remove-item" on:click=move |_| remove(id.clone())>"Remove"</button></td>
                                    </tr>
                                }
                            }).collect_view()}</tbody>
                        </table>
                        {totals(&order)}
                        {order.coupon_code.is_some().then(|| view! {
                            <button type="button" class="secondary" id="remove-coupon" on:click=drop_coupon>"Remove the coupon"</button>
                        })}
                        <p class="hint">{held}</p>
                        {order.payment_declined.then(|| view! {
                            <p class="form-error" id="cart-declined">"Your last payment attempt was declined. Try again, or use another card."</p>
                        })}
                        <form class="stack inline" on:submit=apply novalidate>
                            <Field label="Coupon code" name="code" id="coupon-code" value=code error=error/>
                            <button type="submit" class="secondary" id="apply-coupon">"Apply"</button>
                        </form>
                        <p class="hint" id="cart-buyer">{format!("Buying as {name}; the receipt goes to {email}. Stripe's page asks for your card; we never see it.")}</p>
                        <button type="button" id="pay" on:click=pay>"Pay with a card"</button>
                    }.into_any()
                }
            }}
            <FormError error=error fields=&["code"] id="cart-error"/>
        </section>
    }
}

#[component]
pub fn OrderPage() -> impl IntoView {
    view! { <LoginRequired><OrderDetail/></LoginRequired> }
}

/// How often the order page asks again while Stripe's confirmation is on its way, and for
/// how long.
const POLL: std::time::Duration = std::time::Duration::from_millis(1500);
const POLLS: u32 = 40;

#[allow(clippy::too_many_lines, reason = "the `view!` template reads best in one piece")]
#[component]
fn OrderDetail() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with_untracked(|p| p.get("id").unwrap_or_default());
    let returning = query.with_untracked(|q| q.get("paid").is_some());
    let order = RwSignal::new(None::<OrderView>);
    let extras = RwSignal::new(None::<StaffExtras>);
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<&'static str>);
    let waiting = RwSignal::new(false);
    let polls = StoredValue::new(0_u32);
    let (intent, cheque, link) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(None::<String>),
    );
    let load = move || {
        let id = id();
        leptos::task::spawn_local(async move {
            match api::one_order(id.clone()).await {
                Ok(found) => order.set(Some(found)),
                Err(e) => error.set(Some(e)),
            }
            // Staff see more; anyone else is refused, which is no error on this page.
            extras.set(api::staff_extras(id).await.ok());
        });
    };
    load();
    // Back from Stripe: the webhook may land a moment later; ask again until it has.
    Effect::new(move |_| {
        let pending = order.get().is_some_and(|o| o.status == OrderStatus::Pending);
        waiting.set(returning && pending && polls.get_value() < POLLS);
        if waiting.get_untracked() {
            polls.update_value(|n| *n += 1);
            set_timeout(load, POLL);
        }
    });
    let cancel = move |items: Option<Vec<String>>| {
        let id = id();
        act(
            async move { api::cancel_order(id, items).await },
            load,
            error,
            notice,
            "Done: see the order's state and refunds below.",
        );
    };
    let refund = move |items: Option<Vec<String>>| {
        let id = id();
        act(
            async move { api::refund_order(id, items).await },
            load,
            error,
            notice,
            "Refunded.",
        );
    };
    let send_link = move |_| {
        let id = id();
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::send_payment_link(id).await {
                Ok(url) => link.set(Some(url)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let record_card = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (id, pi) = (id(), intent.get_untracked());
        act(
            async move { api::record_terminal_payment(id, pi).await },
            load,
            error,
            notice,
            "Payment recorded.",
        );
    };
    let record_cheque = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (id, reference) = (id(), cheque.get_untracked());
        act(
            async move { api::record_cheque_payment(id, reference).await },
            load,
            error,
            notice,
            "Cheque recorded.",
        );
    };
    let pay_again = move |_| {
        let id = id();
        leptos::task::spawn_local(async move {
            match api::start_checkout(id).await {
                Ok(url) => go_to(&url),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card" id="order">
            {move || order.get().map(|o| {
                let staff = extras.get().is_some();
                let paid = matches!(o.status, OrderStatus::Paid | OrderStatus::PartiallyRefunded);
                let open_items = o.items.iter().filter(|i| i.refunded_at.is_none()).count();
                let mine_to_pay = o.status == OrderStatus::Pending && o.channel == OrderChannel::Online && !staff;
                view! {
                    <h1>{format!("Order {}", o.id)}</h1>
                    <p class="status-line">"State: "<strong id="order-status">{o.status.label()}</strong>
                        {o.paid_at.clone().map(|at| format!(" · paid {}", api::when(&at)))}</p>
                    {o.member_name.clone().map(|n| view! { <p class="hint">{format!("{n} ({})", o.member_number.clone().unwrap_or_default())}</p> })}
                    <table id="order-items">
                        <thead><tr><th>"Item"</th><th>"Price"</th><th>"Total"</th><th></th></tr></thead>
                        <tbody>{o.items.iter().map(|item| {
                            let item_id = item.id.clone();
                            let again = item.id.clone();
                            let refunded = item.refunded_at.is_some();
                            view! {
                                <tr>
                                    <td>{item.description.clone()}{refunded.then_some(" (refunded)")}</td>
                                    <td>{item.price.formatted.clone()}</td>
                                    <td>{item.total.formatted.clone()}</td>
                                    <td>
                                        {(paid && !refunded && open_items > 1 && o.cancellable && !staff).then(|| view! {
                                            <button type="button" class="secondary cancel-item" on:click=move |_| cancel(Some(vec![item_id.clone()]))>"Cancel this item"</button>
                                        })}
                                        {(paid && !refunded && staff).then(|| view! {
                                            <button type="button" class="secondary refund-item" on:click=move |_| refund(Some(vec![again.clone()]))>"Refund"</button>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </table>
                    {totals(&o)}
                    {o.refunds.iter().map(|r| view! {
                        <p class="refund">{format!("Refund of {} on {}: {}", r.amount.formatted, api::when(&r.created_at),
                            if r.status == api::RefundStatus::Succeeded { "on its way back" } else { "waiting for Stripe's confirmation" })}</p>
                    }).collect_view()}
                    {mine_to_pay.then(|| view! {
                        {o.payment_declined.then(|| view! { <p class="form-error">"The last payment attempt was declined."</p> })}
                        <button type="button" id="order-pay" on:click=pay_again>"Pay with a card"</button>
                    })}
                    {(o.cancellable && !staff).then(|| view! {
                        <button type="button" class="secondary" id="cancel-order" on:click=move |_| cancel(None)>
                            {if paid { "Cancel the order and refund it" } else { "Cancel the order" }}
                        </button>
                    })}
                    {o.receipt.clone().map(|r| view! { <h2>"Receipt"</h2><pre id="order-receipt">{r}</pre> })}
                }
            })}
            <p role="status" id="order-waiting" hidden=move || !waiting.get()>"Waiting for Stripe to confirm the payment…"</p>
            <p role="status" id="order-notice">{move || notice.get()}</p>
            <FormError error=error fields=&["paymentIntentId", "reference"] id="order-error"/>
        </section>
        {move || extras.get().zip(order.get()).map(|(x, o)| {
            let pending = o.status == OrderStatus::Pending;
            let paid = matches!(o.status, OrderStatus::Paid | OrderStatus::PartiallyRefunded);
            view! {
                <section class="card" id="order-staff">
                    <h2>"For staff"</h2>
                    <dl class="facts">
                        <dt>"Channel"</dt><dd>{o.channel.label()}</dd>
                        <dt>"Placed from"</dt><dd>{x.placed_ip.clone().unwrap_or_default()}</dd>
                        <dt>"Stripe payment"</dt><dd>{x.stripe_payment_id.clone().unwrap_or_default()}</dd>
                        <dt>"Cheque"</dt><dd>{x.cheque_reference.clone().unwrap_or_default()}</dd>
                    </dl>
                    {x.buyer.clone().map(|b| view! {
                        <h3>"Buyer (erased once the order is processed)"</h3>
                        <dl class="facts" id="order-buyer">
                            <dt>"Name"</dt><dd>{b.name.unwrap_or_default()}</dd>
                            <dt>"E-mail"</dt><dd>{b.email.unwrap_or_default()}</dd>
                            <dt>"Phone"</dt><dd>{b.phone.unwrap_or_default()}</dd>
                            <dt>"Address"</dt><dd>{b.address.unwrap_or_default()}</dd>
                            <dt>"Notes"</dt><dd>{b.notes.unwrap_or_default()}</dd>
                        </dl>
                    })}
                    {x.shredded.then(|| view! { <p class="hint">"The buyer's details were erased when the order was processed."</p> })}
                    {pending.then(|| view! {
                        <button type="button" class="secondary" id="send-link" on:click=send_link>"Send a payment link"</button>
                        {move || link.get().map(|url| view! { <p id="payment-link">{url}</p> })}
                        <form class="stack" on:submit=record_card novalidate>
                            <Field label="Card charged in Stripe's dashboard: its payment id (pi_…)" name="paymentIntentId" id="terminal-intent" value=intent error=error/>
                            <button type="submit" id="record-card">"Record the card payment"</button>
                        </form>
                        <form class="stack" on:submit=record_cheque novalidate>
                            <Field label="Cheque number" name="reference" id="cheque-reference" value=cheque error=error/>
                            <button type="submit" id="record-cheque">"Record the cheque"</button>
                        </form>
                        <button type="button" class="secondary" id="staff-cancel" on:click=move |_| cancel(None)>"Cancel the order"</button>
                    })}
                    {paid.then(|| view! {
                        <button type="button" id="refund-order" on:click=move |_| refund(None)>"Refund everything not yet refunded"</button>
                    })}
                </section>
            }
        })}
    }
}

#[component]
pub fn MyOrders() -> impl IntoView {
    view! { <LoginRequired><OrderHistory/></LoginRequired> }
}

#[component]
fn OrderHistory() -> impl IntoView {
    let orders = RwSignal::new(Vec::<OrderSummary>::new());
    let error = RwSignal::new(None::<ApiError>);
    leptos::task::spawn_local(async move {
        match api::my_orders().await {
            Ok(list) => orders.set(list),
            Err(e) => error.set(Some(e)),
        }
    });
    view! {
        <section class="card" id="orders">
            <h1>"My orders"</h1>
            <ul class="orders">{move || orders.get().into_iter().map(|o| view! {
                <li>
                    <A href=format!("/orders/{}", o.id)>{format!("Order {}", o.id)}</A>
                    {format!(" · {} · {} · {}", api::when(&o.created_at), o.status.label(), o.total.formatted)}
                    <span class="hint">{o.items.first().map(|i| format!(" · {}", i.description))}</span>
                </li>
            }).collect_view()}</ul>
            <FormError error=error/>
        </section>
    }
}

#[component]
pub fn StaffOrders() -> impl IntoView {
    view! { <LoginRequired><OrderSearch/></LoginRequired> }
}

/// The filter chosen; "Any" (empty) is no filter, never the catch-all `Unknown`.
fn status_named(value: &str) -> Option<OrderStatus> {
    serde_json::from_value(serde_json::Value::String(value.to_owned()))
        .ok()
        .filter(|s| *s != OrderStatus::Unknown)
}

fn channel_named(value: &str) -> Option<OrderChannel> {
    serde_json::from_value(serde_json::Value::String(value.to_owned()))
        .ok()
        .filter(|c| *c != OrderChannel::Unknown)
}

#[component]
fn OrderSearch() -> impl IntoView {
    let (status, channel, number) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let found = RwSignal::new(Vec::<FoundOrder>::new());
    let error = RwSignal::new(None::<ApiError>);
    let search = move || {
        let (s, c, n) = (status.get_untracked(), channel.get_untracked(), number.get_untracked());
        error.set(None);
        leptos::task::spawn_local(async move {
            let n = (!n.trim().is_empty()).then(|| n.trim().to_owned());
            match api::staff_orders(status_named(&s), channel_named(&c), n).await {
                Ok(list) => found.set(list),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    search();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        search();
    };
    view! {
        <section class="card" id="staff-orders">
            <h1>"Orders"</h1>
            <p><A href="/staff/terminal" attr:id="open-terminal">"Key a phone or mail-in order"</A></p>
            <form class="stack inline" on:submit=submit novalidate>
                <label for="order-status-filter">"State"
                    <select id="order-status-filter" on:change=move |ev| status.set(event_target_value(&ev))>
                        <option value="">"Any"</option>
                        <option value="PENDING">"Awaiting payment"</option>
                        <option value="PAID">"Paid"</option>
                        <option value="PARTIALLY_REFUNDED">"Partly refunded"</option>
                        <option value="REFUNDED">"Refunded"</option>
                        <option value="EXPIRED">"Expired"</option>
                        <option value="CANCELLED">"Cancelled"</option>
                    </select>
                </label>
                <label for="order-channel-filter">"Channel"
                    <select id="order-channel-filter" on:change=move |ev| channel.set(event_target_value(&ev))>
                        <option value="">"Any"</option>
                        <option value="ONLINE">"Online"</option>
                        <option value="PHONE">"Phone"</option>
                        <option value="MAIL_IN">"Mail-in"</option>
                    </select>
                </label>
                <Field label="Member number" name="memberNumber" id="order-member-filter" value=number error=error/>
                <button type="submit" id="search-orders">"Search"</button>
            </form>
            <table id="found-orders">
                <thead><tr><th>"Order"</th><th>"When"</th><th>"State"</th><th>"Channel"</th><th>"Member"</th><th>"Total"</th></tr></thead>
                <tbody>{move || found.get().into_iter().map(|o| view! {
                    <tr>
                        <td><A href=format!("/orders/{}", o.id)>{o.id.clone()}</A></td>
                        <td>{api::when(&o.created_at)}</td>
                        <td>{o.status.label()}</td>
                        <td>{o.channel.label()}</td>
                        <td>{o.member_number.clone().unwrap_or_default()}</td>
                        <td>{o.total.formatted.clone()}</td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
            <FormError error=error fields=&["memberNumber"]/>
        </section>
    }
}

#[component]
pub fn StaffTerminal() -> impl IntoView {
    view! { <LoginRequired><Terminal/></LoginRequired> }
}

#[allow(clippy::too_many_lines, reason = "the `view!` template reads best in one piece")]
#[component]
fn Terminal() -> impl IntoView {
    let navigate = use_navigate();
    let mail_in = RwSignal::new(false);
    let [number, name, email, phone, address, notes, course, workshop] =
        std::array::from_fn(|_| RwSignal::new(String::new()));
    let error = RwSignal::new(None::<ApiError>);
    let prefill = move |_| {
        let n = number.get_untracked();
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::terminal_member(n).await {
                Ok((legal_name, tel, postal)) => {
                    name.set(legal_name);
                    phone.set(tel);
                    address.set(postal);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let member = !number.get_untracked().trim().is_empty();
        // A member's receipts go to their account: their details need not be kept twice.
        let keep = |signal: RwSignal<String>| if member { String::new() } else { signal.get_untracked() };
        let form = KeyedOrderForm {
            mail_in: mail_in.get_untracked(),
            member_number: number.get_untracked(),
            name: keep(name),
            email: keep(email),
            phone: keep(phone),
            address: keep(address),
            notes: notes.get_untracked(),
            course: course.get_untracked(),
            workshop: workshop.get_untracked(),
        };
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match api::key_order(form).await {
                Ok(id) => navigate(&format!("/orders/{id}"), NavigateOptions::default()),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card" id="terminal">
            <h1>"Key a phone or mail-in order"</h1>
            <p class="hint">"Never write a card number here: charge cards in Stripe's dashboard and record the payment on the order."</p>
            <form class="stack" on:submit=submit novalidate>
                <label for="terminal-mail-in">
                    <input type="checkbox" id="terminal-mail-in" prop:checked=move || mail_in.get()
                        on:change=move |ev| mail_in.set(event_target_checked(&ev))/>
                    " From a mailed form (otherwise: by phone)"
                </label>
                <Field label="Member number (if the buyer is a member)" name="memberNumber" id="terminal-member" value=number error=error/>
                <button type="button" class="secondary" id="terminal-prefill" on:click=prefill>"Fill in from the member record"</button>
                <Field label="Name" name="name" id="terminal-name" value=name error=error autocomplete="off"/>
                <Field label="E-mail (receipts and the payment link go there)" name="email" id="terminal-email" value=email error=error autocomplete="off"/>
                <Field label="Phone" name="phone" id="terminal-phone" value=phone error=error autocomplete="off"/>
                <Field label="Postal address" name="address" id="terminal-address" value=address error=error autocomplete="off"/>
                <Field label="Notes" name="notes" id="terminal-notes" value=notes error=error autocomplete="off"/>
                <Field label="Course code" name="code" id="terminal-course" value=course error=error/>
                <Field label="Workshop id (for a dated session)" name="workshop" id="terminal-workshop" value=workshop error=error/>
                <button type="submit" id="terminal-submit">"Key the order"</button>
            </form>
            <FormError error=error fields=&["memberNumber", "name", "email", "phone", "address", "notes", "code", "workshop"]/>
        </section>
    }
}
