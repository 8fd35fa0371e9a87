//! A large, realistic-looking directory for benchmarks (`cptn seed-directory <count>`):
//! members with Canadian cities, one to four specialties, a bio that names them, a few
//! languages, some showcased phones and a spread of search ranks. Deterministic for a
//! given count, so two runs of the benchmark search the same data.
//!
//! Rows are written in transactions of [`CHUNK`] profiles, a few multi-row statements each
//! (`db::members::insert_many`, `db::profiles::insert_many`), which keep the same copies a
//! single profile write keeps; the search index is rebuilt once at the end (the directory
//! is not searchable while the load runs: a benchmark's set-up, never a live database's).

use crate::auth::password;
use crate::db;
use crate::error::Result;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use sea_orm::DatabaseConnection;
use shared::Password;
use std::collections::HashSet;

const FIRST_NAMES: &[&str] = &[
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Charlotte",
    "William",
    "Amelia",
    "Benjamin",
    "Sophia",
    "Lucas",
    "Chloé",
    "Gabriel",
    "Léa",
    "Félix",
    "Camille",
    "Étienne",
    "Maëlle",
    "Mathis",
    "Priya",
    "Arjun",
    "Ananya",
    "Rohan",
    "Harpreet",
    "Gurpreet",
    "Wei",
    "Mei",
    "Jun",
    "Li",
    "Hiroshi",
    "Yuki",
    "Min-jun",
    "Ji-woo",
    "Fatima",
    "Omar",
    "Aisha",
    "Youssef",
    "Amara",
    "Kwame",
    "Chidi",
    "Nia",
    "Maria",
    "José",
    "Sofía",
    "Diego",
    "Isabella",
    "Mateo",
    "Ana",
    "Joaquim",
    "Rafael",
    "Marisol",
    "Siobhan",
    "Declan",
    "Aoife",
    "Niamh",
    "Ingrid",
    "Lars",
    "Anika",
    "Jonas",
    "Katarzyna",
    "Piotr",
    "Olena",
    "Dmytro",
    "Nadia",
    "Sami",
    "Layla",
    "Karim",
    "Thanh",
    "Linh",
    "Minh",
    "Jasmine",
    "Tyler",
    "Madison",
    "Ethan",
    "Hannah",
    "Jacob",
    "Grace",
    "Owen",
    "Zoe",
    "Nathan",
    "Ava",
    "Maya",
];

const LAST_NAMES: &[&str] = &[
    "Smith",
    "Brown",
    "Tremblay",
    "Martin",
    "Roy",
    "Wilson",
    "MacDonald",
    "Gagnon",
    "Johnson",
    "Taylor",
    "Côté",
    "Campbell",
    "Anderson",
    "Leblanc",
    "Lee",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Gagné",
    "Ouellet",
    "Pelletier",
    "Bélanger",
    "Lévesque",
    "Singh",
    "Patel",
    "Sharma",
    "Gill",
    "Sandhu",
    "Chen",
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Nguyen",
    "Tran",
    "Kim",
    "Park",
    "Tanaka",
    "Sato",
    "Khan",
    "Ahmed",
    "Hassan",
    "Ali",
    "Haddad",
    "Okafor",
    "Mensah",
    "Diallo",
    "Mbeki",
    "Rodriguez",
    "García",
    "Fernández",
    "Silva",
    "Santos",
    "Pereira",
    "Rossi",
    "Russo",
    "Esposito",
    "Kowalski",
    "Nowak",
    "Kovalenko",
    "Shevchenko",
    "Murphy",
    "O'Brien",
    "Kelly",
    "Walsh",
    "Johansson",
    "Larsen",
    "Schmidt",
    "Müller",
    "Weber",
    "Novak",
    "Horvat",
    "Papadopoulos",
    "Cardinal",
    "Bear",
    "Littlechild",
    "Stonechild",
    "Thompson",
    "White",
    "Moore",
    "Clark",
];

