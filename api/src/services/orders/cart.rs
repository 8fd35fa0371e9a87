//! The cart: a member's pending online order. Every fee a member comes to owe lands in it
//! with the price charged then; `addToCart` puts back a renewal or petition fee whose order
//! lapsed; removing a line gives its seat back. Each change reprices the order and renews
//! its hold.

use super::{OrderView, changeable, pricing, view_of};
use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::db::orders::{Buyer, NewItem, NewOrder};
use crate::error::{Error, Result};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::enums::{AuditKind, EnrolmentStatus, FeePurpose, OrderChannel, PaymentStatus};
use entity::{fee, order_item, purchase_order};
use sea_orm::ConnectionTrait;

/// What a line is, besides its fee.
pub struct CartLine {
    pub description: String,
    pub course_id: Option<i64>,
    pub workshop_id: Option<i64>,
}

/// Puts `fee` into its member's cart (creating the cart) inside the caller's transaction,
/// and renews the cart's hold.
pub(crate) async fn put_fee_in_cart<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    fee: &fee::Model,
    line: CartLine,
    ip: Option<String>,
    now: DateTime<Utc>,
) -> Result<purchase_order::Model> {
    let order = match db::orders::cart_of(conn, fee.member_id).await? {
        Some(order) => order,
        None => {
            db::orders::insert(
                conn,
                NewOrder {
                    member_id: Some(fee.member_id),
                    channel: OrderChannel::Online,
                    placed_ip: ip,
                    keyed_by: None,
                    expires_at: now + state.settings.payments.hold,
                    buyer: Buyer::default(),
                },
                now,
            )
            .await?
        }
    };
    db::orders::insert_item(
        conn,
        NewItem {
            order_id: order.id,
            purpose: fee.purpose,
            fee_id: Some(fee.id),
            course_id: line.course_id,
            workshop_id: line.workshop_id,
            description: line.description,
            price_cents: fee.amount_cents,
        },
    )
    .await?;
    reprice(conn, state, &order, order.coupon_id, now).await?;
    Ok(order)
}

/// Recomputes a pending order's amounts with coupon `coupon_id` and renews its hold. A
/// coupon that no longer applies to any line is dropped and its use given back.
pub(crate) async fn reprice<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    order: &purchase_order::Model,
    coupon_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    let items = db::orders::items_of(conn, &[order.id]).await?;
    let lines = lines_of(&items);
    let mut coupon = match coupon_id {
        Some(id) => db::coupons::find(conn, id).await?,
        None => None,
    };
    if let Some(c) = &coupon
        && !lines.iter().any(|l| pricing::applies(c, l))
    {
        db::coupons::release_use(conn, c.id).await?;
        coupon = None;
    }
    let totals = pricing::price(&lines, coupon.as_ref(), &state.settings.payments.taxes);
    let hold = now + state.settings.payments.hold;
    db::orders::set_totals(
        conn,
        order.id,
        coupon.as_ref().map(|c| c.id),
        &totals,
        hold.max(order.expires_at),
        now,
    )
    .await?;
    Ok(())
}

pub(crate) fn lines_of(items: &[order_item::Model]) -> Vec<pricing::Line> {
    items
        .iter()
        .map(|i| pricing::Line {
            id: i.id,
            price_cents: i.price_cents,
            course_id: i.course_id,
            workshop_id: i.workshop_id,
        })
        .collect()
}

/// Undoes what a line of an unpaid order holds (inside the caller's transaction): an
/// enrolment awaiting payment goes and its seat is freed, its fee is no longer owed; a
/// keyed seat is freed; a renewal or petition fee stays owed (it can go in a new cart).
pub(crate) async fn release_item<C: ConnectionTrait>(conn: &C, item: &order_item::Model) -> Result<()> {
    match item.fee_id {
        Some(fee_id) if item.purpose == FeePurpose::Enrolment => {
            if let Some(enrolment) = db::enrolment::enrolment_paid_by(conn, fee_id).await?
                && enrolment.status == EnrolmentStatus::AwaitingPayment
            {
                db::enrolment::delete_enrolment(conn, enrolment.id).await?;
                if let Some(workshop) = enrolment.workshop_id {
                    db::enrolment::release_seat(conn, workshop).await?;
                }
            }
            db::fees::set_status(conn, fee_id, PaymentStatus::AwaitingPayment, PaymentStatus::Cancelled).await?;
        }
        Some(_) => {}
        None => {
            if let Some(workshop) = item.workshop_id {
                db::enrolment::release_seat(conn, workshop).await?;
            }
        }
    }
    Ok(())
}

