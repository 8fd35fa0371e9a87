//! The search entries (`search_entry`, `search_count`, migration 23): what every active
//! profile can be found by, computed here from its stored state, and their upkeep.
//!
//! A profile's entries are a function of its stored row and specialties ([`entries_of`]):
//! [`refresh`] recomputes them and writes only the difference, with the counts, in the
//! caller's transaction; `rebuild` writes them all anew.

use crate::db::{Params, rows_per_statement};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult};
use shared::fuzzy;
use std::collections::{BTreeMap, HashMap};

/// A word of the profile's name weighs this much in a match.
pub const NAME_WEIGHT: i64 = 100;
/// A word of its city or of a specialty's name.
pub const PLACE_WEIGHT: i64 = 40;
/// A word of its bio.
pub const BIO_WEIGHT: i64 = 10;
/// Prefixes up to this many letters have entries of their own; a longer prefix is read from
/// the whole words it starts (few, once a prefix has four letters).
pub const PREFIX_ENTRY_LETTERS: usize = 3;

/// The entry of a whole word.
pub fn word_term(word: &str) -> String {
    format!("w:{word}")
}

/// The entry of a prefix of at most [`PREFIX_ENTRY_LETTERS`] letters.
pub fn prefix_term(prefix: &str) -> String {
    format!("p:{prefix}")
}

/// The entry of a listing: the whole directory, a city, a specialty, a specialty in a city
/// (folded city, specialty slug).
pub fn listing_term(city: Option<&str>, specialty: Option<&str>) -> String {
    match (specialty, city) {
        (None, None) => "l:".to_owned(),
        (None, Some(c)) => format!("l:c:{c}"),
        (Some(s), None) => format!("l:s:{s}"),
        (Some(s), Some(c)) => format!("l:s:{s}|c:{c}"),
    }
}

/// What a profile's entries are computed from: its stored public state.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Indexed {
    pub id: i64,
    pub status: String,
    pub display_name: String,
    pub city: String,
    pub city_folded: String,
    pub bio: String,
    pub search_rank: i64,
}

#[derive(Debug, FromQueryResult)]
struct Linked {
    profile_id: i64,
    slug: String,
    name: String,
}

/// A profile's entries, term to weight: none unless it is active. A whole word weighs what
/// its best field gives it; a prefix, the sum over the profile's distinct words it starts;
/// a listing nothing (its order is the rank alone).
pub fn entries_of(profile: &Indexed, specialties: &[(String, String)]) -> BTreeMap<String, i64> {
    let mut entries = BTreeMap::new();
    if profile.status != "active" {
        return entries;
    }
    let words = words_of(profile, specialties);
    for (word, weight) in &words {
        entries.insert(word_term(word), *weight);
        for (letters, (end, _)) in word.char_indices().skip(1).chain([(word.len(), ' ')]).enumerate() {
            if letters >= PREFIX_ENTRY_LETTERS {
                break;
            }
            *entries.entry(prefix_term(&word[..end])).or_insert(0) += weight;
        }
    }
    let city = Some(profile.city_folded.as_str()).filter(|c| !c.is_empty());
    entries.insert(listing_term(None, None), 0);
    if let Some(c) = city {
        entries.insert(listing_term(Some(c), None), 0);
    }
    for (slug, _) in specialties {
        entries.insert(listing_term(None, Some(slug)), 0);
        if let Some(c) = city {
            entries.insert(listing_term(Some(c), Some(slug)), 0);
        }
    }
    entries
}

/// A profile's distinct words, each with the weight of its best field.
pub fn words_of(profile: &Indexed, specialties: &[(String, String)]) -> BTreeMap<String, i64> {
    let mut words: BTreeMap<String, i64> = BTreeMap::new();
    let mut add = |text: &str, weight: i64| {
        for word in fuzzy::words(text) {
            let best = words.entry(word).or_insert(weight);
            *best = (*best).max(weight);
        }
    };
    add(&profile.display_name, NAME_WEIGHT);
    add(&profile.city, PLACE_WEIGHT);
    for (_, name) in specialties {
        add(name, PLACE_WEIGHT);
    }
    add(&profile.bio, BIO_WEIGHT);
    words
}

/// The whole words of a set of entries, with their weights.
pub(super) fn whole_words<'a>(entries: impl IntoIterator<Item = (&'a String, i64)>) -> BTreeMap<String, i64> {
    entries
        .into_iter()
        .filter_map(|(term, weight)| term.strip_prefix("w:").map(|w| (w.to_owned(), weight)))
        .collect()
}