/// City, region and how many trainers per hundred live there (roughly by population).
const CITIES: &[(&str, &str, u32)] = &[
    ("Toronto", "Ontario", 16),
    ("Montréal", "Québec", 12),
    ("Vancouver", "British Columbia", 8),
    ("Calgary", "Alberta", 6),
    ("Edmonton", "Alberta", 5),
    ("Ottawa", "Ontario", 5),
    ("Winnipeg", "Manitoba", 4),
    ("Québec", "Québec", 4),
    ("Hamilton", "Ontario", 3),
    ("Kitchener", "Ontario", 3),
    ("London", "Ontario", 2),
    ("Victoria", "British Columbia", 2),
    ("Halifax", "Nova Scotia", 2),
    ("Oshawa", "Ontario", 2),
    ("Windsor", "Ontario", 2),
    ("Saskatoon", "Saskatchewan", 2),
    ("Regina", "Saskatchewan", 2),
    ("Sherbrooke", "Québec", 2),
    ("St. John's", "Newfoundland and Labrador", 1),
    ("Barrie", "Ontario", 1),
    ("Kelowna", "British Columbia", 1),
    ("Abbotsford", "British Columbia", 1),
    ("Gatineau", "Québec", 1),
    ("Laval", "Québec", 1),
    ("Trois-Rivières", "Québec", 1),
    ("Moncton", "New Brunswick", 1),
    ("Fredericton", "New Brunswick", 1),
    ("Saint John", "New Brunswick", 1),
    ("Charlottetown", "Prince Edward Island", 1),
    ("Whitehorse", "Yukon", 1),
    ("Yellowknife", "Northwest Territories", 1),
    ("Iqaluit", "Nunavut", 1),
    ("Sudbury", "Ontario", 1),
    ("Thunder Bay", "Ontario", 1),
    ("Kingston", "Ontario", 1),
    ("Guelph", "Ontario", 1),
    ("Nanaimo", "British Columbia", 1),
    ("Kamloops", "British Columbia", 1),
    ("Lethbridge", "Alberta", 1),
    ("Red Deer", "Alberta", 1),
    ("Brandon", "Manitoba", 1),
    ("Saguenay", "Québec", 1),
    ("Lévis", "Québec", 1),
    ("Rimouski", "Québec", 1),
];

const LANGUAGES: &[&str] = &[
    "English",
    "French",
    "Spanish",
    "Punjabi",
    "Mandarin",
    "Cantonese",
    "Arabic",
    "Tagalog",
    "Portuguese",
    "Hindi",
];

const OPENINGS: &[&str] = &[
    "Certified personal trainer with a decade of coaching behind me.",
    "I help people of every level train safely and enjoy it.",
    "Coach, former athlete and lifelong learner.",
    "Small-group and one-to-one sessions, in studio or outdoors.",
    "Evidence-based programs that fit a busy week.",
    "I believe consistency beats intensity, and I plan for both.",
];

const CLOSINGS: &[&str] = &[
    "First consultation is free.",
    "Sessions in the morning and evening.",
    "Online coaching available across Canada.",
    "Let's build a routine you will keep.",
    "Home visits within the city.",
    "",
];

/// Profiles written per transaction, a few statements each.
const CHUNK: usize = 1_000;

/// Adds sample profiles until the directory holds `count` of them, and returns how many
/// were added. Sample members share one password hash (a random password nobody knows).
pub async fn seed(db: &DatabaseConnection, count: usize) -> Result<usize> {
    let existing = usize::try_from(db::profiles::count(db).await?).unwrap_or(usize::MAX);
    if existing >= count {
        return Ok(0);
    }
    let mut maker = SampleMaker {
        rng: StdRng::seed_from_u64(0x00C0_FFEE),
        specialties: db::profiles::all_specialties(db).await?,
        slugs: db::profiles::all_slugs(db).await?.into_iter().collect(),
        city_weights: CITIES
            .iter()
            .enumerate()
            .flat_map(|(i, (_, _, w))| std::iter::repeat_n(i, *w as usize))
            .collect(),
    };
    let password_hash = password::hash(&Password::parse("password", &uuid::Uuid::new_v4().to_string())?).await?;
    let mut added = 0;
    while existing + added < count {
        let batch = CHUNK.min(count - existing - added);
        let now = chrono::Utc::now();
        let txn = db::begin_write(db).await?;
        let first_number = db::members::reserve_member_numbers(&txn, i64::try_from(batch).unwrap_or(1)).await?;
        let samples: Vec<(i64, Sample)> = (first_number..).zip((0..batch).map(|_| maker.next())).collect();
        let emails: Vec<String> = samples
            .iter()
            .map(|(number, _)| format!("sample{number}@sample.cptn.example"))
            .collect();
        let members = samples
            .iter()
            .zip(&emails)
            .map(|((member_number, sample), email)| {
                let member = db::members::NewMember {
                    member_number: *member_number,
                    email,
                    password_hash: password_hash.clone(),
                    legal_name: &sample.profile.display_name,
                    role: shared::Role::Member,
                    email_confirmed_at: Some(now),
                    now,
                };
                (member, sample.contact.clone())
            })
            .collect();
        let member_ids = db::members::insert_many(&txn, members).await?;
        let profiles = samples
            .into_iter()
            .zip(member_ids)
            .map(|((_, sample), member_id)| db::profiles::NewProfile {
                member_id,
                phone: sample.contact.phone.clone(),
                fields: sample.profile,
                search_rank: sample.search_rank,
                specialties: sample.specialties,
            })
            .collect();
        db::profiles::insert_many(&txn, profiles, now).await?;
        txn.commit().await?;
        added += batch;
        if added % 10_000 < CHUNK {
            tracing::info!(added, "sample profiles written");
        }
    }
    // Indexed once at the end, all together: a rebuild writes the entries into new tables
    // and indexes them once, far cheaper than keeping the indexes up to date row by row.
    let txn = db::begin_write(db).await?;
    db::search::rebuild::rebuild(&txn).await?;
    txn.commit().await?;
    Ok(added)
}