/// The caller's cart, if they have one.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn cart(state: &AppState, viewer: &Viewer) -> Result<Option<OrderView>> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?.member_id;
    match db::orders::cart_of(&state.db, me).await? {
        Some(order) => Ok(Some(view_of(&state.db, order.id).await?)),
        None => Ok(None),
    }
}

/// Puts the caller's owed fee `fee_id` (a renewal or petition whose order lapsed) in their
/// cart. `CONFLICT` when it is not owed or already in a pending order.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn add_to_cart(state: &AppState, viewer: &Viewer, meta: &RequestMeta, fee_id: i64) -> Result<OrderView> {
    let me = authz::require(viewer, Audience::Member, Subject::NOBODY)?.member_id;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let fee = db::fees::find(write.conn(), fee_id)
        .await?
        .filter(|f| f.member_id == me)
        .ok_or(Error::NotFound)?;
    let conflict = |message: &str| Error::Conflict {
        field: Some("feeId"),
        message: message.to_owned(),
    };
    if fee.status != PaymentStatus::AwaitingPayment {
        return Err(conflict("This fee is not owed."));
    }
    if db::orders::pending_item_of_fee(write.conn(), fee.id).await?.is_some() {
        return Err(conflict("This fee is already in an order awaiting payment."));
    }
    let line = describe_fee(write.conn(), &fee).await?;
    let order = put_fee_in_cart(write.conn(), state, &fee, line, meta.ip_string(), write.now()).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::CartChanged)
                .about(me)
                .detail(format!("order {}: fee {} added", order.id, fee.id)),
        )
        .await?;
    view_of(&state.db, order.id).await
}

/// What a fee's line says.
pub(crate) async fn describe_fee<C: ConnectionTrait>(conn: &C, fee: &fee::Model) -> Result<CartLine> {
    let plain = |description: String| CartLine {
        description,
        course_id: None,
        workshop_id: None,
    };
    Ok(match fee.purpose {
        FeePurpose::Renewal => plain("Certification renewal".to_owned()),
        FeePurpose::Petition => match db::petitions::paid_by(conn, fee.id).await? {
            Some(p) => plain(format!("Petition review: {}", p.title)),
            None => plain("Petition review".to_owned()),
        },
        FeePurpose::Enrolment => {
            let enrolment = db::enrolment::enrolment_paid_by(conn, fee.id)
                .await?
                .ok_or(Error::NotFound)?;
            let course = db::catalogue::courses_by_id(conn, &[enrolment.course_id])
                .await?
                .pop()
                .ok_or(Error::NotFound)?;
            CartLine {
                description: format!("{} {}", course.code, course.title),
                course_id: Some(course.id),
                workshop_id: enrolment.workshop_id,
            }
        }
    })
}

/// Removes line `item_id` from a pending order (the caller's cart, or a keyed order for
/// staff) and gives back what it held.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn remove_from_cart(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    item_id: i64,
) -> Result<OrderView> {
    authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let item = db::orders::find_item(write.conn(), item_id)
        .await?
        .ok_or(Error::NotFound)?;
    let view = changeable(viewer, view_of(write.conn(), item.order_id).await?)?;
    release_item(write.conn(), &item).await?;
    db::orders::delete_item(write.conn(), item.id).await?;
    reprice(write.conn(), state, &view.order, view.order.coupon_id, write.now()).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::CartChanged)
                .about(view.order.member_id)
                .detail(format!("order {}: item {} removed", view.order.id, item.id)),
        )
        .await?;
    view_of(&state.db, view.order.id).await
}