/// The name words of a set of entries (whole words weighing [`NAME_WEIGHT`]).
pub fn name_words_of<'a>(entries: impl IntoIterator<Item = (&'a String, &'a i64)>) -> Vec<String> {
    entries
        .into_iter()
        .filter(|(term, weight)| **weight == NAME_WEIGHT && term.starts_with("w:"))
        .map(|(term, _)| term[2..].to_owned())
        .filter(|w| w.chars().count() >= 3)
        .collect()
}

/// The stored state of these profiles, with their specialties (slug, name); a deleted
/// profile is absent.
pub async fn load<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Vec<(Indexed, Vec<(String, String)>)>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let backend = conn.get_database_backend();
    let mut p = Params::new(backend);
    let list = p.list(ids.iter().copied());
    let profiles = Indexed::find_by_statement(p.statement(format!(
        "SELECT id, status, display_name, city, city_folded, bio, search_rank FROM directory_profile \
         WHERE id IN ({list}) ORDER BY id"
    )))
    .all(conn)
    .await?;
    let mut p = Params::new(backend);
    let list = p.list(ids.iter().copied());
    let links = Linked::find_by_statement(p.statement(format!(
        "SELECT ps.profile_id, sp.slug, sp.name FROM profile_specialty ps JOIN specialty sp ON sp.id = ps.specialty_id \
         WHERE ps.profile_id IN ({list}) ORDER BY ps.profile_id, sp.slug"
    )))
    .all(conn)
    .await?;
    let mut by_profile: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for link in links {
        by_profile
            .entry(link.profile_id)
            .or_default()
            .push((link.slug, link.name));
    }
    Ok(profiles
        .into_iter()
        .map(|profile| {
            let specialties = by_profile.remove(&profile.id).unwrap_or_default();
            (profile, specialties)
        })
        .collect())
}

#[derive(Debug, FromQueryResult)]
struct Stored {
    profile_id: i64,
    term: String,
    weight: i64,
    score: i64,
}

/// The name words whose entries these profiles gained and lost.
#[derive(Debug, Default)]
pub struct NameChanges {
    pub added: Vec<String>,
    pub gone: Vec<String>,
}

/// Recomputes the entries of these profiles from their stored state and writes what
/// changed: rows gone or re-weighed are deleted, new and re-weighed rows inserted, and each
/// term's count moves with its rows. Call in the transaction that changed the profiles
/// (a deleted profile loses its entries; `leaving`: the profiles lose them whatever their
/// state, before they are deleted). Returns the name words gained and lost.
pub async fn refresh<C: ConnectionTrait>(conn: &C, ids: &[i64], leaving: bool) -> Result<NameChanges, DbErr> {
    if ids.is_empty() {
        return Ok(NameChanges::default());
    }
    let backend = conn.get_database_backend();
    let mut wanted: BTreeMap<i64, (i64, BTreeMap<String, i64>)> =
        ids.iter().map(|id| (*id, (0, BTreeMap::new()))).collect();
    if !leaving {
        for (profile, specialties) in load(conn, ids).await? {
            wanted.insert(profile.id, (profile.search_rank, entries_of(&profile, &specialties)));
        }
    }
    let mut p = Params::new(backend);
    let list = p.list(ids.iter().copied());
    let stored = Stored::find_by_statement(p.statement(format!(
        "SELECT profile_id, term, weight, score FROM search_entry WHERE profile_id IN ({list})"
    )))
    .all(conn)
    .await?;
    let mut current: BTreeMap<i64, BTreeMap<String, (i64, i64)>> = BTreeMap::new();
    for row in stored {
        current
            .entry(row.profile_id)
            .or_default()
            .insert(row.term, (row.weight, row.score));
    }
    let mut deletes: Vec<(i64, String)> = Vec::new();
    let mut inserts: Vec<(i64, String, i64, i64)> = Vec::new();
    // Each term's change in rows, and the highest weight written to it.
    let mut counts: BTreeMap<String, CountChange> = BTreeMap::new();
    let mut names = NameChanges::default();
    // Profiles whose document goes, and the documents (id, rank, words) written anew.
    let mut documents_gone = Vec::new();
    let mut documents = Vec::new();
    for (id, (rank, entries)) in &wanted {
        let old = current.remove(id).unwrap_or_default();
        let old_rank = old.get(&listing_term(None, None)).map(|(w, score)| score - w);
        let old_words = whole_words(old.iter().map(|(t, (w, _))| (t, *w)));
        let new_words = whole_words(entries.iter().map(|(t, w)| (t, *w)));
        if old_words != new_words || (!entries.is_empty() && old_rank != Some(*rank)) {
            if !old.is_empty() {
                documents_gone.push(*id);
            }
            if !entries.is_empty() {
                documents.push((*id, *rank, new_words));
            }
        }
        for (term, &(weight, score)) in &old {
            match entries.get(term) {
                Some(&w) if w == weight && w + rank == score => {}
                Some(_) => deletes.push((*id, term.clone())),
                None => {
                    deletes.push((*id, term.clone()));
                    counts.entry(term.clone()).or_default().rows -= 1;
                }
            }
        }
        for (term, &weight) in entries {
            match old.get(term) {
                Some(&(w, score)) if w == weight && w + rank == score => {}
                // Only the rank moved: the weight is one the count has seen.
                Some(&(w, _)) if w == weight => inserts.push((*id, term.clone(), weight, weight + rank)),
                Some(_) => {
                    inserts.push((*id, term.clone(), weight, weight + rank));
                    let change = counts.entry(term.clone()).or_default();
                    change.max_weight = change.max_weight.max(weight);
                }
                None => {
                    inserts.push((*id, term.clone(), weight, weight + rank));
                    let change = counts.entry(term.clone()).or_default();
                    change.rows += 1;
                    change.max_weight = change.max_weight.max(weight);
                }
            }
        }
        let before = name_words_of(old.iter().map(|(t, (w, _))| (t, w)));
        let after = name_words_of(entries);
        names
            .added
            .extend(after.iter().filter(|w| !before.contains(w)).cloned());
        names.gone.extend(before.into_iter().filter(|w| !after.contains(w)));
    }
    delete_rows(conn, &deletes).await?;
    insert_rows(conn, &inserts).await?;
    add_counts(conn, &counts).await?;
    delete_documents(conn, &documents_gone).await?;
    insert_documents(conn, "search_document", &documents).await?;
    Ok(names)
}

