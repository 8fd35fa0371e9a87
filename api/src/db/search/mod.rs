//! Directory search and typeahead, the same statements on both engines (migration
//! `m20261201_000023_search_entries` describes the entries). Every public read applies
//! the member's choices in SQL: only active profiles, and the phone only when showcased.
//!
//! The code is split by concern: `query` answers a page, `index` keeps the derived
//! search structures in step with profiles, `typos` finds the name words a search word
//! may be a typo of (and keeps `name_trigram`), `typeahead` completes names and cities.
//!
//! # The search engine's invariants
//!
//! - **Precomputed entries, the same on both engines.** Every active profile has one row in
//!   `search_entry` per term a query may ask for (`entries`): each whole word of its name,
//!   city, specialties and bio (`w:`), each prefix of one to three letters of those words
//!   (`p:`), and each listing it is in (`l:`: everyone, its city, each specialty alone and
//!   in its city). A row holds the term's weight in the profile and its score (weight plus
//!   `search_rank`); `search_count` holds each term's number of rows. Words are split and
//!   folded in Rust (`shared::fuzzy::words`) for both engines, so both find and order alike.
//! - **Relevance.** A profile's score for a search is the sum, over the search's words, of
//!   the word's weight in it (name 100, city or specialty 40, bio 10, a word's best field
//!   counting), plus its `search_rank`: one rank point weighs what a hundredth of a name
//!   match does. The last word may be unfinished: it matches the words it starts and weighs
//!   the sum of theirs. A match through a typo alternative scores nothing for that word, so
//!   exact matches come first. Ties go to the lower id (the older profile).
//! - **Bounded pages.** A listing (no words) and a one-word search with no filter and no
//!   typo alternative are answered by one term: the page is an index range of its entries
//!   (`idx_search_entry_page`, by score then id, from the cursor on) and the total one row
//!   of `search_count`, however many profiles match. Every other search (several words, a
//!   filter, typo alternatives) walks one word's entries down from the best score
//!   (`walk`), the one with the fewest, looking each profile up in the other words' entries,
//!   and stops once no profile below can reach the page: `search_count` keeps each term's
//!   highest weight, the most it can add. The full-text index (`search_document`) counts
//!   the matches, and scores them all only when the walk goes too far.
//! - **An entry never outlives the public state.** Entries exist only for active profiles
//!   and are rewritten from the stored profile in the transaction of every change to it
//!   (`db::profiles` saves, status, rank and specialty writes through
//!   [`reindex`], and [`unindex`]), only the
//!   rows that changed, counts moving with them; deleting or wiping a profile removes them
//!   first. `cptn search reindex` rebuilds them all ([`rebuild::rebuild`]).
//! - **Typos alike on both engines.** A search word of 4+ letters also matches the name
//!   words within 1 edit (2 from 8 letters) of it or of its start (`shared::fuzzy`);
//!   candidates come from `name_trigram`, which holds a word only while some active
//!   profile's name uses it. A word that is itself a name, or (the word being typed) starts
//!   one, gets no typo alternatives. Kept candidates (`services::infra::typos`) only widen a
//!   query; results always come from the live entries, and a profile write forgets them.
//! - **Nested fields never query per item.** Only the page's rows are read in full, from
//!   `directory_profile` alone: a profile's specialties (`specialty_list`) and showcased
//!   phone are kept on its row (migration 10, `db::profiles::public_columns`).
//! - **Reads on their own connections.** The directory's anonymous reads (search, profile
//!   pages, typeahead) and catalogue searches run on `AppState::reads` (`db::reads`), as do
//!   the session check and the member dashboard; everything else, and every write, on
//!   `AppState::db`.

pub mod catalogue;
pub mod entries;
mod index;
mod query;
pub mod rebuild;
mod typeahead;
mod typos;
mod walk;

pub use index::{index_new, reindex, unindex};
pub use query::search;
pub use typeahead::{SuggestColumn, suggest};
pub use typos::similar_names;
pub use walk::WALK_MAX;

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
    /// How a search of several words (or with a filter or typo alternatives) is answered.
    pub path: SearchPath,
}

/// The ways to a page of a search that one term does not answer; all give the same pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchPath {
    /// The walk of entries when it looks cheaper than scoring every match, the full-text
    /// path otherwise (and when the walk reads [`WALK_MAX`] profiles without finishing).
    Cheapest,
    /// The walk whenever the search has a word (or filter) to walk.
    Walk,
    /// The full-text path: every match found and scored.
    FullText,
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
    Score { score: i64, id: i64 },
}

/// Splits free text into folded search words (letters and digits only, so nothing a
/// user types can change the meaning of the full-text query).
pub fn terms_of(text: &str) -> Vec<String> {
    let mut words = fuzzy::words(text);
    // A word said twice asks for nothing more (the later one stays: it may be the prefix).
    let mut i = 0;
    while i < words.len() {
        if words[i + 1..].contains(&words[i]) {
            words.remove(i);
        } else {
            i += 1;
        }
    }
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
