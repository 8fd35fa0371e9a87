//! The staff terminal (P11): staff key an order taken by phone or from a mailed form, for a
//! member or for a buyer without an account, and take payment one of three ways: a Stripe
//! payment link the buyer completes (`checkout::send_payment_link`), a card the staff
//! member charged in Stripe's own dashboard terminal (recorded here by its payment id,
//! which the server checks with Stripe), or a cheque. Card numbers never pass through this
//! API: a free-text field holding one is refused with `VALIDATION` naming the field, and
//! the value is never logged or stored.

use super::settle::settle;
use super::{OrderView, cart, changeable, checkout::unavailable, view_of};
use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::db::orders::{Buyer, NewItem, NewOrder, Payment};
use crate::error::{Error, Result};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::services::enrolment::{cart_line, enrol_member, offering, take_seat};
use crate::services::payments::gateway::GatewayError;
use crate::state::AppState;
use entity::enums::{AuditKind, FeePurpose, OrderChannel, PaymentMethod, PaymentStatus};
use entity::{course, purchase_order, workshop};
use sea_orm::ConnectionTrait;
use shared::validate::text_without_card;

/// A course (and workshop) a keyed order buys.
pub struct KeyedCourse {
    pub code: String,
    pub workshop_id: Option<i64>,
}

/// What staff key.
pub struct KeyedOrder {
    pub channel: OrderChannel,
    /// The buyer's account; `None` for a buyer without one (public prices).
    pub member_number: Option<i64>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub notes: Option<String>,
    pub courses: Vec<KeyedCourse>,
    /// Fees the member owes (a renewal, a petition) to pay in this order.
    pub fee_ids: Vec<i64>,
}

/// The buyer's details, checked: no field may hold a card number.
fn buyer_of(input: &KeyedOrder) -> Result<Buyer> {
    let optional =
        |field: &'static str, value: &Option<String>, max: usize, multiline: bool| -> Result<Option<String>> {
            match value {
                Some(v) => Ok(Some(text_without_card(field, v, max, false, multiline)?).filter(|v| !v.is_empty())),
                None => Ok(None),
            }
        };
    let mut buyer = Buyer {
        name: optional("name", &input.name, 200, false)?,
        email: optional("email", &input.email, 254, false)?,
        phone: optional("phone", &input.phone, 40, false)?,
        address: optional("address", &input.address, 500, true)?,
        notes: optional("notes", &input.notes, 2000, true)?,
    };
    if let Some(email) = &buyer.email {
        buyer.email = Some(String::from(shared::Email::parse("email", email)?));
    }
    if let Some(phone) = &buyer.phone {
        shared::Phone::parse("phone", phone)?;
    }
    if input.member_number.is_none() && buyer.name.is_none() {
        return Err(Error::invalid("name", "A buyer without an account gives their name."));
    }
    Ok(buyer)
}

/// Staff: keys an order for the phone or a mailed form. Seats are held (and enrolments of
/// a member made) at once, until the order is paid or lapses
/// (`CPTN_PAYMENT_LINK_HOURS`).
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn key_order(state: &AppState, viewer: &Viewer, meta: &RequestMeta, input: KeyedOrder) -> Result<OrderView> {
    let me = authz::require(viewer, Audience::Staff, Subject::NOBODY)?.member_id;
    if input.channel == OrderChannel::Online {
        return Err(Error::invalid("channel", "Staff key phone and mail-in orders."));
    }
    let buyer = buyer_of(&input)?;
    if input.courses.is_empty() && input.fee_ids.is_empty() {
        return Err(Error::invalid("courses", "Add at least one course or fee."));
    }
    let member = match input.member_number {
        Some(number) => Some(
            db::members::find_by_number(&state.db, number)
                .await?
                .ok_or_else(|| Error::invalid("memberNumber", "No member has this number."))?,
        ),
        None => None,
    };
    if member.is_none() && !input.fee_ids.is_empty() {
        return Err(Error::invalid("feeIds", "Only a member owes fees."));
    }
    let mut offerings = Vec::with_capacity(input.courses.len());
    for course in &input.courses {
        offerings.push(offering(state, &course.code, course.workshop_id).await?);
    }
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let order = db::orders::insert(
        write.conn(),
        NewOrder {
            member_id: member.as_ref().map(|m| m.id),
            channel: input.channel,
            placed_ip: meta.ip_string(),
            keyed_by: Some(me),
            expires_at: write.now() + state.settings.payments.payment_link_validity,
            buyer,
        },
        write.now(),
    )
    .await?;
    for (course, workshop) in &offerings {
        match &member {
            Some(member) => {
                add_member_course(write.conn(), &order, member.id, course, workshop.as_ref(), write.now()).await?;
            }
            None => add_public_seat(write.conn(), &order, course, workshop.as_ref()).await?,
        }
    }
    if let Some(member) = &member {
        for &fee_id in &input.fee_ids {
            move_fee(state, write.conn(), &order, member.id, fee_id, write.now()).await?;
        }
    }
    cart::reprice(write.conn(), state, &order, None, write.now()).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::OrderKeyed)
                .about(order.member_id)
                .detail(format!("order {} by {}", order.id, channel_word(order.channel))),
        )
        .await?;
    view_of(&state.db, order.id).await
}

fn channel_word(channel: OrderChannel) -> &'static str {
    match channel {
        OrderChannel::Online => "online",
        OrderChannel::Phone => "phone",
        OrderChannel::MailIn => "mail-in form",
    }
}

