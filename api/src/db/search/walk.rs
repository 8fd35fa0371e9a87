//! A page of a search of several words (or of one with a filter or typo alternatives) read
//! from the best-scored entries down, without scoring every match.
//!
//! One of the search's words, the *driver*, is read in score order from
//! `idx_search_entry_page` (its exact term, and each typo alternative's name entries): every
//! match has the driver, so every match turns up in one of those ranges. Each profile read
//! is looked up in its other entries (the other words, the filter, its rank) and scored
//! exactly as the full-text path scores it. A profile not read yet cannot score more than
//! the last driver score read plus the other words' highest weights (`search_count`
//! keeps them): once the page's last result scores more than that, the page is final. The
//! total still comes from the full-text index, which counts without scoring.
//!
//! The driver is the word (or the filter) with the fewest entries, so the work is bounded
//! by the smaller list, and in practice by how far down the page's scores reach. A search
//! whose words rarely meet (a first and a last name) has few matches, which the full-text
//! path scores for less than a walk would read: the counts tell which (`Cheapest`). A walk
//! that reads [`WALK_MAX`] profiles without finishing gives way to the full-text path.

use super::RankKey;
use super::entries::{NAME_WEIGHT, PREFIX_ENTRY_LETTERS, listing_term, prefix_term, word_term};
use super::query::Word;
use super::{SearchPath, SearchQuery};
use crate::db::Params;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Profiles read before the walk gives way to the full-text path (which scores every match).
pub const WALK_MAX: usize = 2_700;

/// Profiles read in the first round; each later round reads four times as many.
const FIRST_ROUND: usize = 160;

/// One range of driver entries, read in score order.
struct Stream {
    term: String,
    /// Taken from an entry's score to give what the driver word adds plus the rank: nothing
    /// for the exact term (the score is its weight plus the rank); a typo alternative adds
    /// nothing, so a name entry's score less [`NAME_WEIGHT`] is the rank.
    discount: i64,
    /// The last entry read (score, profile id): the next round starts after it.
    after: Option<(i64, i64)>,
    done: bool,
}

/// The page (profile id and score, one more than asked when more follow) when the walk
/// answers it; `None` when the search has no driver or the walk went too far.
pub async fn walk<C: ConnectionTrait>(
    conn: &C,
    words: &[Word],
    filter: Option<&str>,
    query: &SearchQuery,
) -> Result<Option<Vec<(i64, i64)>>, DbErr> {
    if query.path == SearchPath::FullText {
        return Ok(None);
    }
    // Each word's exact terms: a long prefix with too many words to list has no walk.
    let Some(exact) = words.iter().map(exact_terms).collect::<Option<Vec<_>>>() else {
        return Ok(None);
    };
    let everyone = listing_term(None, None);
    let lookups = lookups_of(&exact, words, filter, &everyone);
    let counts = counts_of(conn, &lookups).await?;
    let count = |term: &String| counts.get(term).map_or(0, |c| c.profiles);
    let heaviest = |term: &String| counts.get(term).map_or(0, |c| c.max_weight);

    // Each word's entries (exact and typo alternatives), and the filter's.
    let sizes: Vec<i64> = words
        .iter()
        .zip(&exact)
        .map(|(word, terms)| {
            terms.iter().map(count).sum::<i64>() + word.typos.iter().map(|t| count(&word_term(t))).sum::<i64>()
        })
        .collect();
    let filter_size = filter.map(|f| count(&f.to_owned()));
    // The driver: the candidate with the fewest entries to read.
    let mut best: Option<(i64, Option<usize>)> = filter_size.map(|size| (size, None));
    for (i, size) in sizes.iter().enumerate() {
        // A word can drive with one exact term, or none (a typo that starts no word: only
        // its alternatives match).
        if exact[i].len() <= 1 && best.is_none_or(|(fewest, _)| *size < fewest) {
            best = Some((*size, Some(i)));
        }
    }
    let Some((driver_size, driver)) = best else {
        return Ok(None);
    };
    let wanted = usize::try_from(query.page.limit_plus_one()).unwrap_or(101);
    if query.path == SearchPath::Cheapest {
        let others = sizes
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != driver)
            .map(|(_, size)| *size)
            .chain(filter_size.filter(|_| driver.is_some()));
        if !worth_walking(driver_size, others, count(&everyone), wanted) {
            return Ok(None);
        }
    }
    let mut streams = match driver {
        None => vec![Stream::new(filter.unwrap_or_default().to_owned(), 0)],
        Some(i) => exact[i]
            .iter()
            .map(|term| Stream::new(term.clone(), 0))
            .chain(words[i].typos.iter().map(|t| Stream::new(word_term(t), NAME_WEIGHT)))
            .collect(),
    };
    if streams.is_empty() {
        // A word with nothing to match: no page.
        return Ok(Some(Vec::new()));
    }
    // What the other words can add, at most, to a profile's driver score.
    let others: i64 = (0..words.len())
        .filter(|i| Some(*i) != driver)
        .map(|i| exact[i].iter().map(heaviest).sum::<i64>())
        .sum();
    // Where the page starts: a result after the cursor scores at most the cursor's score, and
    // never less than its driver score, so each range starts there.
    let cursor = match query.page.after {
        Some(RankKey::Score { score, id }) => Some((score, id)),
        Some(RankKey::Rank { .. }) => return Ok(None),
        None => None,
    };
    if let Some((score, _)) = cursor {
        for stream in &mut streams {
            // Everything at or below the cursor's score (plus the discount), from the first id.
            stream.after = Some((score + stream.discount + 1, i64::MAX));
        }
    }

    let mut seen: HashSet<i64> = HashSet::new();
    let mut found: Vec<(i64, i64)> = Vec::new();
    let mut round = FIRST_ROUND;
    loop {
        let read = read_round(conn, &mut streams, &lookups, round).await?;
        for (id, entries) in read {
            if !seen.insert(id) {
                continue;
            }
            let Some(score) = score_of(&entries, words, &exact, filter, &everyone) else {
                continue;
            };
            let after_cursor = cursor.is_none_or(|(s, last)| score < s || (score == s && id > last));
            if after_cursor {
                found.push((id, score));
            }
        }
        found.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        found.truncate(wanted);
        if page_is_final(&streams, &found, wanted, others) {
            return Ok(Some(found));
        }
        if seen.len() >= WALK_MAX {
            return Ok(None);
        }
        round = (round * 4).min(WALK_MAX);
    }
}

