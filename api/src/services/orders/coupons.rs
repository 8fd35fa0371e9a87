//! Coupons (the coupon half of P20): staff create them; a buyer applies one to a pending
//! order, which takes one of its uses at once (one conditional update, so of two orders
//! racing for the last use one gets it) and gives it back if the order lapses, is
//! cancelled or drops it. Every refusal says why the coupon does not apply.

use super::{OrderView, cart, changeable, pricing, view_of};
use crate::auth::{RequestMeta, Viewer};
use crate::authz::{self, Audience, Subject};
use crate::db;
use crate::db::coupons::NewCoupon;
use crate::error::{Error, Result, conflict_on_unique};
use crate::page::{Page, PageRequest};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use entity::coupon;
use entity::enums::{AuditKind, CouponKind, CouponScope};
use shared::validate::text_without_card;

/// A coupon as staff describe it.
pub struct CouponInput {
    pub code: String,
    pub kind: CouponKind,
    /// Percent off (percent coupons).
    pub percent: Option<i32>,
    /// Amount off (fixed coupons).
    pub amount: Option<shared::Money>,
    pub scope: CouponScope,
    /// The course code of a `course` coupon.
    pub course: Option<String>,
    pub max_uses: i32,
    pub expires_at: Option<DateTime<Utc>>,
    /// Only this member may use it.
    pub member_number: Option<i64>,
    pub description: String,
}

/// A code as stored: trimmed, upper case; 3 to 40 of `A-Z`, `0-9`, `-`.
fn normal_code(raw: &str) -> Result<String> {
    let code = raw.trim().to_uppercase();
    let valid = (3..=40).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if valid {
        Ok(code)
    } else {
        Err(Error::invalid(
            "code",
            "A coupon code is 3 to 40 letters, digits or dashes.",
        ))
    }
}

/// Staff: creates a coupon. `CONFLICT` when the code exists.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn create_coupon(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    input: CouponInput,
) -> Result<coupon::Model> {
    let me = authz::require(viewer, Audience::Staff, Subject::NOBODY)?.member_id;
    let new = checked(state, input, me).await?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let coupon = db::coupons::insert(write.conn(), new, write.now())
        .await
        .map_err(|e| conflict_on_unique(e, "code", "A coupon with this code exists."))?;
    write
        .commit(
            AuditRecord::new(AuditKind::CouponCreated)
                .about(coupon.member_id)
                .detail(format!("coupon {} ({})", coupon.id, coupon.code)),
        )
        .await?;
    Ok(coupon)
}

/// The stored form of `input`, every rule checked.
async fn checked(state: &AppState, input: CouponInput, me: i64) -> Result<NewCoupon> {
    let code = normal_code(&input.code)?;
    let (percent, amount_cents) = match input.kind {
        CouponKind::Percent => match input.percent {
            Some(p) if (1..=100).contains(&p) => (Some(p), None),
            _ => {
                return Err(Error::invalid(
                    "percent",
                    "A percent coupon takes 1 to 100 percent off.",
                ));
            }
        },
        CouponKind::Fixed => match input.amount {
            Some(m) if m.cents > 0 => (None, Some(m.cents)),
            _ => {
                return Err(Error::invalid(
                    "amount",
                    "A fixed coupon takes an amount above zero off.",
                ));
            }
        },
    };
    let course_id = match (input.scope, input.course.as_deref()) {
        (CouponScope::Course, Some(code)) => Some(
            db::catalogue::course_by_code(&state.db, code.trim().to_uppercase().as_str())
                .await?
                .ok_or_else(|| Error::invalid("course", "No course has this code."))?
                .id,
        ),
        (CouponScope::Course, None) => return Err(Error::invalid("course", "Name the course it applies to.")),
        (_, Some(_)) => return Err(Error::invalid("course", "Only a course coupon names a course.")),
        (_, None) => None,
    };
    if !(1..=100_000).contains(&input.max_uses) {
        return Err(Error::invalid("maxUses", "A coupon has 1 to 100000 uses."));
    }
    if input.expires_at.is_some_and(|at| at <= state.now()) {
        return Err(Error::invalid("expiresAt", "The expiry must be in the future."));
    }
    let member_id = match input.member_number {
        Some(number) => Some(
            db::members::find_by_number(&state.db, number)
                .await?
                .ok_or_else(|| Error::invalid("memberNumber", "No member has this number."))?
                .id,
        ),
        None => None,
    };
    Ok(NewCoupon {
        code,
        kind: input.kind,
        percent,
        amount_cents,
        scope: input.scope,
        course_id,
        max_uses: input.max_uses,
        expires_at: input.expires_at,
        member_id,
        description: text_without_card("description", &input.description, 200, false, false)?,
        created_by: Some(me),
    })
}

