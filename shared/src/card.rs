//! Card numbers where they must not be: free text that people type (notes, names, address
//! lines) is checked for a payment card number before it is stored, so none reaches our
//! database or logs (P11). The web app runs the same check before it sends a form.
//!
//! A card number is a run of 13 to 19 digits, written together or in groups separated by
//! single spaces or dashes (`4242 4242 4242 4242`, `4242-4242-4242-4242`), whose last digit
//! is its Luhn check digit. The whole run is judged: a longer number (an order reference, a
//! phone number with its extension) is not searched for a card number inside it, which
//! would call one in ten long numbers a card.

/// True when `text` contains something written like a payment card number.
pub fn contains_card_number(text: &str) -> bool {
    digit_runs(text).any(|digits| (13..=19).contains(&digits.len()) && luhn_valid(&digits))
}

/// The runs of digits in `text`, each with the single spaces and dashes between its
/// groups dropped.
fn digit_runs(text: &str) -> impl Iterator<Item = Vec<u8>> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        // Skip to the next digit.
        while chars.peek().is_some_and(|c| !c.is_ascii_digit()) {
            chars.next();
        }
        let mut digits = Vec::new();
        while let Some(&c) = chars.peek() {
            if let Some(d) = c.to_digit(10).filter(|_| c.is_ascii_digit()) {
                digits.push(u8::try_from(d).unwrap_or(0));
                chars.next();
            } else if c == ' ' || c == '-' {
                // A separator continues the run only when a digit follows it.
                let mut ahead = chars.clone();
                ahead.next();
                if ahead.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        (!digits.is_empty()).then_some(digits)
    })
}

/// The Luhn check: from the right, every second digit doubled (less 9 above 9), the sum a
/// multiple of 10.
fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_numbers_are_found_however_they_are_grouped() {
        for text in [
            "4242424242424242",
            "card 4242 4242 4242 4242 exp 12/29",
            "4242-4242-4242-4242",
            "Visa: 4012888888881881.",
            "amex 3782 822463 10005",
            "5555555555554444 please charge",
            "diners 30569309025904",
            "6011111111111117",
        ] {
            assert!(contains_card_number(text), "{text}");
        }
    }

    #[test]
    fn ordinary_numbers_are_not_cards() {
        for text in [
            "",
            "Call me at +1 306 555 0100",
            "4242 4242 4242 4241",
            "Order CPTN-000123, cheque no. 004512",
            "Postal code S4P 3Y2, 2150 Albert Street",
            "Member since 2019-04-12",
            "12345678901234567890123",
            "4242 4242  4242 4242",
            "1234567890123",
        ] {
            assert!(!contains_card_number(text), "{text}");
        }
    }
}
