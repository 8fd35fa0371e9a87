//! Proof of sameness (issue 17): the directory's precomputed entries answer every query
//! shape exactly as a straightforward reference does. A few hundred made-up trainers are
//! loaded in bulk, then changed one by one as members and staff do (renamed, re-ranked,
//! given other specialties, hidden, deleted, their accounts disabled); for a few hundred
//! generated queries of every shape, the pages (walked through their cursors) and counts of
//! `services::directory::search` must equal what this module computes from the stored
//! profiles alone, with the relevance rules written out here a second time. The entries kept
//! write by write must also equal a full rebuild's.

use anyhow::{Result, ensure};
use api::db::search::{RankKey, SearchPath};
use api::page::PageRequest;
use api::services::directory::{DirectorySearch, search};
use chrono::Utc;
use sea_orm::{ConnectionTrait, FromQueryResult, Statement, TransactionTrait};
use shared::fuzzy;
use std::collections::{BTreeMap, BTreeSet};
use tests::TestApp;

/// `SplitMix64`: a deterministic generator, so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const FIRST: &[&str] = &[
    "Maya", "Marc", "Martin", "Olivia", "Oliver", "Chloé", "Mathis", "Léa", "Noah", "Emma", "Liam", "Zoé", "Amir",
    "Ana", "Mara",
];
const LAST: &[&str] = &[
    "Tremblay",
    "Gagnon",
    "Roy",
    "MacDonald",
    "Martin",
    "Okafor",
    "Smith",
    "Nguyen",
    "Côté",
    "Morin",
    "Ma",
    "Olsen",
];
const CITIES: &[&str] = &[
    "Toronto",
    "Montréal",
    "Halifax",
    "Ottawa",
    "Mont-Royal",
    "Trois-Rivières",
    "Oka",
];
const BIO: &[&str] = &[
    "strength",
    "mobility",
    "marathon",
    "martial",
    "morning",
    "yoga",
    "olympic",
    "lifting",
    "outdoor",
    "classes",
    "coaching",
    "mothers",
    "masters",
    "running",
    "boxing",
    "tremendous",
];

/// One made-up profile's fields.
fn fields(rng: &mut Rng, n: usize) -> api::db::profiles::ProfileFields {
    let name = format!("{} {}", rng.pick(FIRST), rng.pick(LAST));
    let words = (0..=rng.below(6)).map(|_| *rng.pick(BIO)).collect::<Vec<_>>().join(" ");
    api::db::profiles::ProfileFields {
        slug: format!("sample-{n}-{}", rng.next() % 1_000_000),
        display_name: name,
        city: (*rng.pick(CITIES)).to_owned(),
        region: "ON".to_owned(),
        country: "Canada".to_owned(),
        bio: format!("Focus: {words}."),
        languages: "en".to_owned(),
        show_phone: false,
    }
}

fn some_specialties(rng: &mut Rng, all: &[entity::specialty::Model]) -> Vec<entity::specialty::Model> {
    let mut chosen: Vec<entity::specialty::Model> = (0..rng.below(4)).map(|_| rng.pick(all).clone()).collect();
    chosen.sort_by_key(|s| s.id);
    chosen.dedup_by_key(|s| s.id);
    chosen
}

/// Loads `count` profiles through the bulk loader, with ranks from a small range (ties are
/// what the order by id is for).
async fn load(app: &TestApp, rng: &mut Rng, count: usize) -> Result<()> {
    let db = &app.state.db;
    let all = api::db::profiles::all_specialties(db).await?;
    let now = Utc::now();
    let txn = db.begin().await?;
    let first = api::db::members::reserve_member_numbers(&txn, i64::try_from(count)?).await?;
    let emails: Vec<String> = (0..count).map(|i| format!("same{i}@example.test")).collect();
    let samples: Vec<_> = (0..count)
        .map(|i| (fields(rng, i), some_specialties(rng, &all), rng.below(4)))
        .collect();
    let members = samples
        .iter()
        .zip(&emails)
        .zip(first..)
        .map(|(((f, _, _), email), member_number)| {
            (
                api::db::members::NewMember {
                    member_number,
                    email,
                    password_hash: "not-a-hash".to_owned(),
                    legal_name: &f.display_name,
                    role: shared::Role::Member,
                    email_confirmed_at: Some(now),
                    now,
                },
                api::db::members::ContactFields {
                    phone: None,
                    street_address: None,
                    city: None,
                    region: None,
                    postal_code: None,
                    country: None,
                    date_of_birth: None,
                },
            )
        })
        .collect();
    let member_ids = api::db::members::insert_many(&txn, members).await?;
    let profiles = samples
        .into_iter()
        .zip(member_ids)
        .map(
            |((fields, specialties, rank), member_id)| api::db::profiles::NewProfile {
                member_id,
                fields,
                search_rank: i64::try_from(rank).unwrap_or(0),
                specialties,
                phone: None,
            },
        )
        .collect();
    let ids = api::db::profiles::insert_many(&txn, profiles, now).await?;
    api::db::search::index_new(&txn, &ids).await?;
    txn.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, FromQueryResult)]