/// One made-up trainer.
struct Sample {
    contact: db::members::ContactFields,
    profile: db::profiles::ProfileFields,
    specialties: Vec<entity::specialty::Model>,
    search_rank: i64,
}

struct SampleMaker {
    rng: StdRng,
    specialties: Vec<entity::specialty::Model>,
    slugs: HashSet<String>,
    /// Indexes into `CITIES`, each repeated by its weight.
    city_weights: Vec<usize>,
}

impl SampleMaker {
    fn next(&mut self) -> Sample {
        let rng = &mut self.rng;
        let first = *FIRST_NAMES.choose(rng).unwrap_or(&"Alex");
        let last = *LAST_NAMES.choose(rng).unwrap_or(&"Smith");
        let name = format!("{first} {last}");
        let (city, region, _) = CITIES[*self.city_weights.choose(rng).unwrap_or(&0)];
        let phone = format!(
            "+1 {} 555 {:04}",
            rng.random_range(204..=905),
            rng.random_range(0..10_000)
        );
        let mut specialties = self.specialties.clone();
        specialties.shuffle(rng);
        specialties.truncate(rng.random_range(1..=4));
        let focus = specialties
            .iter()
            .map(|s| s.name.to_lowercase())
            .collect::<Vec<_>>()
            .join(", ");
        let bio = format!(
            "{} Focus: {focus}. {}",
            OPENINGS.choose(rng).unwrap_or(&""),
            CLOSINGS.choose(rng).unwrap_or(&"")
        );
        let mut languages = vec![if region == "Québec" { "French" } else { "English" }];
        if rng.random_bool(0.4) {
            let other = *LANGUAGES.choose(rng).unwrap_or(&"English");
            if !languages.contains(&other) {
                languages.push(other);
            }
        }
        let show_phone = rng.random_bool(0.3);
        let search_rank = rng.random_range(0..100);
        Sample {
            contact: db::members::ContactFields {
                phone: Some(phone),
                street_address: None,
                city: Some(city.to_owned()),
                region: Some(region.to_owned()),
                postal_code: None,
                country: Some("Canada".to_owned()),
                date_of_birth: None,
            },
            profile: db::profiles::ProfileFields {
                slug: unused_slug(&mut self.slugs, &name),
                display_name: name,
                city: city.to_owned(),
                region: region.to_owned(),
                country: "Canada".to_owned(),
                bio: bio.trim().to_owned(),
                languages: languages.join(", "),
                show_phone,
            },
            specialties,
            search_rank,
        }
    }
}

/// The name's slug, with `-2`, `-3`... when it is taken; remembers it as taken. (The
/// product's own `free_slug` asks the database per candidate: too slow for 100,000 names
/// drawn from a few thousand combinations.)
fn unused_slug(taken: &mut HashSet<String>, name: &str) -> String {
    let base = shared::validate::slugify(name);
    let mut slug = base.clone();
    let mut n = 1;
    while !taken.insert(slug.clone()) {
        n += 1;
        slug = format!("{base}-{n}");
    }
    slug
}

/// Course topics and formats the sample catalogue combines into titles.
const TOPICS: &[&str] = &[
    "Sports nutrition",
    "Kettlebell training",
    "Yoga for athletes",
    "Pilates reformer",
    "Strength for seniors",
    "Prenatal fitness",
    "Mobility and flexibility",
    "Injury prevention",
    "Boxing conditioning",
    "Functional movement",
    "Youth athletic development",
    "Endurance running",
    "Cycling performance",
    "Aquatic fitness",
    "Mindful movement",
    "Postural assessment",
    "Metabolic conditioning",
    "Group fitness leadership",
    "Behaviour change coaching",
    "Adaptive fitness",
];
const FORMATS: &[&str] = &["fundamentals", "level 2", "advanced", "workshop", "masterclass"];
const SCHOOLS: &[&str] = &[
    "Academy",
    "Institute",
    "Collective",
    "School",
    "Studio",
    "College",
    "Lab",
    "Works",
];
const PLACES: &[&str] = &[
    "Prairie",
    "Coastal",
    "Northern",
    "Laurentian",
    "Maritime",
    "Rocky",
    "Lakeshore",
    "Capital",
];