async fn delete_rows<C: ConnectionTrait>(conn: &C, rows: &[(i64, String)]) -> Result<(), DbErr> {
    let mut by_profile: BTreeMap<i64, Vec<&String>> = BTreeMap::new();
    for (id, term) in rows {
        by_profile.entry(*id).or_default().push(term);
    }
    for (id, terms) in by_profile {
        for chunk in terms.chunks(rows_per_statement(conn.get_database_backend(), 1)) {
            let mut p = Params::new(conn.get_database_backend());
            let profile = p.push(id);
            let list = p.list(chunk.iter().map(|t| (*t).clone()));
            conn.execute_raw(p.statement(format!(
                "DELETE FROM search_entry WHERE profile_id = {profile} AND term IN ({list})"
            )))
            .await?;
        }
    }
    Ok(())
}

/// Inserts entry rows (profile, term, weight, score), many per statement.
async fn insert_rows<C: ConnectionTrait>(conn: &C, rows: &[(i64, String, i64, i64)]) -> Result<(), DbErr> {
    insert_rows_into(conn, "search_entry", rows).await
}

/// [`insert_rows`] into `table` (the rebuild's new table).
pub(super) async fn insert_rows_into<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    rows: &[(i64, String, i64, i64)],
) -> Result<(), DbErr> {
    for chunk in rows.chunks(rows_per_statement(conn.get_database_backend(), 4)) {
        let mut p = Params::new(conn.get_database_backend());
        let values = chunk
            .iter()
            .map(|(id, term, weight, score)| {
                format!(
                    "({}, {}, {}, {})",
                    p.push(*id),
                    p.push(term.clone()),
                    p.push(*weight),
                    p.push(*score)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        conn.execute_raw(p.statement(format!(
            "INSERT INTO {table} (profile_id, term, weight, score) VALUES {values}"
        )))
        .await?;
    }
    Ok(())
}

/// Removes the full-text documents of these profiles.
async fn delete_documents<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let key = if backend == DbBackend::Postgres {
        "profile_id"
    } else {
        "rowid"
    };
    for chunk in ids.chunks(rows_per_statement(backend, 1)) {
        let mut p = Params::new(backend);
        let list = p.list(chunk.iter().copied());
        conn.execute_raw(p.statement(format!("DELETE FROM search_document WHERE {key} IN ({list})")))
            .await?;
    }
    Ok(())
}

/// Writes full-text documents (profile, rank, words with weights). PostgreSQL: each word
/// once, labelled by its weight (A name, B city or specialty, D bio), so that `ts_rank`
/// of a one-word query is the weight over a constant (`query`); SQLite: the name's words
/// and the others, in two columns.
pub(super) async fn insert_documents<C: ConnectionTrait>(
    conn: &C,
    table: &str,
    documents: &[(i64, i64, BTreeMap<String, i64>)],
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    for chunk in documents.chunks(rows_per_statement(backend, 3)) {
        let mut p = Params::new(backend);
        let values = chunk
            .iter()
            .map(|(id, rank, words)| {
                if backend == DbBackend::Postgres {
                    let vector = words
                        .iter()
                        .map(|(word, weight)| {
                            let label = match *weight {
                                NAME_WEIGHT => 'A',
                                PLACE_WEIGHT => 'B',
                                _ => 'D',
                            };
                            format!("'{word}':1{label}")
                        })
                        .collect::<Vec<_>>()
                        .join(" ");
                    format!(
                        "({}, {}, CAST({} AS tsvector))",
                        p.push(*id),
                        p.push(*rank),
                        p.push(vector)
                    )
                } else {
                    let words_weighing = |name: bool| {
                        words
                            .iter()
                            .filter(|(_, w)| (**w == NAME_WEIGHT) == name)
                            .map(|(word, _)| word.as_str())
                            .collect::<Vec<_>>()
                            .join(" ")
                    };
                    let (name, other) = (words_weighing(true), words_weighing(false));
                    format!("({}, {}, {})", p.push(*id), p.push(name), p.push(other))
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let columns = if backend == DbBackend::Postgres {
            "profile_id, search_rank, document"
        } else {
            "rowid, name, other"
        };
        conn.execute_raw(p.statement(format!("INSERT INTO {table} ({columns}) VALUES {values}")))
            .await?;
    }
    Ok(())
}

/// How one term's count changes.
#[derive(Debug, Default)]
pub(super) struct CountChange {
    /// Rows gained (or lost, negative).
    pub rows: i64,
    /// The highest weight written to the term (0: none).
    pub max_weight: i64,
}

/// Moves the counts of these terms by their changes, in term order (so concurrent writers
/// lock shared counts in the same order), and removes the counts that reach zero. A term's
/// highest weight only grows: when its heaviest rows go it stays an upper bound, which is
/// all a search asks of it (a rebuild makes it exact again).
pub(super) async fn add_counts<C: ConnectionTrait>(
    conn: &C,
    changes: &BTreeMap<String, CountChange>,
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let moved: Vec<(&String, &CountChange)> = changes
        .iter()
        .filter(|(_, c)| c.rows != 0 || c.max_weight > 0)
        .collect();
    let greatest = if backend == DbBackend::Postgres {
        "GREATEST"
    } else {
        "MAX"
    };
    for chunk in moved.chunks(rows_per_statement(backend, 3)) {
        let mut p = Params::new(backend);
        let values = chunk
            .iter()
            .map(|(term, change)| {
                format!(
                    "({}, {}, {})",
                    p.push((*term).clone()),
                    p.push(change.rows),
                    p.push(change.max_weight)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        conn.execute_raw(p.statement(format!(
            "INSERT INTO search_count (term, profiles, max_weight) VALUES {values} \
             ON CONFLICT (term) DO UPDATE SET profiles = search_count.profiles + excluded.profiles, \
             max_weight = {greatest}(search_count.max_weight, excluded.max_weight)"
        )))
        .await?;
    }
    let fallen: Vec<&String> = moved.iter().filter(|(_, c)| c.rows < 0).map(|(t, _)| *t).collect();
    for chunk in fallen.chunks(rows_per_statement(conn.get_database_backend(), 1)) {
        let mut p = Params::new(conn.get_database_backend());
        let list = p.list(chunk.iter().map(|t| (*t).clone()));
        conn.execute_raw(p.statement(format!(
            "DELETE FROM search_count WHERE profiles <= 0 AND term IN ({list})"
        )))
        .await?;
    }
    Ok(())
}

/// Whether the entries need building: active profiles but no count of the whole directory
/// (a database migrated from before migration 23, or one emptied by hand).
pub async fn missing<C: ConnectionTrait>(conn: &C) -> Result<bool, DbErr> {
    #[derive(FromQueryResult)]
    struct Missing {
        missing: bool,
    }
    let sql = "SELECT (EXISTS (SELECT 1 FROM directory_profile WHERE status = 'active') \
               AND NOT EXISTS (SELECT 1 FROM search_count WHERE term = 'l:')) AS missing";
    Ok(
        Missing::find_by_statement(sea_orm::Statement::from_string(conn.get_database_backend(), sql))
            .one(conn)
            .await?
            .is_some_and(|m| m.missing),
    )
}
