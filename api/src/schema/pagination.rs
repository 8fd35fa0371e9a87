//! Relay-style pagination helpers: page sizes and opaque cursors.

use crate::error::{Error, Result};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub const DEFAULT_PAGE: i32 = 20;
pub const MAX_PAGE: i32 = 100;

/// Validates `first` (1 to 100, default 20).
pub fn page_size(first: Option<i32>) -> Result<u64> {
    let first = first.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&first) {
        return Err(Error::invalid(
            "first",
            format!("`first` must be between 1 and {MAX_PAGE}."),
        ));
    }
    Ok(u64::try_from(first).unwrap_or(1))
}

/// An opaque cursor for a row id in a named list.
pub fn encode_cursor(list: &str, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{list}:{id}"))
}

/// Reads a cursor made by [`encode_cursor`] for the same list.
pub fn decode_cursor(list: &str, cursor: Option<&str>) -> Result<Option<i64>> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let invalid = || Error::invalid("after", "This cursor is not valid for this list.");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let id = text
        .strip_prefix(list)
        .and_then(|rest| rest.strip_prefix(':'))
        .and_then(|id| id.parse().ok())
        .ok_or_else(invalid)?;
    Ok(Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_are_bound_to_their_list() -> anyhow::Result<()> {
        let cursor = encode_cursor("audit", 42);
        assert_eq!(decode_cursor("audit", Some(&cursor))?, Some(42));
        assert!(decode_cursor("members", Some(&cursor)).is_err());
        assert!(decode_cursor("audit", Some("not base64!")).is_err());
        Ok(())
    }

    #[test]
    fn page_size_is_between_one_and_a_hundred() {
        assert_eq!(page_size(None).ok(), Some(20));
        assert!(page_size(Some(0)).is_err());
        assert!(page_size(Some(101)).is_err());
        assert_eq!(page_size(Some(100)).ok(), Some(100));
    }
}
