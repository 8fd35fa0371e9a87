//! Receipts, rendered from the order itself: e-mailed through the outbox after each payment
//! and each refund, and shown in the member's order history (the outbox keeps sent mail
//! only for its retention period; the order keeps what the receipt says). A receipt names
//! no person: it goes to the member's current address, or to the address a keyed buyer
//! gave, which is erased with the order's other buyer details once the receipt has gone.

use super::OrderView;
use crate::db;
use crate::error::Result;
use crate::services::mail::{self, Mail, MailHeaders, Recipient};
use chrono::{DateTime, Utc};
use entity::enums::{MessageKind, PaymentMethod};
use entity::order_refund;
use sea_orm::ConnectionTrait;
use shared::Money;
use std::fmt::Write as _;

fn money(cents: i64) -> Money {
    Money::from_cents(cents)
}

fn method_words(method: PaymentMethod) -> &'static str {
    match method {
        PaymentMethod::StripeCheckout => "card, through Stripe",
        PaymentMethod::StripeTerminal => "card, taken by our staff through Stripe",
        PaymentMethod::Cheque => "cheque",
        PaymentMethod::NoCharge => "nothing to pay",
    }
}

/// The receipt of `view`'s payment, as text.
pub fn payment_receipt(view: &OrderView) -> String {
    let order = &view.order;
    let mut text = format!("CPTN Network: receipt for order {}\n\n", order.id);
    for item in &view.items {
        let _ = writeln!(text, "  {:<50} {}", item.description, money(item.price_cents));
        if item.discount_cents > 0 {
            let _ = writeln!(text, "  {:<50} -{}", "  discount", money(item.discount_cents));
        }
    }
    let _ = writeln!(text, "\n  {:<50} {}", "Subtotal", money(order.subtotal_cents));
    if order.discount_cents > 0 {
        let coupon = view
            .coupon
            .as_ref()
            .map_or(String::new(), |c| format!(" (coupon {})", c.code));
        let _ = writeln!(
            text,
            "  {:<50} -{}",
            format!("Discount{coupon}"),
            money(order.discount_cents)
        );
    }
    for tax in &view.tax_lines {
        let rate = Money::from_cents(i64::from(tax.rate_basis_points));
        let percent = rate.to_string();
        let percent = percent.trim_start_matches('$').trim_end_matches(" CAD");
        let _ = writeln!(
            text,
            "  {:<50} {}",
            format!("{} {percent}%", tax.name),
            money(tax.amount_cents)
        );
    }
    let _ = writeln!(text, "  {:<50} {}", "Total paid", money(order.total_cents));
    if let Some(paid_at) = order.paid_at {
        let _ = writeln!(text, "\nPaid on {} UTC", paid_at.format("%Y-%m-%d %H:%M"));
    }
    if let Some(method) = order.payment_method {
        let _ = writeln!(text, "Payment: {}", method_words(method));
    }
    text
}

/// The receipt of refund `refund` of `view`, as text.
pub fn refund_receipt(view: &OrderView, refund: &order_refund::Model) -> String {
    let mut text = format!("CPTN Network: refund receipt for order {}\n\n", view.order.id);
    let ids: Vec<&str> = refund.items.split(',').collect();
    for item in view.items.iter().filter(|i| ids.contains(&i.id.to_string().as_str())) {
        let _ = writeln!(
            text,
            "  {:<50} {}",
            item.description,
            money(OrderView::item_total(item))
        );
    }
    let _ = writeln!(text, "\n  {:<50} {}", "Refunded", money(refund.amount_cents));
    let _ = writeln!(text, "\nRefunded on {} UTC", refund.created_at.format("%Y-%m-%d %H:%M"));
    let _ = writeln!(
        text,
        "To: {}",
        match refund.method {
            PaymentMethod::Cheque => "a cheque we send you",
            _ => "the card you paid with (allow 5 to 10 business days)",
        }
    );
    text
}

/// Who the order's mail (receipts, a payment link) goes to: the member, or the e-mail a
/// keyed buyer gave.
pub(crate) fn recipient(view: &OrderView) -> Option<Recipient> {
    match (view.order.member_id, view.order.buyer_email.as_deref()) {
        (Some(member), _) => Some(Recipient::Member(member)),
        (None, Some(address)) => shared::Email::parse("email", address).ok().map(Recipient::Address),
        (None, None) => None,
    }
}

/// Queues the payment receipt inside the payment's transaction; a keyed order remembers
/// the message so its buyer details are erased once it has gone.
pub(crate) async fn queue_receipt<C: ConnectionTrait>(conn: &C, view: &OrderView, now: DateTime<Utc>) -> Result<()> {
    let Some(to) = recipient(view) else { return Ok(()) };
    let id = mail::queue(
        conn,
        now,
        Mail {
            kind: MessageKind::OrderReceipt,
            to,
            subject: format!("Your CPTN Network receipt for order {}", view.order.id),
            body: payment_receipt(view),
            headers: MailHeaders::automatic(),
            sender_ip: None,
        },
    )
    .await?;
    if view.is_keyed() {
        db::orders::set_receipt_message(conn, view.order.id, id).await?;
    }
    Ok(())
}

/// Queues the receipt of a refund (members only once a keyed order is shredded: staff
/// confirm it to anyone else by phone or post).
pub(crate) async fn queue_refund_receipt<C: ConnectionTrait>(
    conn: &C,
    view: &OrderView,
    refund: &order_refund::Model,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(to) = recipient(view) else { return Ok(()) };
    mail::queue(
        conn,
        now,
        Mail {
            kind: MessageKind::RefundReceipt,
            to,
            subject: format!("Your CPTN Network refund for order {}", view.order.id),
            body: refund_receipt(view, refund),
            headers: MailHeaders::automatic(),
            sender_ip: None,
        },
    )
    .await?;
    Ok(())
}