/// Every term a profile read is looked up in: the words' exact terms and typo
/// alternatives, the filter, and the whole directory's listing (for the rank).
fn lookups_of(exact: &[Vec<String>], words: &[Word], filter: Option<&str>, everyone: &str) -> Vec<String> {
    let mut lookups: Vec<String> = exact.iter().flatten().cloned().collect();
    for word in words {
        lookups.extend(word.typos.iter().map(|t| word_term(t)));
    }
    lookups.extend(filter.map(str::to_owned));
    lookups.push(everyone.to_owned());
    lookups.sort();
    lookups.dedup();
    lookups
}

/// Whether a walk looks cheaper than scoring every match: were the words independent,
/// the share of the driver's `driver_size` profiles that match (from the `others`' sizes
/// among the `listed`), the matches the full-text path would score, and the profiles a walk
/// would read (twice what it takes to find `wanted`: the last ones must also beat the bound).
fn worth_walking(driver_size: i64, others: impl Iterator<Item = i64>, listed: i64, wanted: usize) -> bool {
    let listed = listed.max(1);
    #[expect(clippy::cast_precision_loss, reason = "an estimate")]
    let share: f64 = others.map(|size| (size.min(listed) as f64) / (listed as f64)).product();
    #[expect(clippy::cast_precision_loss, reason = "an estimate")]
    let (driver, wanted) = (driver_size as f64, wanted as f64);
    let (matches, reads) = (driver * share, 2.0 * wanted / share.max(1e-9));
    reads.min(driver) <= matches
}

/// Whether the last result on the page comes before every profile not read yet: one left
/// in a range after its last entry read (score, id) scores at most that score (less the
/// discount) plus what the other words add at most (`others`), and when it scores that
/// much, its score equals the entry's, so its id is higher.
fn page_is_final(streams: &[Stream], found: &[(i64, i64)], wanted: usize, others: i64) -> bool {
    let last = found.get(wanted - 1).copied();
    streams
        .iter()
        .filter(|s| !s.done)
        .filter_map(|s| s.after.map(|after| (s, after)))
        .all(|(stream, (score, id))| {
            let most = score - stream.discount + others;
            last.is_some_and(|(last_id, last_score)| last_score > most || (last_score == most && last_id <= id))
        })
}

impl Stream {
    fn new(term: String, discount: i64) -> Self {
        Stream {
            term,
            discount,
            after: None,
            done: false,
        }
    }
}

/// The terms whose entries give a word its weight (and match it exactly): a whole word's,
/// a short prefix's own, or the whole words a longer prefix starts; `None` for a prefix
/// starting more words than are listed.
fn exact_terms(word: &Word) -> Option<Vec<String>> {
    if !word.prefix {
        Some(vec![word_term(&word.text)])
    } else if word.text.chars().count() <= PREFIX_ENTRY_LETTERS {
        Some(vec![prefix_term(&word.text)])
    } else {
        word.starts.as_ref().map(|s| s.iter().map(|w| word_term(w)).collect())
    }
}

/// A profile's score for the search from its looked-up entries (term to weight and score),
/// as the full-text path scores it; `None` unless it matches every word and the filter.
fn score_of(
    entries: &Looked,
    words: &[Word],
    exact: &[Vec<String>],
    filter: Option<&str>,
    everyone: &str,
) -> Option<i64> {
    let &(_, rank) = entries.get(everyone)?;
    if filter.is_some_and(|f| !entries.contains_key(f)) {
        return None;
    }
    let mut score = rank;
    for (word, terms) in words.iter().zip(exact) {
        let weights: Vec<i64> = terms.iter().filter_map(|t| entries.get(t).map(|(w, _)| *w)).collect();
        if weights.is_empty() {
            // A typo alternative matches in the name, and adds nothing.
            let typo = word
                .typos
                .iter()
                .any(|t| entries.get(&word_term(t)).is_some_and(|(w, _)| *w == NAME_WEIGHT));
            if !typo {
                return None;
            }
        }
        score += weights.iter().sum::<i64>();
    }
    Some(score)
}