/// Courses of the sample catalogue.
const SAMPLE_COURSES: usize = 2_000;
/// Members given a cycle and ledger per transaction.
const LEDGER_CHUNK: u64 = 250;

/// Benchmark data beside the directory: a catalogue of [`SAMPLE_COURSES`] courses from 40
/// providers (indexed for search as staff edits are), and for every member without a
/// certification one cycle (begun up to 30 months ago, so statuses vary) and 5 to 15
/// ledger entries, most of them completed courses: about 1,000,000 for 100,000 members.
/// Returns the courses and entries added.
pub async fn seed_catalogue_and_ledgers(db: &DatabaseConnection) -> Result<(usize, usize)> {
    let mut rng = StdRng::seed_from_u64(0x0CEC_0CEC);
    let now = chrono::Utc::now();
    let today = now.date_naive();
    let (courses, added_courses) = seed_sample_catalogue(db, &mut rng, now).await?;
    let course_ids: Vec<(i64, i32)> = db::catalogue::courses(
        db,
        &db::catalogue::CourseFilter {
            approval: Some(entity::enums::CourseApproval::Approved),
            ..Default::default()
        },
        None,
        u64::try_from(courses).unwrap_or(0),
    )
    .await?
    .into_iter()
    .map(|c| (c.id, c.cec_tenths.max(1)))
    .collect();
    let rules = crate::config::CertificationSettings::default();
    let mut added_entries = 0;
    let mut after = 0;
    loop {
        let members = db::certification::members_without_cycle(db, after, LEDGER_CHUNK).await?;
        let Some(&last) = members.last() else {
            break;
        };
        after = last;
        let txn = db::begin_write(db).await?;
        let cycles = members
            .iter()
            .map(|&member_id| {
                let starts_on = today - chrono::Days::new(rng.random_range(30..=900));
                db::certification::NewCycle {
                    member_id,
                    starts_on,
                    ends_on: crate::services::certification::rules::ends_on(starts_on, &rules),
                    kind: entity::enums::CycleKind::Initial,
                    recorded_by: None,
                }
            })
            .collect();
        db::certification::insert_cycles_bulk(&txn, cycles, now).await?;
        let mut entries = Vec::new();
        for cycle in db::certification::cycles_of_members(&txn, &members).await? {
            let last_day = cycle.ends_on.min(today);
            let span = (last_day - cycle.starts_on).num_days().max(1);
            for _ in 0..rng.random_range(5..=15) {
                let earned_on = cycle.starts_on + chrono::Days::new(rng.random_range(0..span).unsigned_abs());
                let from_course = !course_ids.is_empty() && rng.random_bool(0.85);
                let (course_id, tenths) = if from_course {
                    let (id, cec) = course_ids[rng.random_range(0..course_ids.len())];
                    (Some(id), cec)
                } else {
                    (None, rng.random_range(1..=7))
                };
                entries.push(db::certification::NewEntry {
                    member_id: cycle.member_id,
                    cycle_id: Some(cycle.id),
                    tenths,
                    source: if from_course {
                        entity::enums::CecSource::Course
                    } else {
                        entity::enums::CecSource::Adjustment
                    },
                    reason: (!from_course).then(|| "Conference sessions".to_owned()),
                    reverses_id: None,
                    earned_on,
                    recorded_by: None,
                    course_id,
                    petition_id: None,
                });
            }
        }
        added_entries += entries.len();
        // SQLite takes at most 32,766 parameters in a statement: 2,000 rows of 11.
        let mut rest = entries;
        while !rest.is_empty() {
            let tail = rest.split_off(rest.len().min(2_000));
            db::certification::append_entries_bulk(&txn, rest, now).await?;
            rest = tail;
        }
        txn.commit().await?;
        if added_entries % 100_000 < 2_500 {
            tracing::info!(added_entries, "sample ledger entries written");
        }
    }
    Ok((added_courses, added_entries))
}

