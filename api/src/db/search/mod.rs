//! Directory search and typeahead, one SQL statement per page, on both engines
//! (migration `m20261129_000003_search` describes the indexes). Every public read applies
//! the member's choices in SQL: only active profiles, and the phone only when showcased.
//!
//! The code is split by concern: [`query`] answers a page, [`index`] keeps the derived
//! search structures in step with profiles, [`typos`] finds the name words a search word
//! may be a typo of (and keeps `name_trigram`), [`typeahead`] completes names and cities.

mod index;
mod query;
mod typeahead;
mod typos;

pub use index::{copy_listing_columns, reindex, unindex};
pub use query::search;
pub use typeahead::{SuggestColumn, suggest};
pub use typos::similar_names;

use crate::db::profiles::PublicProfileRow;
use crate::page::PageRequest;
use shared::fuzzy;

/// What a directory page asks for.
pub struct SearchQuery {
    /// Folded words: whole words, except the last, which may be a prefix (the visitor may
    /// still be typing it). Empty lists everything by rank.
    pub terms: Vec<String>,
    /// For each word, the name words it may be a typo of ([`similar_names`]).
    pub similar: Vec<Vec<String>>,
    /// Folded city to filter on, exactly.
    pub city: Option<String>,
    /// Specialty slug to filter on.
    pub specialty: Option<String>,
    /// The page: its size, and the key of the last result of the previous page.
    pub page: PageRequest<RankKey>,
}

impl SearchQuery {
    /// Without words, results come by rank alone and are keyed by it; with words, by score.
    pub fn keyed_by_rank(&self) -> bool {
        self.terms.is_empty()
    }
}

/// Where a result stands in its order, for keyset pagination: rank and id in a listing
/// (no words), score and id in a search. The order is descending by the first, ascending
/// by id.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RankKey {
    Rank { rank: i64, id: i64 },
    Score { score: f64, id: i64 },
}

/// Splits free text into folded search words (letters and digits only, so nothing a
/// user types can change the meaning of the full-text query).
pub fn terms_of(text: &str) -> Vec<String> {
    let mut words = fuzzy::words(text);
    words.truncate(8);
    words
}

/// A page of results, their keys, and how many match in all.
pub struct SearchPage {
    pub rows: Vec<(RankKey, PublicProfileRow)>,
    /// More results follow the page.
    pub has_more: bool,
    pub total: u64,
}