#[derive(FromQueryResult)]
struct Counted {
    term: String,
    profiles: i64,
    max_weight: i64,
}

async fn counts_of<C: ConnectionTrait>(conn: &C, terms: &[String]) -> Result<HashMap<String, Counted>, DbErr> {
    let mut p = Params::new(conn.get_database_backend());
    let list = p.list(terms.iter().cloned());
    Ok(Counted::find_by_statement(p.statement(format!(
        "SELECT term, profiles, max_weight FROM search_count WHERE term IN ({list})"
    )))
    .all(conn)
    .await?
    .into_iter()
    .map(|c| (c.term.clone(), c))
    .collect())
}

#[derive(FromQueryResult)]
struct Read {
    stream: i64,
    profile_id: i64,
    score: i64,
    term: Option<String>,
    weight: Option<i64>,
    entry_score: Option<i64>,
}

/// A profile's looked-up entries: term to weight and score.
type Looked = HashMap<String, (i64, i64)>;

/// Reads the next `size` entries of every unfinished stream and looks each profile up in
/// `lookups`, in one statement; the profiles with their entries (term to weight and score),
/// in the order read. Moves each stream past what it read.
async fn read_round<C: ConnectionTrait>(
    conn: &C,
    streams: &mut [Stream],
    lookups: &[String],
    size: usize,
) -> Result<Vec<(i64, Looked)>, DbErr> {
    let mut p = Params::new(conn.get_database_backend());
    let limit = p.push(i64::try_from(size).unwrap_or(i64::MAX));
    let ranges = streams
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.done)
        .map(|(i, s)| {
            let term = p.push(s.term.clone());
            let after = s.after.map_or(String::new(), |(score, id)| {
                let (score, id) = (p.push(score), p.push(id));
                format!(" AND (score < {score} OR (score = {score} AND profile_id > {id}))")
            });
            format!(
                "SELECT * FROM (SELECT CAST({i} AS BIGINT) AS stream, profile_id, score FROM search_entry \
                 WHERE term = {term}{after} ORDER BY score DESC, profile_id ASC LIMIT {limit}) s{i}"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let list = p.list(lookups.iter().cloned());
    // One primary-key probe per profile read. PostgreSQL's generic plan (a statement run
    // five times) would rather hash every entry of the looked-up terms (130,000 rows for
    // two common words, 25 ms): the lateral subquery, kept apart by `OFFSET 0`, leaves it
    // only the probes. SQLite always probes.
    let join = if p.backend == sea_orm::DbBackend::Postgres {
        format!(
            "LEFT JOIN LATERAL (SELECT term, weight, score FROM search_entry \
             WHERE profile_id = r.profile_id AND term IN ({list}) OFFSET 0) e ON true"
        )
    } else {
        format!("LEFT JOIN search_entry e ON e.profile_id = r.profile_id AND e.term IN ({list})")
    };
    let rows = Read::find_by_statement(p.statement(format!(
        "WITH read AS ({ranges}) SELECT r.stream, r.profile_id, r.score, e.term, e.weight, e.score AS entry_score \
         FROM read r {join}"
    )))
    .all(conn)
    .await?;
    let mut profiles: Vec<(i64, Looked)> = Vec::new();
    let mut at: HashMap<i64, usize> = HashMap::new();
    // Per stream: the profiles it read, and its last entry (the lowest score, then the
    // highest id). The join repeats a profile once per entry looked up.
    let mut read: BTreeMap<i64, (HashSet<i64>, (i64, i64))> = BTreeMap::new();
    for row in rows {
        let slot = *at.entry(row.profile_id).or_insert_with(|| {
            profiles.push((row.profile_id, HashMap::new()));
            profiles.len() - 1
        });
        if let (Some(term), Some(weight), Some(score)) = (row.term, row.weight, row.entry_score) {
            profiles[slot].1.insert(term, (weight, score));
        }
        let key = (row.score, row.profile_id);
        let (ids, lowest) = read.entry(row.stream).or_insert_with(|| (HashSet::new(), key));
        ids.insert(row.profile_id);
        if key.0 < lowest.0 || (key.0 == lowest.0 && key.1 > lowest.1) {
            *lowest = key;
        }
    }
    for (i, stream) in streams.iter_mut().enumerate() {
        if stream.done {
            continue;
        }
        match read.get(&i64::try_from(i).unwrap_or(i64::MAX)) {
            Some((ids, lowest)) => {
                stream.after = Some(*lowest);
                stream.done = ids.len() < size;
            }
            None => stream.done = true,
        }
    }
    Ok(profiles)
}