struct Stored {
    id: i64,
    member_id: i64,
    slug: String,
    status: String,
    display_name: String,
    city: String,
    city_folded: String,
    bio: String,
    search_rank: i64,
}

#[derive(Debug, FromQueryResult)]
struct Link {
    profile_id: i64,
    slug: String,
    name: String,
}

async fn stored(app: &TestApp) -> Result<Vec<(Stored, Vec<Link>)>> {
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let profiles = Stored::find_by_statement(Statement::from_string(
        backend,
        "SELECT id, member_id, slug, status, display_name, city, city_folded, bio, search_rank \
         FROM directory_profile ORDER BY id",
    ))
    .all(db)
    .await?;
    let mut links: BTreeMap<i64, Vec<Link>> = BTreeMap::new();
    for link in Link::find_by_statement(Statement::from_string(
        backend,
        "SELECT ps.profile_id, sp.slug, sp.name FROM profile_specialty ps JOIN specialty sp ON sp.id = ps.specialty_id",
    ))
    .all(db)
    .await?
    {
        links.entry(link.profile_id).or_default().push(link);
    }
    Ok(profiles
        .into_iter()
        .map(|p| {
            let l = links.remove(&p.id).unwrap_or_default();
            (p, l)
        })
        .collect())
}

/// Changes profiles one at a time, through the functions the services call.
async fn change(app: &TestApp, rng: &mut Rng, times: usize) -> Result<()> {
    let db = &app.state.db;
    let all = api::db::profiles::all_specialties(db).await?;
    for n in 0..times {
        let profiles = stored(app).await?;
        let (target, _) = rng.pick(&profiles);
        let now = Utc::now();
        let txn = db.begin().await?;
        match rng.below(6) {
            0 => {
                let mut new = fields(rng, 10_000 + n);
                new.slug = target.slug.clone();
                let ids: Vec<i64> = some_specialties(rng, &all).iter().map(|s| s.id).collect();
                api::db::profiles::upsert(&txn, target.member_id, new, &ids, now).await?;
            }
            1 => {
                let rank = i64::try_from(rng.below(6))?;
                api::db::profiles::set_search_rank(&txn, target.id, rank, now).await?;
            }
            2 => {
                let status = if target.status == "active" {
                    entity::enums::ProfileStatus::Disabled
                } else {
                    entity::enums::ProfileStatus::Active
                };
                api::db::profiles::set_chosen_status(&txn, target.id, status, now).await?;
            }
            3 => {
                let status = if rng.below(2) == 0 {
                    entity::enums::MemberStatus::Disabled
                } else {
                    entity::enums::MemberStatus::Active
                };
                api::db::members::set_status(&txn, target.member_id, status, now).await?;
                api::db::profiles::refresh_status_of_member(&txn, target.member_id, now).await?;
            }
            4 => {
                let ids: Vec<i64> = some_specialties(rng, &all).iter().map(|s| s.id).collect();
                api::db::profiles::set_specialties(&txn, target.id, &ids).await?;
            }
            _ => {
                if profiles.len() > 300 {
                    api::db::search::unindex(&txn, target.id).await?;
                    api::db::profiles::delete(&txn, target.id).await?;
                }
            }
        }
        txn.commit().await?;
    }
    app.state.typos.forget_all();
    Ok(())
}

/// A query and what the reference says it returns.
#[derive(Debug, Clone)]
struct Query {
    text: String,
    city: Option<String>,
    specialty: Option<String>,
}

/// The reference: every active profile's words with their best field's weight, each query
/// word matched and weighed by reading them, sorted by score then id.
struct Reference {
    profiles: Vec<Listed>,
}

