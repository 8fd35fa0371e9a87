//! Continuing-education credit (CEC), counted in tenths so sums are exact: `7` is 0.7 CEC.

/// `7` -> `0.7`, `20` -> `2.0`, `-3` -> `-0.3`.
pub fn format_tenths(tenths: i32) -> String {
    let sign = if tenths < 0 { "-" } else { "" };
    let abs = tenths.unsigned_abs();
    format!("{sign}{}.{}", abs / 10, abs % 10)
}

/// `2`, `2.0`, `0.7`, `-0.3` -> tenths; `None` for anything else (more than one decimal,
/// letters, overflow).
pub fn parse_tenths(text: &str) -> Option<i32> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, tenth) = match digits.split_once('.') {
        Some((whole, tenth)) if tenth.len() == 1 => (whole, tenth),
        Some(_) => return None,
        None => (digits, "0"),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !tenth.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = whole
        .parse::<i32>()
        .ok()?
        .checked_mul(10)?
        .checked_add(tenth.parse::<i32>().ok()?)?;
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenths_read_and_write_as_decimals() {
        for (tenths, text) in [(7, "0.7"), (20, "2.0"), (-3, "-0.3"), (0, "0.0"), (125, "12.5")] {
            assert_eq!(format_tenths(tenths), text);
            assert_eq!(parse_tenths(text), Some(tenths));
        }
        assert_eq!(parse_tenths("2"), Some(20));
        for bad in ["", ".5", "0.75", "1,5", "two", "1.", "99999999999"] {
            assert_eq!(parse_tenths(bad), None, "{bad}");
        }
    }
}
