//! Money: an amount in integer cents of one currency (CAD today). Never a float.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of Canadian dollars, in cents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Money {
    pub cents: i64,
}

impl Money {
    /// The currency every amount is in (ISO 4217).
    pub const CURRENCY: &'static str = "CAD";

    pub const fn from_cents(cents: i64) -> Self {
        Self { cents }
    }

    /// `95`, `95.5`, `95.50` (dollars) -> cents; `None` for anything else (negative, more
    /// than two decimals, letters, overflow).
    pub fn parse_dollars(text: &str) -> Option<Self> {
        let text = text.trim();
        let (dollars, cents) = match text.split_once('.') {
            Some((d, c)) if (1..=2).contains(&c.len()) => (d, format!("{c:0<2}")),
            Some(_) => return None,
            None => (text, "00".to_owned()),
        };
        if dollars.is_empty()
            || !dollars.bytes().all(|b| b.is_ascii_digit())
            || !cents.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let cents = dollars
            .parse::<i64>()
            .ok()?
            .checked_mul(100)?
            .checked_add(cents.parse::<i64>().ok()?)?;
        Some(Self { cents })
    }
}

impl fmt::Display for Money {
    /// `$95.00 CAD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.cents < 0 { "-" } else { "" };
        let abs = self.cents.unsigned_abs();
        write!(f, "{sign}${}.{:02} {}", abs / 100, abs % 100, Self::CURRENCY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_cents_and_print_as_dollars() {
        assert_eq!(Money::parse_dollars("95"), Some(Money::from_cents(9500)));
        assert_eq!(Money::parse_dollars("95.5"), Some(Money::from_cents(9550)));
        assert_eq!(Money::parse_dollars("0.05"), Some(Money::from_cents(5)));
        for bad in ["", "-1", "1.005", "ten", "1,00", ".50"] {
            assert_eq!(Money::parse_dollars(bad), None, "{bad}");
        }
        assert_eq!(Money::from_cents(9500).to_string(), "$95.00 CAD");
        assert_eq!(Money::from_cents(7).to_string(), "$0.07 CAD");
    }
}
