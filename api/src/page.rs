//! `Page<T>`: one page of a list in a fixed order, the shape every paginated query and
//! service returns. The GraphQL layer turns it into a Relay connection with keyset cursors
//! (`schema::pagination::connection`); a service never deals with cursor strings.

/// What a caller asks of a list: at most `first` items, after the item whose key is
/// `after` (keyset pagination: the key is the item's position in the order, e.g. its id).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PageRequest<K> {
    pub first: u64,
    pub after: Option<K>,
}

impl<K> PageRequest<K> {
    /// How many rows to read: one more than the page, to learn whether more follow.
    pub fn limit_plus_one(&self) -> u64 {
        self.first.saturating_add(1)
    }
}

/// One page of a list, and whether more items follow it.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_more: bool,
}

impl<T> Page<T> {
    /// A page from the rows read with [`PageRequest::limit_plus_one`]: the extra row only
    /// tells that more follow.
    pub fn from_rows(mut rows: Vec<T>, first: u64) -> Self {
        let first = usize::try_from(first).unwrap_or(usize::MAX);
        let has_more = rows.len() > first;
        rows.truncate(first);
        Self { items: rows, has_more }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            has_more: self.has_more,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extra_row_only_says_more_follow() {
        let request = PageRequest::<i64> { first: 2, after: None };
        assert_eq!(request.limit_plus_one(), 3);
        let page = Page::from_rows(vec![1, 2, 3], request.first);
        assert_eq!(page.items, [1, 2]);
        assert!(page.has_more);
        let last = Page::from_rows(vec![1, 2], 2);
        assert!(!last.has_more);
    }
}
