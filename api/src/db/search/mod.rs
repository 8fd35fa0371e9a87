//! Directory search and typeahead, one SQL statement per page, on both engines
//! (migration `m20261129_000003_search` describes the indexes). Every public read applies
//! the member's choices in SQL: only active profiles, and the phone only when showcased.
//!
//! The code is split by concern: `query` answers a page, `index` keeps the derived
//! search structures in step with profiles, `typos` finds the name words a search word
//! may be a typo of (and keeps `name_trigram`), `typeahead` completes names and cities.
//!
//! # The search engine's invariants
//!
//! - **One statement a page.** A directory page or a profile costs one statement, whatever
//!   the page size (plus one typo lookup in `name_trigram` for search words not seen in the
//!   last 30 s): matches are scored once into a narrow `(id, score)` list that yields both
//!   the count and the page; only the page's rows are read in full, from
//!   `directory_profile` alone: a profile's specialties (`specialty_list`) and showcased
//!   phone are kept on its row (migration 10, `db::profiles::public_columns`). Nested
//!   fields never query per item. A migration that renames a specialty must rewrite
//!   `specialty_list`.
//! - **Whole words, then a prefix.** A search's words before the last are whole words; the
//!   last may be a prefix. On PostgreSQL the prefix becomes the words it starts
//!   (`search_word`) when they are few, and statements run on generic plans
//!   (`plan_cache_mode`), planned once per connection.
//! - **Listing columns follow the profile.** A profile's status, folded city and rank are
//!   copied to the rows that list it by them: its `profile_specialty` links (both engines;
//!   a specialty listing with no words is an index range) and PostgreSQL's `profile_search`
//!   entry and `search_posting` rows. Every write of those goes through `db::profiles`
//!   (`set_status`, `set_search_rank`, `set_specialties`) or [`reindex`], which copy them in
//!   the same transaction ([`copy_listing_columns`]; [`reindex`] reads them from the stored
//!   profile, never from the model it is given). [`reindex`] rewrites a profile's postings
//!   from its new entry and [`unindex`] removes them.
//! - **Two branches, one order.** On PostgreSQL a search of one word (no typo alternative,
//!   no specialty filter) whose prefix starts exactly one indexed word reads that word's
//!   postings; every other search goes through the full-text index. Both branches are in
//!   the same statement behind one-time filters, and both order the same way: a posting's
//!   weight is the `ts_rank` the full-text branch would compute for that one-word query.
//! - **Typos alike on both engines.** A search word of 4+ letters also matches the name
//!   words within 1 edit (2 from 8 letters) of it or of its start (`shared::fuzzy`);
//!   candidates come from `name_trigram`, which holds a word only while some profile's name
//!   uses it. A word that is itself a name, or (the word being typed) starts one, gets no
//!   typo alternatives. Kept candidates (`services::infra::typos`) only widen a query;
//!   results always come from the live index, and a profile write forgets them.
//! - **Reads on their own connections.** The directory's anonymous reads (search, profile
//!   pages, typeahead) and catalogue searches run on `AppState::reads` (`db::reads`), as do
//!   the session check and the member dashboard; everything else, and every write, on
//!   `AppState::db`.

pub mod catalogue;
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
