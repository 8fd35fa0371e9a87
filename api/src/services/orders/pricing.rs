//! What an order costs: its lines, a coupon's discount and the configured taxes, as plain
//! functions of integers (cents, percent, basis points). Rounding is half up, per item and
//! per tax, so every item carries its own share and a refund of one item is exact.

use crate::config::Tax;
use crate::db::orders::Totals;
use entity::coupon;
use entity::enums::{CouponKind, CouponScope};

/// An order line as pricing sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub id: i64,
    pub price_cents: i64,
    pub course_id: Option<i64>,
    pub workshop_id: Option<i64>,
}

/// Whether `coupon` discounts `line` (by its scope alone).
pub fn applies(coupon: &coupon::Model, line: &Line) -> bool {
    match coupon.scope {
        CouponScope::Everything => true,
        CouponScope::Workshops => line.workshop_id.is_some(),
        CouponScope::Course => line.course_id.is_some() && line.course_id == coupon.course_id,
    }
}

/// `value * numerator / denominator`, rounded half up (non-negative amounts).
fn share(value: i64, numerator: i64, denominator: i64) -> i64 {
    if denominator == 0 {
        return 0;
    }
    let exact = i128::from(value) * i128::from(numerator);
    let rounded = (2 * exact + i128::from(denominator)) / (2 * i128::from(denominator));
    i64::try_from(rounded).unwrap_or(i64::MAX)
}

/// The discount of each line (in `lines` order).
pub fn discounts(lines: &[Line], coupon: Option<&coupon::Model>) -> Vec<i64> {
    let Some(coupon) = coupon else {
        return vec![0; lines.len()];
    };
    let eligible: Vec<bool> = lines.iter().map(|l| applies(coupon, l)).collect();
    match coupon.kind {
        CouponKind::Percent => {
            let percent = i64::from(coupon.percent.unwrap_or(0).clamp(0, 100));
            lines
                .iter()
                .zip(&eligible)
                .map(|(l, &e)| if e { share(l.price_cents, percent, 100) } else { 0 })
                .collect()
        }
        CouponKind::Fixed => {
            // The amount off the eligible lines together, shared in proportion to their
            // prices; the last eligible line takes what rounding left, so the shares add up.
            let base: i64 = lines
                .iter()
                .zip(&eligible)
                .filter(|(_, e)| **e)
                .map(|(l, _)| l.price_cents)
                .sum();
            let off = coupon.amount_cents.unwrap_or(0).clamp(0, base);
            let last = eligible.iter().rposition(|e| *e);
            let mut given = 0;
            lines
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    if !eligible[i] {
                        return 0;
                    }
                    let part = if Some(i) == last {
                        off - given
                    } else {
                        share(off, l.price_cents, base)
                    };
                    let part = part.clamp(0, l.price_cents);
                    given += part;
                    part
                })
                .collect()
        }
    }
}

/// The order's amounts: subtotal, discount, taxes on what is left, total.
pub fn price(lines: &[Line], coupon: Option<&coupon::Model>, taxes: &[Tax]) -> Totals {
    let discounts = discounts(lines, coupon);
    let mut tax_lines: Vec<(String, i32, i64)> = taxes.iter().map(|t| (t.name.clone(), t.basis_points, 0)).collect();
    let mut items = Vec::with_capacity(lines.len());
    for (line, discount) in lines.iter().zip(&discounts) {
        let net = line.price_cents - discount;
        let mut tax = 0;
        for (i, t) in taxes.iter().enumerate() {
            let amount = share(net, i64::from(t.basis_points), 10_000);
            tax_lines[i].2 += amount;
            tax += amount;
        }
        items.push((line.id, *discount, tax));
    }
    let subtotal_cents: i64 = lines.iter().map(|l| l.price_cents).sum();
    let discount_cents: i64 = discounts.iter().sum();
    let tax_cents: i64 = items.iter().map(|(_, _, t)| t).sum();
    Totals {
        subtotal_cents,
        discount_cents,
        tax_cents,
        total_cents: subtotal_cents - discount_cents + tax_cents,
        items,
        tax_lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn line(id: i64, cents: i64, course: i64, workshop: Option<i64>) -> Line {
        Line {
            id,
            price_cents: cents,
            course_id: Some(course),
            workshop_id: workshop,
        }
    }

    fn coupon(kind: CouponKind, scope: CouponScope, percent: Option<i32>, amount: Option<i64>) -> coupon::Model {
        coupon::Model {
            id: 1,
            code: "X".to_owned(),
            kind,
            percent,
            amount_cents: amount,
            scope,
            course_id: Some(7),
            max_uses: 1,
            uses: 0,
            expires_at: None,
            member_id: None,
            description: String::new(),
            created_by: None,
            created_at: Utc::now(),
            retired_at: None,
        }
    }

    #[test]
    fn a_workshop_coupon_discounts_only_workshop_seats_and_rounds_half_up() {
        let lines = [line(1, 8_005, 7, Some(3)), line(2, 9_500, 8, None)];
        let c = coupon(CouponKind::Percent, CouponScope::Workshops, Some(20), None);
        // 20% of 80.05 is 16.01.
        assert_eq!(discounts(&lines, Some(&c)), vec![1_601, 0]);
        let totals = price(&lines, Some(&c), &[]);
        assert_eq!(totals.subtotal_cents, 17_505);
        assert_eq!(totals.total_cents, 17_505 - 1_601);
    }

    #[test]
    fn a_fixed_coupon_never_exceeds_what_it_applies_to_and_its_shares_add_up() {
        let lines = [
            line(1, 1_000, 7, None),
            line(2, 2_000, 7, None),
            line(3, 5_000, 9, None),
        ];
        let everything = coupon(CouponKind::Fixed, CouponScope::Everything, None, Some(1_000));
        let d = discounts(&lines, Some(&everything));
        assert_eq!(d.iter().sum::<i64>(), 1_000);
        assert_eq!(d, vec![125, 250, 625]);
        let one_course = coupon(CouponKind::Fixed, CouponScope::Course, None, Some(10_000));
        assert_eq!(
            discounts(&lines, Some(&one_course)),
            vec![1_000, 2_000, 0],
            "capped at the course's lines"
        );
    }

    #[test]
    fn taxes_are_charged_per_item_on_the_discounted_price() {
        let lines = [line(1, 10_000, 7, Some(1)), line(2, 2_500, 8, None)];
        let c = coupon(CouponKind::Percent, CouponScope::Everything, Some(10), None);
        let taxes = [
            Tax {
                name: "GST".to_owned(),
                basis_points: 500,
            },
            Tax {
                name: "PST".to_owned(),
                basis_points: 700,
            },
        ];
        let totals = price(&lines, Some(&c), &taxes);
        // Nets 90.00 and 22.50: GST 4.50 + 1.13 (1.125 up), PST 6.30 + 1.58 (1.575 up).
        assert_eq!(
            totals.tax_lines,
            vec![("GST".to_owned(), 500, 563), ("PST".to_owned(), 700, 788)]
        );
        assert_eq!(totals.items, vec![(1, 1_000, 1_080), (2, 250, 271)]);
        assert_eq!(totals.total_cents, 12_500 - 1_250 + 563 + 788);
    }
}
