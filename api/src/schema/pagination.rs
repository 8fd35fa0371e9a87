//! Relay connections, built one way for every paginated field: `first` is checked (1 to
//! 100), `after` decoded into the list's keyset key, and a service's [`Page`] becomes a
//! `Connection` whose edges carry opaque cursors bound to their list.

use crate::error::{Error, Result};
use crate::page::{Page, PageRequest};
use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{ObjectType, OutputType};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub const DEFAULT_PAGE: i32 = 20;
pub const MAX_PAGE: i32 = 100;

/// A list's position key, as it travels inside a cursor.
pub trait CursorKey: Sized {
    fn encode(&self) -> String;
    fn decode(text: &str) -> Option<Self>;
}

impl CursorKey for i64 {
    fn encode(&self) -> String {
        self.to_string()
    }

    fn decode(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

/// A key ordered by a name, then an id (catalogue lists by title).
impl CursorKey for (String, i64) {
    fn encode(&self) -> String {
        format!("{}:{}", self.1, self.0)
    }

    fn decode(text: &str) -> Option<Self> {
        let (id, name) = text.split_once(':')?;
        Some((name.to_owned(), id.parse().ok()?))
    }
}

/// The name of a list whose order depends on arguments (a search): `base` and a short
/// fingerprint of the arguments, so that a cursor from one search is refused by another.
pub fn list_for(base: &str, arguments: &[Option<&str>]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for argument in arguments {
        hasher.update(argument.map(|a| a.trim().to_lowercase()).unwrap_or_default());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    let fingerprint = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
    format!("{base}.{fingerprint:08x}")
}

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

/// `first` and `after` of a connection field, checked and decoded for the list `list`.
pub fn page_request<K: CursorKey>(list: &str, first: Option<i32>, after: Option<&str>) -> Result<PageRequest<K>> {
    Ok(PageRequest {
        first: page_size(first)?,
        after: decode_cursor(list, after)?,
    })
}

/// The connection of one page: an edge per item, its cursor made from `key`.
pub fn connection<T, K, N, E>(
    list: &str,
    request: &PageRequest<K>,
    page: Page<T>,
    key: impl Fn(&T) -> K,
    node: impl Fn(T) -> N,
    additional_fields: E,
) -> Connection<String, N, E>
where
    K: CursorKey,
    N: OutputType,
    E: ObjectType,
{
    let mut connection = Connection::with_additional_fields(request.after.is_some(), page.has_more, additional_fields);
    connection.edges.extend(page.items.into_iter().map(|item| {
        let cursor = encode_cursor(list, &key(&item));
        Edge::new(cursor, node(item))
    }));
    connection
}

/// [`connection`] without fields beside `edges` and `pageInfo`.
pub fn plain_connection<T, K, N>(
    list: &str,
    request: &PageRequest<K>,
    page: Page<T>,
    key: impl Fn(&T) -> K,
    node: impl Fn(T) -> N,
) -> Connection<String, N>
where
    K: CursorKey,
    N: OutputType,
{
    connection(list, request, page, key, node, EmptyFields)
}

/// An opaque cursor for a key in a named list.
fn encode_cursor(list: &str, key: &impl CursorKey) -> String {
    URL_SAFE_NO_PAD.encode(format!("{list}:{}", key.encode()))
}

/// Reads a cursor made by [`encode_cursor`] for the same list.
fn decode_cursor<K: CursorKey>(list: &str, cursor: Option<&str>) -> Result<Option<K>> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let invalid = || Error::invalid("after", "This cursor is not valid for this list.");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let key = text
        .strip_prefix(list)
        .and_then(|rest| rest.strip_prefix(':'))
        .and_then(K::decode)
        .ok_or_else(invalid)?;
    Ok(Some(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_are_bound_to_their_list() -> anyhow::Result<()> {
        let cursor = encode_cursor("audit", &42_i64);
        assert_eq!(decode_cursor::<i64>("audit", Some(&cursor))?, Some(42));
        assert!(decode_cursor::<i64>("members", Some(&cursor)).is_err());
        assert!(decode_cursor::<i64>("audit", Some("not base64!")).is_err());
        Ok(())
    }

    #[test]
    fn a_search_cursor_is_bound_to_its_search() -> anyhow::Result<()> {
        let anna = list_for("directory", &[Some("anna"), None, None]);
        assert_eq!(anna, list_for("directory", &[Some(" Anna "), None, None]));
        let boxing = list_for("directory", &[Some("boxing"), None, None]);
        let cursor = encode_cursor(&anna, &7_i64);
        assert_eq!(decode_cursor::<i64>(&anna, Some(&cursor))?, Some(7));
        assert!(decode_cursor::<i64>(&boxing, Some(&cursor)).is_err());
        let in_city = list_for("directory", &[Some("anna"), Some("Regina"), None]);
        assert_ne!(anna, in_city);
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