/// An active profile as the reference reads it.
struct Listed {
    id: i64,
    rank: i64,
    city_folded: String,
    /// Each distinct word with its best field's weight.
    words: BTreeMap<String, i64>,
    slugs: BTreeSet<String>,
}

impl Reference {
    fn new(stored: Vec<(Stored, Vec<Link>)>) -> Self {
        let profiles = stored
            .into_iter()
            .filter(|(p, _)| p.status == "active")
            .map(|(p, links)| {
                let mut words: BTreeMap<String, i64> = BTreeMap::new();
                let texts = [(p.display_name.clone(), 100), (p.city.clone(), 40), (p.bio.clone(), 10)]
                    .into_iter()
                    .chain(links.iter().map(|l| (l.name.clone(), 40)));
                for (text, weight) in texts {
                    for word in fuzzy::words(&text) {
                        let best = words.entry(word).or_insert(weight);
                        *best = (*best).max(weight);
                    }
                }
                Listed {
                    id: p.id,
                    rank: p.search_rank,
                    city_folded: p.city_folded,
                    words,
                    slugs: links.into_iter().map(|l| l.slug).collect(),
                }
            })
            .collect();
        Self { profiles }
    }

    /// The name words of active profiles, for typo candidates.
    fn names(&self) -> BTreeSet<String> {
        self.profiles
            .iter()
            .flat_map(|p| p.words.iter().filter(|(_, w)| **w == 100).map(|(word, _)| word.clone()))
            .filter(|w| w.chars().count() >= 3)
            .collect()
    }

    fn answer(&self, query: &Query, names: &BTreeSet<String>) -> Vec<i64> {
        let terms = api::db::search::terms_of(&query.text);
        let last = terms.len().saturating_sub(1);
        let alternatives: Vec<Vec<String>> = terms
            .iter()
            .enumerate()
            .map(|(i, term)| {
                let allowed = fuzzy::allowed_typos(term);
                if allowed == 0 {
                    return Vec::new();
                }
                let mut near: Vec<(usize, String)> = names
                    .iter()
                    .filter_map(|n| fuzzy::typo_distance(term, n, allowed).map(|d| (d, n.clone())))
                    .collect();
                near.sort();
                let near: Vec<String> = near.into_iter().take(10).map(|(_, n)| n).collect();
                let meant = near
                    .iter()
                    .any(|n| n == term || (i == last && n.starts_with(term.as_str())));
                if meant {
                    Vec::new()
                } else {
                    near.into_iter().take(5).collect()
                }
            })
            .collect();
        let city = query.city.as_deref().map(|c| shared::validate::fold(c.trim()));
        let mut scored: Vec<(i64, i64)> = Vec::new();
        'profiles: for Listed {
            id,
            rank,
            city_folded,
            words,
            slugs,
        } in &self.profiles
        {
            if city.as_ref().is_some_and(|c| c != city_folded) {
                continue;
            }
            if query.specialty.as_ref().is_some_and(|s| !slugs.contains(s)) {
                continue;
            }
            let mut score = *rank;
            for (i, term) in terms.iter().enumerate() {
                let exact: Option<i64> = if i < last {
                    words.get(term).copied()
                } else {
                    let starting: Vec<i64> = words
                        .iter()
                        .filter(|(w, _)| w.starts_with(term.as_str()))
                        .map(|(_, weight)| *weight)
                        .collect();
                    (!starting.is_empty()).then(|| starting.iter().sum())
                };
                let typo = alternatives[i].iter().any(|a| words.get(a) == Some(&100));
                match exact {
                    Some(weight) => score += weight,
                    None if typo => {}
                    None => continue 'profiles,
                }
            }
            scored.push((score, *id));
        }
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().map(|(_, id)| id).collect()
    }
}

/// A one-letter change to a word: a letter dropped, doubled, swapped with the next or
/// replaced.
fn typo(rng: &mut Rng, word: &str) -> String {
    let mut letters: Vec<char> = word.chars().collect();
    let at = 1 + rng.below(letters.len().saturating_sub(2).max(1));
    let at = at.min(letters.len() - 1);
    match rng.below(4) {
        0 => {
            letters.remove(at);
        }
        1 => letters.insert(at, letters[at]),
        2 if at + 1 < letters.len() => letters.swap(at, at + 1),
        _ => letters[at] = if letters[at] == 'x' { 'q' } else { 'x' },
    }
    letters.into_iter().collect()
}