async fn add_member_course<C: ConnectionTrait>(
    conn: &C,
    order: &purchase_order::Model,
    member_id: i64,
    course: &course::Model,
    workshop: Option<&workshop::Model>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let (_, fee) = enrol_member(conn, member_id, course, workshop, now).await?;
    if let Some(fee) = fee {
        let line = cart_line(course, workshop);
        db::orders::insert_item(
            conn,
            NewItem {
                order_id: order.id,
                purpose: FeePurpose::Enrolment,
                fee_id: Some(fee.id),
                course_id: line.course_id,
                workshop_id: line.workshop_id,
                description: line.description,
                price_cents: fee.amount_cents,
            },
        )
        .await?;
    }
    Ok(())
}

/// A seat for a buyer without an account, at the public price.
async fn add_public_seat<C: ConnectionTrait>(
    conn: &C,
    order: &purchase_order::Model,
    course: &course::Model,
    workshop: Option<&workshop::Model>,
) -> Result<()> {
    if let Some(workshop) = workshop {
        take_seat(conn, workshop.id).await?;
    }
    let line = cart_line(course, workshop);
    db::orders::insert_item(
        conn,
        NewItem {
            order_id: order.id,
            purpose: FeePurpose::Enrolment,
            fee_id: None,
            course_id: line.course_id,
            workshop_id: line.workshop_id,
            description: line.description,
            price_cents: course.public_price_cents,
        },
    )
    .await?;
    Ok(())
}

/// Puts the member's owed fee in the keyed order, taking it out of their cart if it is
/// there.
async fn move_fee<C: ConnectionTrait>(
    state: &AppState,
    conn: &C,
    order: &purchase_order::Model,
    member_id: i64,
    fee_id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let fee = db::fees::find(conn, fee_id)
        .await?
        .filter(|f| f.member_id == member_id && f.status == PaymentStatus::AwaitingPayment)
        .ok_or_else(|| Error::invalid("feeIds", "The member owes no such fee."))?;
    // A line already in a pending order (the member's cart) moves here as it is.
    let line = match db::orders::pending_item_of_fee(conn, fee.id).await? {
        Some((item, old)) => {
            db::orders::delete_item(conn, item.id).await?;
            cart::reprice(conn, state, &old, old.coupon_id, now).await?;
            cart::CartLine {
                description: item.description,
                course_id: item.course_id,
                workshop_id: item.workshop_id,
            }
        }
        None => cart::describe_fee(conn, &fee).await?,
    };
    let line = NewItem {
        order_id: order.id,
        purpose: fee.purpose,
        fee_id: Some(fee.id),
        course_id: line.course_id,
        workshop_id: line.workshop_id,
        description: line.description,
        price_cents: fee.amount_cents,
    };
    db::orders::insert_item(conn, line).await?;
    Ok(())
}

/// Staff: records that the card payment `payment_intent_id` (taken in Stripe's dashboard)
/// paid pending order `order_id`, after checking with Stripe that it succeeded for the
/// order's amount. `VALIDATION` on `paymentIntentId` says what does not match; `CONFLICT`
/// when the payment already paid another order.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn record_terminal_payment(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    order_id: i64,
    payment_intent_id: &str,
) -> Result<OrderView> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let id = payment_intent_id.trim();
    let well_formed =
        id.starts_with("pi_") && id.len() <= 255 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !well_formed {
        return Err(Error::invalid(
            "paymentIntentId",
            "A Stripe payment id starts with pi_.",
        ));
    }
    let view = changeable(viewer, view_of(&state.db, order_id).await?)?;
    let facts = match state.stripe()?.payment(id).await {
        Ok(facts) => facts,
        Err(GatewayError::NotFound) => return Err(Error::invalid("paymentIntentId", "Stripe has no such payment.")),
        Err(other) => return Err(unavailable(&other)),
    };
    if !facts.succeeded {
        return Err(Error::invalid(
            "paymentIntentId",
            "This payment has not succeeded in Stripe.",
        ));
    }
    if facts.amount_cents != view.order.total_cents || facts.currency != view.order.currency {
        return Err(Error::invalid(
            "paymentIntentId",
            format!(
                "This payment is {} ({}); the order is {}.",
                shared::Money::from_cents(facts.amount_cents)
                    .to_string()
                    .trim_end_matches(" CAD"),
                facts.currency,
                shared::Money::from_cents(view.order.total_cents)
            ),
        ));
    }
    let payment = Payment {
        method: PaymentMethod::StripeTerminal,
        payment_intent_id: Some(id.to_owned()),
        cheque_reference: None,
    };
    record(state, viewer, meta, &view, payment).await
}

/// Staff: records cheque `reference` as paying pending order `order_id`.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn record_cheque(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    order_id: i64,
    reference: &str,
) -> Result<OrderView> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let reference = text_without_card("reference", reference, 100, true, false)?;
    let view = changeable(viewer, view_of(&state.db, order_id).await?)?;
    let payment = Payment {
        method: PaymentMethod::Cheque,
        payment_intent_id: None,
        cheque_reference: Some(reference),
    };
    record(state, viewer, meta, &view, payment).await
}

async fn record(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    view: &OrderView,
    payment: Payment,
) -> Result<OrderView> {
    let me = authz::require(viewer, Audience::Staff, Subject::NOBODY)?.member_id;
    crate::services::certification::not_on_oneself(me, view.order.member_id.unwrap_or(-1))?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let paid = settle(state, &write, view.order.id, payment)
        .await
        .map_err(|e| match e {
            Error::Db(db) => {
                crate::error::conflict_on_unique(db, "paymentIntentId", "This payment already paid another order.")
            }
            other => other,
        })?;
    let Some(paid) = paid else {
        return Err(Error::Conflict {
            field: Some("orderId"),
            message: "This order is no longer awaiting payment.".to_owned(),
        });
    };
    write.record(paid).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::PaymentRecorded)
                .about(view.order.member_id)
                .detail(format!("order {}", view.order.id)),
        )
        .await?;
    state.wake_mailer();
    view_of(&state.db, view.order.id).await
}