/// Staff: retires coupon `code`: it applies to no new order.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn retire_coupon(state: &AppState, viewer: &Viewer, meta: &RequestMeta, code: &str) -> Result<coupon::Model> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let code = normal_code(code)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let coupon = db::coupons::by_code(write.conn(), &code)
        .await?
        .ok_or(Error::NotFound)?;
    if !db::coupons::retire(write.conn(), coupon.id, write.now()).await? {
        return Err(Error::Conflict {
            field: Some("code"),
            message: "This coupon is already retired.".to_owned(),
        });
    }
    write
        .commit(AuditRecord::new(AuditKind::CouponRetired).detail(format!("coupon {} ({})", coupon.id, coupon.code)))
        .await?;
    db::coupons::find(&state.db, coupon.id).await?.ok_or(Error::NotFound)
}

/// Staff: coupons, newest first.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn coupons(state: &AppState, viewer: &Viewer, page: PageRequest<i64>) -> Result<Page<coupon::Model>> {
    authz::require(viewer, Audience::Staff, Subject::NOBODY)?;
    let rows = db::coupons::list(&state.db, page.after, page.limit_plus_one()).await?;
    Ok(Page::from_rows(rows, page.first))
}

/// Why `coupon` does not apply to `view` at `now`, in the buyer's words; `None` when it does.
pub fn why_not(coupon: &coupon::Model, view: &OrderView, now: DateTime<Utc>) -> Option<String> {
    if coupon.retired_at.is_some() {
        return Some("This coupon is no longer valid.".to_owned());
    }
    if let Some(at) = coupon.expires_at.filter(|at| *at <= now) {
        return Some(format!("This coupon expired on {}.", at.format("%Y-%m-%d")));
    }
    if coupon.member_id.is_some() && coupon.member_id != view.order.member_id {
        return Some("This coupon belongs to another member.".to_owned());
    }
    if coupon.uses >= coupon.max_uses {
        return Some("This coupon has been used up.".to_owned());
    }
    let lines = cart::lines_of(&view.items);
    if !lines.iter().any(|l| pricing::applies(coupon, l)) {
        return Some(match coupon.scope {
            CouponScope::Everything => "This order is empty.".to_owned(),
            CouponScope::Workshops => "This coupon is for workshop seats, and this order has none.".to_owned(),
            CouponScope::Course => "This coupon is for another course than those in this order.".to_owned(),
        });
    }
    None
}

/// Applies coupon `code` to pending order `order_id` (the caller's cart, or a keyed order
/// for staff), replacing any other. `VALIDATION` on `code` says why it does not apply.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn apply_coupon(
    state: &AppState,
    viewer: &Viewer,
    meta: &RequestMeta,
    order_id: i64,
    code: &str,
) -> Result<OrderView> {
    authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let view = changeable(viewer, view_of(write.conn(), order_id).await?)?;
    let unknown = || Error::invalid("code", "No coupon has this code.");
    let code = normal_code(code).map_err(|_| unknown())?;
    let coupon = db::coupons::by_code(write.conn(), &code).await?.ok_or_else(unknown)?;
    if view.order.coupon_id == Some(coupon.id) {
        return Err(Error::invalid("code", "This coupon is already applied."));
    }
    if let Some(why) = why_not(&coupon, &view, write.now()) {
        return Err(Error::invalid("code", why));
    }
    if !db::coupons::take_use(write.conn(), coupon.id).await? {
        return Err(Error::invalid("code", "This coupon has been used up."));
    }
    if let Some(old) = view.order.coupon_id {
        db::coupons::release_use(write.conn(), old).await?;
    }
    cart::reprice(write.conn(), state, &view.order, Some(coupon.id), write.now()).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::CouponApplied)
                .about(view.order.member_id)
                .detail(format!("order {}: coupon {}", order_id, coupon.code)),
        )
        .await?;
    view_of(&state.db, order_id).await
}

/// Takes the coupon off pending order `order_id` and gives its use back.
#[tracing::instrument(skip_all, fields(viewer = viewer.member_id()))]
pub async fn remove_coupon(state: &AppState, viewer: &Viewer, meta: &RequestMeta, order_id: i64) -> Result<OrderView> {
    authz::require(viewer, Audience::Member, Subject::NOBODY)?;
    let write = AuditedWrite::begin(&state.db, Actor::new(viewer, meta, state.now())).await?;
    let view = changeable(viewer, view_of(write.conn(), order_id).await?)?;
    let Some(old) = view.order.coupon_id else {
        return Err(Error::Conflict {
            field: Some("orderId"),
            message: "This order has no coupon.".to_owned(),
        });
    };
    db::coupons::release_use(write.conn(), old).await?;
    cart::reprice(write.conn(), state, &view.order, None, write.now()).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::CartChanged)
                .about(view.order.member_id)
                .detail(format!("order {order_id}: coupon removed")),
        )
        .await?;
    view_of(&state.db, order_id).await
}