/// The sample catalogue, unless courses exist: (courses in all, courses added).
async fn seed_sample_catalogue(
    db: &DatabaseConnection,
    rng: &mut StdRng,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(usize, usize)> {
    let existing = db::catalogue::courses(db, &db::catalogue::CourseFilter::default(), None, 1)
        .await?
        .len();
    if existing > 0 {
        let all = db::catalogue::courses(db, &db::catalogue::CourseFilter::default(), None, 1_000_000).await?;
        return Ok((all.len(), 0));
    }
    {
        let txn = db::begin_write(db).await?;
        let mut providers = Vec::new();
        for (i, place) in PLACES.iter().enumerate() {
            for school in SCHOOLS.iter().skip(i % 3).take(5) {
                let name = format!("{place} Fitness {school}");
                let slug = shared::validate::slugify(&name);
                providers.push(db::catalogue::insert_provider(&txn, slug, name, now).await?);
            }
        }
        for n in 0..SAMPLE_COURSES {
            let provider = &providers[n % providers.len()];
            let topic = TOPICS[n % TOPICS.len()];
            let format = FORMATS[(n / TOPICS.len()) % FORMATS.len()];
            let hours_tenths = rng.random_range(10..=120);
            let approved = rng.random_bool(0.8);
            let public = rng.random_range(40..=400) * 100;
            let fields = db::catalogue::CourseFields {
                provider_id: provider.id,
                provider_name: provider.name.clone(),
                title: format!("{topic} {format}"),
                description: format!(
                    "{topic} ({format}) by {}: theory, practice and an assessment.",
                    provider.name
                ),
                delivery: if rng.random_bool(0.5) {
                    entity::enums::CourseDelivery::Online
                } else {
                    entity::enums::CourseDelivery::InPerson
                },
                hours_tenths,
                cec_tenths: hours_tenths / 10,
                approval: if approved {
                    entity::enums::CourseApproval::Approved
                } else {
                    entity::enums::CourseApproval::NotApproved
                },
                public_price_cents: public,
                member_price_cents: rng.random_bool(0.6).then_some(public * 8 / 10),
            };
            let course = db::catalogue::insert_course(&txn, format!("S{n:05}"), fields, now).await?;
            db::search::catalogue::index_course(&txn, &course, &provider.name).await?;
        }
        txn.commit().await?;
    }
    Ok((SAMPLE_COURSES, SAMPLE_COURSES))
}

/// Benchmark sessions: opens a session for each of `count` sample members with a
/// certification (spread over them) and returns their access tokens, signed with the
/// server's secret as a login would (`cptn bench-sessions`). They last as access tokens do.
pub async fn open_sample_sessions(
    db: &DatabaseConnection,
    settings: &crate::config::Settings,
    count: u64,
) -> Result<Vec<String>> {
    use sea_orm::ActiveValue::Set;
    let ring = std::sync::Arc::new(crate::services::signing::KeyRing::new(&settings.key_encryption_key));
    let keys = crate::auth::jwt::TokenKeys::for_settings(settings, &ring, db, chrono::Utc::now()).await?;
    let members = db::certification::members_with_cycle(db, count).await?;
    let now = chrono::Utc::now();
    let ttl = chrono::Duration::from_std(settings.sessions.session_ttl).map_err(anyhow::Error::from)?;
    let txn = db::begin_write(db).await?;
    let mut tokens = Vec::new();
    for member_id in members {
        let (session_id, jti) = (uuid::Uuid::new_v4().to_string(), uuid::Uuid::new_v4().to_string());
        db::sessions::insert(
            &txn,
            entity::session::ActiveModel {
                id: Set(session_id.clone()),
                member_id: Set(member_id),
                current_jti: Set(jti.clone()),
                created_at: Set(now),
                expires_at: Set(now + ttl),
                revoked_at: Set(None),
                ip: Set(None),
                user_agent: Set(Some("cargo xtask bench".to_owned())),
            },
        )
        .await?;
        tokens.push(keys.issue(db, member_id, &session_id, &jti, now).await?.token);
    }
    txn.commit().await?;
    Ok(tokens)
}

/// Benchmark orders: `count` pending online orders of sample members, each of `cents`,
/// offered through the made-up Stripe session `{prefix}{n}` (`cptn bench-orders`, for the
/// webhook intake's benchmark). Answers each order's id and session id.
pub async fn open_sample_orders(
    db: &DatabaseConnection,
    prefix: &str,
    count: u64,
    cents: i64,
) -> Result<Vec<(i64, String)>> {
    let members = db::certification::members_with_cycle(db, count.min(1_000)).await?;
    if members.is_empty() {
        return Err(crate::error::Error::NotFound);
    }
    let now = chrono::Utc::now();
    let txn = db::begin_write(db).await?;
    let mut orders = Vec::new();
    for (n, member) in (0..count).zip(members.iter().cycle()) {
        let session = format!("{prefix}{n}");
        let id = db::orders::insert_sample_pending(&txn, *member, &session, cents, now).await?;
        orders.push((id, session));
    }
    txn.commit().await?;
    Ok(orders)
}