/// A few hundred queries of every shape, from the words the profiles use.
fn queries(rng: &mut Rng, reference: &Reference, specialties: &[String]) -> Vec<(&'static str, Query)> {
    let vocabulary: Vec<String> = reference
        .profiles
        .iter()
        .flat_map(|p| p.words.keys().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let names: Vec<String> = reference
        .names()
        .into_iter()
        .filter(|n| n.chars().count() >= 4)
        .collect();
    let prefix = |rng: &mut Rng, letters: usize| {
        let word = rng.pick(&vocabulary);
        word.chars().take(letters).collect::<String>()
    };
    let text = |text: String| Query {
        text,
        city: None,
        specialty: None,
    };
    let mut out = Vec::new();
    for _ in 0..150 {
        out.push(("prefix1", text(prefix(rng, 1))));
        out.push(("prefix2", text(prefix(rng, 2))));
        out.push(("prefix3", text(prefix(rng, 3))));
        let letters = 4 + rng.below(2);
        out.push(("prefix4", text(prefix(rng, letters))));
        out.push(("word", text(rng.pick(&vocabulary).clone())));
        let (whole, letters) = (rng.pick(&vocabulary).clone(), 2 + rng.below(6));
        let two = format!("{whole} {}", prefix(rng, letters));
        out.push(("words", text(two)));
        let name = rng.pick(&names).clone();
        let misspelt = typo(rng, &name);
        out.push(("typo", text(misspelt.clone())));
        out.push(("typo", text(format!("{misspelt} {}", prefix(rng, 3)))));
        let city = Some((*rng.pick(CITIES)).to_owned());
        let specialty = Some(rng.pick(specialties).clone());
        out.push((
            "city",
            Query {
                text: String::new(),
                city: city.clone(),
                specialty: None,
            },
        ));
        out.push((
            "specialty",
            Query {
                text: String::new(),
                city: None,
                specialty: specialty.clone(),
            },
        ));
        out.push((
            "specialty-city",
            Query {
                text: String::new(),
                city: city.clone(),
                specialty: specialty.clone(),
            },
        ));
        out.push((
            "word-filtered",
            Query {
                text: {
                    let letters = 1 + rng.below(6);
                    prefix(rng, letters)
                },
                city: (rng.below(2) == 0).then(|| city.clone()).flatten(),
                specialty,
            },
        ));
    }
    out.push(("empty", text(String::new())));
    out.push(("empty", text("  ".to_owned())));
    out
}

/// [`walk`], every page answered by `path`.
async fn pages_by(
    app: &TestApp,
    query: &Query,
    first: u64,
    path: api::db::search::SearchPath,
) -> Result<(Vec<i64>, Vec<u64>)> {
    let terms = api::db::search::terms_of(&query.text);
    let similar = api::db::search::similar_names(&app.state.db, &terms).await?;
    let mut after: Option<RankKey> = None;
    let (mut ids, mut totals) = (Vec::new(), Vec::new());
    for _ in 0..8 {
        let page = api::db::search::search(
            &app.state.db,
            &api::db::search::SearchQuery {
                terms: terms.clone(),
                similar: similar.clone(),
                city: query
                    .city
                    .as_deref()
                    .map(|c| shared::validate::fold(c.trim()))
                    .filter(|c| !c.is_empty()),
                specialty: query.specialty.clone().filter(|s| !s.trim().is_empty()),
                page: PageRequest { first, after },
                path,
            },
        )
        .await?;
        totals.push(page.total);
        ids.extend(page.rows.iter().map(|(_, row)| row.id));
        after = page.rows.last().map(|(key, _)| *key);
        if !page.has_more {
            break;
        }
    }
    Ok((ids, totals))
}

/// Every page of `query` through the service, `first` at a time (at most 8 pages), and
/// the total each page reported.
async fn walk(app: &TestApp, query: &Query, first: u64) -> Result<(Vec<i64>, Vec<u64>)> {
    let mut after: Option<RankKey> = None;
    let (mut ids, mut totals) = (Vec::new(), Vec::new());
    for _ in 0..8 {
        let page = search(
            &app.state,
            DirectorySearch {
                query: Some(query.text.clone()),
                city: query.city.clone(),
                specialty: query.specialty.clone(),
                page: PageRequest { first, after },
            },
        )
        .await?;
        totals.push(page.total);
        ids.extend(page.rows.iter().map(|(_, row)| row.id));
        after = page.rows.last().map(|(key, _)| *key);
        if !page.has_more {
            break;
        }
    }
    Ok((ids, totals))
}

async fn assert_same(app: &TestApp, rng: &mut Rng, round: &str) -> Result<usize> {
    let reference = Reference::new(stored(app).await?);
    let names = reference.names();
    let specialties: Vec<String> = api::db::profiles::all_specialties(&app.state.db)
        .await?
        .into_iter()
        .map(|s| s.slug)
        .collect();
    let queries = queries(rng, &reference, &specialties);
    let mut by_shape: BTreeMap<&str, usize> = BTreeMap::new();
    for (shape, query) in &queries {
        let expected = reference.answer(query, &names);
        let first = [1, 3, 7, 20][rng.below(4)];
        let (found, totals) = walk(app, query, first).await?;
        let seen = found.len();
        let walked = usize::try_from(first)? * 8;
        ensure!(
            found[..] == expected[..seen.min(expected.len())] && (seen == expected.len() || seen == walked),
            "{round}, {shape} {query:?} (pages of {first}): found {found:?}, expected {:?}",
            &expected[..expected.len().min(seen + 5)]
        );
        ensure!(
            totals.iter().all(|t| usize::try_from(*t).ok() == Some(expected.len())),
            "{round}, {shape} {query:?}: totals {totals:?}, expected {}",
            expected.len()
        );
        // Whichever way the service chose, the other ways answer alike.
        for path in [SearchPath::FullText, SearchPath::Walk] {
            let (other, totals) = pages_by(app, query, first, path).await?;
            ensure!(
                other == found && totals.iter().all(|t| usize::try_from(*t).ok() == Some(expected.len())),
                "{round}, {shape} {query:?} (pages of {first}) by {path:?}: found {other:?} ({totals:?}), \
                 the service {found:?}"
            );
        }
        *by_shape.entry(shape).or_default() += 1;
    }
    ensure!(by_shape.values().all(|n| *n >= 2), "{by_shape:?}");
    Ok(queries.len())
}

#[derive(Debug, PartialEq, FromQueryResult)]
struct EntryRow {
    profile_id: i64,
    term: String,
    weight: i64,
    score: i64,
}

#[derive(Debug, PartialEq, FromQueryResult)]
struct CountRow {
    term: String,
    profiles: i64,
    max_weight: i64,
}

/// The definitions of the search tables: columns, indexes and constraints, named as after
/// the swap (a rebuild's new tables must be the migration's).
async fn definitions(app: &TestApp) -> Result<Vec<String>> {
    #[derive(FromQueryResult)]
    struct Line {
        d: String,
    }
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let sql = if tests::harness::on_postgres() {
        "SELECT table_name || ' ' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || \
         COALESCE(collation_name, '') AS d FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name IN ('search_entry', 'search_count', 'search_document') \
         UNION ALL SELECT indexdef AS d FROM pg_indexes WHERE schemaname = current_schema() \
         AND tablename IN ('search_entry', 'search_count', 'search_document') \
         UNION ALL SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS d \
         FROM pg_constraint WHERE conrelid::regclass::text IN ('search_entry', 'search_count', 'search_document')"
    } else {
        "SELECT m.name || ' ' || c.name || ' ' || c.type || ' ' || c.\"notnull\" || ' ' || c.pk AS d \
         FROM sqlite_master m, pragma_table_info(m.name) c \
         WHERE m.name IN ('search_entry', 'search_count', 'search_document') \
         UNION ALL SELECT m.name || ' ' || CASE WHEN i.origin = 'c' THEN i.name ELSE i.origin END || ' ' || i.\"unique\" \
         || ' ' || x.seqno || ' ' || COALESCE(x.name, '') || ' ' || x.\"desc\" || ' ' || x.key AS d \
         FROM sqlite_master m, pragma_index_list(m.name) i, pragma_index_xinfo(i.name) x \
         WHERE m.name IN ('search_entry', 'search_count', 'search_document') \
         UNION ALL SELECT m.name || ' ' || f.\"table\" || ' ' || f.\"from\" || ' ' || COALESCE(f.\"to\", '') || ' ' || f.on_delete AS d \
         FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
         WHERE m.name IN ('search_entry', 'search_count', 'search_document') \
         UNION ALL SELECT replace(replace(sql, '\"', ''), 'search_document_next', 'search_document') AS d \
         FROM sqlite_master WHERE name = 'search_document'"
    };
    let mut lines: Vec<String> = Line::find_by_statement(Statement::from_string(backend, sql))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.d.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    lines.sort();
    Ok(lines)
}

/// Each term's number of rows.
fn counted(counts: &[CountRow]) -> Vec<(&str, i64)> {
    counts.iter().map(|c| (c.term.as_str(), c.profiles)).collect()
}

async fn index_rows(app: &TestApp) -> Result<(Vec<EntryRow>, Vec<CountRow>, i64)> {
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let entries = EntryRow::find_by_statement(Statement::from_string(
        backend,
        "SELECT profile_id, term, weight, score FROM search_entry ORDER BY profile_id, term",
    ))
    .all(db)
    .await?;
    let counts = CountRow::find_by_statement(Statement::from_string(
        backend,
        "SELECT term, profiles, max_weight FROM search_count ORDER BY term",
    ))
    .all(db)
    .await?;
    let trigrams = app.count("SELECT COUNT(*) AS n FROM name_trigram").await?;
    Ok((entries, counts, trigrams))
}

#[tokio::test]
async fn every_query_shape_answers_as_the_reference_does_before_and_after_changes() -> Result<()> {
    let app = TestApp::spawn().await?;
    let mut rng = Rng(17);
    load(&app, &mut rng, 400).await?;
    let loaded = assert_same(&app, &mut rng, "after the bulk load").await?;

    change(&app, &mut rng, 150).await?;
    let changed = assert_same(&app, &mut rng, "after 150 changes").await?;
    assert!(loaded + changed > 3_000, "{loaded} + {changed} queries");

    // What the writes kept, row by row, is what a rebuild from scratch writes.
    let kept = index_rows(&app).await?;
    let migrated = definitions(&app).await?;
    assert!(
        migrated.iter().any(|l| l.contains("idx_search_entry_page")) && migrated.len() > 12,
        "{migrated:#?}"
    );
    let txn = app.state.db.begin().await?;
    let listed = api::db::search::rebuild::rebuild(&txn).await?;
    txn.commit().await?;
    let rebuilt = index_rows(&app).await?;
    assert_eq!(
        migrated,
        definitions(&app).await?,
        "a rebuild's tables are the migration's"
    );
    // And the rebuilt index answers as the reference does.
    assert_same(&app, &mut rng, "after a rebuild").await?;

    // A database whose entries are missing (as right after migration 23 on an older
    // database) gets them when migrations run at start.
    for table in ["search_entry", "search_count"] {
        app.state.db.execute_unprepared(&format!("DELETE FROM {table}")).await?;
    }
    api::db::migrate(&app.state.db).await?;
    assert_eq!(index_rows(&app).await?.1, rebuilt.1, "counts built at start");
    assert_same(&app, &mut rng, "after the start's rebuild").await?;
    assert_eq!(
        counted(&kept.1),
        counted(&rebuilt.1),
        "counts kept write by write and rebuilt"
    );
    // A term's highest weight, kept write by write, may stay above its rows' (only an upper
    // bound is promised); a rebuild makes it exact.
    for (kept, rebuilt) in kept.1.iter().zip(&rebuilt.1) {
        assert!(kept.max_weight >= rebuilt.max_weight, "{kept:?} below {rebuilt:?}");
    }
    let mut heaviest = std::collections::BTreeMap::new();
    for entry in &rebuilt.0 {
        let max = heaviest.entry(entry.term.as_str()).or_insert(0);
        *max = entry.weight.max(*max);
    }
    for count in &rebuilt.1 {
        assert_eq!(Some(&count.max_weight), heaviest.get(count.term.as_str()), "{count:?}");
    }
    assert_eq!(kept.2, rebuilt.2, "typo index kept and rebuilt");
    assert!(kept.0 == rebuilt.0, "entries kept write by write differ from a rebuild");
    let active = app
        .count("SELECT COUNT(*) AS n FROM directory_profile WHERE status = 'active'")
        .await?;
    assert_eq!(i64::try_from(listed)?, active);
    assert!(active < 400, "some profiles were hidden or deleted: {active}");
    Ok(())
}
