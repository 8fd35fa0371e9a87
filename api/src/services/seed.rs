//! Demo data: a few members, one staff and one admin, so a fresh install has something to
//! show. Passwords are random and printed once by the CLI; running `cptn seed-demo` again
//! sets new ones.

use crate::db;
use crate::error::Result;
use crate::services::accounts;
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use entity::enums::AuditKind;
use rand::Rng;
use sea_orm::DatabaseConnection;
use shared::{Email, LegalName, Password, Role};

/// One demo login.
pub struct DemoCredential {
    pub role: Role,
    pub email: String,
    pub password: String,
    pub member_number: shared::MemberNumber,
}

/// A demo trainer's public profile, and the phone on their record.
struct DemoProfile {
    email: &'static str,
    city: &'static str,
    region: &'static str,
    specialties: &'static [&'static str],
    bio: &'static str,
    phone: &'static str,
}

const DEMO_PROFILES: [DemoProfile; 3] = [
    DemoProfile {
        email: "maya.trainer@demo.cptn.example",
        city: "Toronto",
        region: "Ontario",
        specialties: &["strength-training", "weight-loss"],
        bio: "Strength coach helping busy professionals train twice a week and keep at it.",
        phone: "+1 416 555 0142",
    },
    DemoProfile {
        email: "liam.trainer@demo.cptn.example",
        city: "Vancouver",
        region: "British Columbia",
        specialties: &["running", "sports-conditioning"],
        bio: "Former middle-distance runner; endurance plans for 5 km to marathon.",
        phone: "+1 604 555 0178",
    },
    DemoProfile {
        email: "chloe.trainer@demo.cptn.example",
        city: "Montréal",
        region: "Québec",
        specialties: &["prenatal-postnatal", "pilates", "mobility"],
        bio: "Entraîneuse bilingue : Pilates, mobilité, et remise en forme après la grossesse.",
        phone: "+1 514 555 0199",
    },
];

const DEMO_PEOPLE: [(&str, &str, Role); 8] = [
    ("ada.admin@demo.cptn.example", "Ada Administrator", Role::Admin),
    ("sam.staff@demo.cptn.example", "Sam Staffer", Role::Staff),
    ("maya.trainer@demo.cptn.example", "Maya Okafor", Role::Member),
    ("liam.trainer@demo.cptn.example", "Liam O'Brien", Role::Member),
    ("chloe.trainer@demo.cptn.example", "Chloé Tremblay", Role::Member),
    ("noor.trainer@demo.cptn.example", "Noor Haddad", Role::Member),
    ("tom.member@demo.cptn.example", "Tom Nguyen", Role::Member),
    // Records completion of CanFit Academy's courses.
    ("pat.provider@demo.cptn.example", "Pat Provider", Role::Provider),
];

/// A demo member's certification, relative to today: one member in each status.
struct DemoCertification {
    email: &'static str,
    /// How many months ago the cycle began.
    started_months_ago: u32,
    /// Credit earned in it: (tenths, what for, months after the start).
    credits: &'static [(i32, &'static str, u32)],
}

const DEMO_CERTIFICATIONS: [DemoCertification; 4] = [
    // Certified, part-way through the cycle.
    DemoCertification {
        email: "maya.trainer@demo.cptn.example",
        started_months_ago: 8,
        credits: &[
            (7, "Kettlebell fundamentals", 2),
            (5, "Nutrition for strength athletes", 6),
        ],
    },
    // Certified, in the renewal window with the credit to renew.
    DemoCertification {
        email: "chloe.trainer@demo.cptn.example",
        started_months_ago: 22,
        credits: &[
            (7, "Pre- and postnatal exercise", 3),
            (7, "Pilates reformer level 2", 11),
            (7, "Mobility for desk workers", 19),
        ],
    },
    // In grace: expired a month ago, may still renew.
    DemoCertification {
        email: "liam.trainer@demo.cptn.example",
        started_months_ago: 25,
        credits: &[(10, "Marathon coaching", 5), (10, "Sports conditioning lab", 15)],
    },
    // Expired: grace over; staff can reinstate.
    DemoCertification {
        email: "noor.trainer@demo.cptn.example",
        started_months_ago: 32,
        credits: &[(4, "First aid refresher", 4)],
    },
];

/// Creates the demo accounts that are missing and gives every demo account a new random
/// password.
pub async fn seed_demo(db: &DatabaseConnection) -> Result<Vec<DemoCredential>> {
    ensure_catalogue(db).await?;
    ensure_mailing_lists(db).await?;
    let mut out = Vec::new();
    for (email, name, role) in DEMO_PEOPLE {
        let email = Email::parse("email", email)?;
        let password = Password::parse("password", &random_password())?;
        let member = if let Some(existing) = db::members::find_by_email(db, email.as_str()).await? {
            accounts::reset_password(db, existing.id, &password).await?;
            existing
        } else {
            let name = LegalName::parse("legalName", name)?;
            accounts::create_with_role(db, &email, &password, &name, role).await?
        };
        if let Some(profile) = DEMO_PROFILES.iter().find(|p| p.email == email.as_str()) {
            ensure_profile(db, &member, profile).await?;
        }
        if let Some(demo) = DEMO_CERTIFICATIONS.iter().find(|c| c.email == email.as_str()) {
            ensure_certification(db, &member, demo).await?;
        }
        if crate::authz::role_acts_for_a_provider(role) && member.course_provider_id.is_none() {
            link_demo_provider(db, &member).await?;
        }
        out.push(DemoCredential {
            role,
            email: email.into_inner(),
            password: password.expose().to_owned(),
            member_number: shared::MemberNumber(member.member_number),
        });
    }
    Ok(out)
}

/// Gives a demo trainer a phone on their record and a public profile, once.
async fn ensure_profile(db: &DatabaseConnection, member: &entity::member::Model, demo: &DemoProfile) -> Result<()> {
    let DemoProfile {
        city,
        region,
        specialties,
        bio,
        phone,
        ..
    } = demo;
    if db::profiles::find_by_member(db, member.id).await?.is_some() {
        return Ok(());
    }
    let now = chrono::Utc::now();
    let write = AuditedWrite::begin(db, Actor::operator(now)).await?;
    let txn = write.conn();
    let contact = db::members::ContactFields {
        phone: Some((*phone).to_owned()),
        street_address: None,
        city: Some((*city).to_owned()),
        region: Some((*region).to_owned()),
        postal_code: None,
        country: Some("Canada".to_owned()),
        date_of_birth: None,
    };
    db::members::set_contact_fields(txn, member.id, contact, now).await?;
    let fields = db::profiles::ProfileFields {
        slug: shared::validate::slugify(&member.legal_name),
        display_name: member.legal_name.clone(),
        city: (*city).to_owned(),
        region: (*region).to_owned(),
        country: "Canada".to_owned(),
        bio: (*bio).to_owned(),
        languages: "English, French".to_owned(),
        show_phone: city.starts_with('M'),
    };
    let wanted: Vec<String> = specialties.iter().map(|s| (*s).to_owned()).collect();
    let chosen = db::profiles::specialties_by_slug(txn, &wanted).await?;
    let ids: Vec<i64> = chosen.iter().map(|s| s.id).collect();
    db::profiles::upsert(txn, member.id, fields, &ids, now).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::ProfileSaved)
                .about(member.id)
                .detail("demo data"),
        )
        .await
}

/// Gives a demo member a certification cycle and its credit, once (with the default rules).
async fn ensure_certification(
    db: &DatabaseConnection,
    member: &entity::member::Model,
    demo: &DemoCertification,
) -> Result<()> {
    use crate::services::certification::rules;
    if !db::certification::cycles_of(db, member.id).await?.is_empty() {
        return Ok(());
    }
    let rules = crate::config::CertificationSettings::default();
    let now = chrono::Utc::now();
    let today = now.date_naive();
    let months_from = |day: chrono::NaiveDate, back: u32, forward: u32| {
        day.checked_sub_months(chrono::Months::new(back))
            .and_then(|d| d.checked_add_months(chrono::Months::new(forward)))
            .unwrap_or(day)
    };
    let starts_on = months_from(today, demo.started_months_ago, 0);
    let write = AuditedWrite::begin(db, Actor::operator(now)).await?;
    let cycle = db::certification::insert_cycle(
        write.conn(),
        db::certification::NewCycle {
            member_id: member.id,
            starts_on,
            ends_on: rules::ends_on(starts_on, &rules),
            kind: entity::enums::CycleKind::Initial,
            recorded_by: None,
        },
        now,
    )
    .await?;
    for (tenths, course, after) in demo.credits {
        db::certification::append_entry(
            write.conn(),
            db::certification::NewEntry {
                member_id: member.id,
                cycle_id: Some(cycle.id),
                tenths: *tenths,
                source: entity::enums::CecSource::Adjustment,
                reason: Some(format!("Demo data: {course}")),
                reverses_id: None,
                earned_on: months_from(starts_on, 0, *after),
                recorded_by: None,
                course_id: None,
                petition_id: None,
            },
            now,
        )
        .await?;
    }
    let dates = [rules::CycleDates {
        starts_on,
        ends_on: cycle.ends_on,
    }];
    db::certification::set_directory_status(write.conn(), member.id, rules::status_on(&dates, today, &rules)).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::CertificationRecorded)
                .about(member.id)
                .detail("demo data"),
        )
        .await
}

/// A demo course of the catalogue.
struct DemoCourse {
    code: &'static str,
    title: &'static str,
    online: bool,
    hours_tenths: i32,
    approved: bool,
    public_cents: i64,
    member_cents: Option<i64>,
}

const DEMO_COURSES: [DemoCourse; 4] = [
    DemoCourse {
        code: "NUT-201",
        title: "Sports nutrition for strength athletes",
        online: true,
        hours_tenths: 75,
        approved: true,
        public_cents: 12_000,
        member_cents: Some(9_500),
    },
    DemoCourse {
        code: "KET-100",
        title: "Kettlebell fundamentals",
        online: false,
        hours_tenths: 70,
        approved: true,
        public_cents: 18_000,
        member_cents: Some(15_000),
    },
    DemoCourse {
        code: "MOB-150",
        title: "Mobility for desk workers",
        online: true,
        hours_tenths: 40,
        approved: true,
        public_cents: 6_000,
        member_cents: None,
    },
    DemoCourse {
        code: "YOG-110",
        title: "Yoga for athletes",
        online: false,
        hours_tenths: 60,
        approved: false,
        public_cents: 9_000,
        member_cents: None,
    },
];

/// A demo provider and its courses, once.
/// The demo's newsletter lists: the body's own, and one run for a partner.
async fn ensure_mailing_lists(db: &DatabaseConnection) -> Result<()> {
    let lists = [
        (
            "cptn-news",
            "CPTN News",
            "Once a month: new courses, workshops near you and changes to certification.",
            None,
        ),
        (
            "partner-offers",
            "Equipment offers",
            "A few times a year: offers on training equipment for members.",
            Some("CanFit Supplies"),
        ),
    ];
    for (slug, name, description, partner_name) in lists {
        if db::newsletters::list_by_slug(db, slug).await?.is_some() {
            continue;
        }
        let now = chrono::Utc::now();
        let write = AuditedWrite::begin(db, Actor::operator(now)).await?;
        db::newsletters::insert_list(
            write.conn(),
            db::newsletters::NewList {
                slug,
                name,
                description,
                partner_name,
            },
            now,
        )
        .await?;
        write
            .commit(AuditRecord::new(AuditKind::MailingListCreated).detail(format!("list {slug} (demo)")))
            .await?;
    }
    Ok(())
}

async fn ensure_catalogue(db: &DatabaseConnection) -> Result<()> {
    if db::catalogue::provider_by_slug(db, "canfit-academy").await?.is_some() {
        return Ok(());
    }
    let now = chrono::Utc::now();
    let write = AuditedWrite::begin(db, Actor::operator(now)).await?;
    let provider = db::catalogue::insert_provider(
        write.conn(),
        "canfit-academy".to_owned(),
        "CanFit Academy".to_owned(),
        now,
    )
    .await?;
    for demo in DEMO_COURSES {
        let DemoCourse {
            code,
            title,
            online,
            hours_tenths,
            approved,
            public_cents,
            member_cents,
        } = demo;
        let fields = db::catalogue::CourseFields {
            provider_id: provider.id,
            provider_name: provider.name.clone(),
            title: title.to_owned(),
            description: format!("{title}: a demo course of the CEC catalogue."),
            delivery: if online {
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
            public_price_cents: public_cents,
            member_price_cents: member_cents,
        };
        let course = db::catalogue::insert_course(write.conn(), code.to_owned(), fields, now).await?;
        db::search::catalogue::index_course(write.conn(), &course, &provider.name).await?;
        if !online {
            // Two dated sessions, three and seven weeks out, one of them nearly full.
            for (weeks, capacity, city) in [(3, 12, "Regina"), (7, 2, "Saskatoon")] {
                let starts_at = now + chrono::Duration::weeks(weeks);
                let workshop = db::enrolment::insert_workshop(
                    write.conn(),
                    course.id,
                    db::enrolment::WorkshopFields {
                        starts_at,
                        ends_at: starts_at + chrono::Duration::hours(7),
                        location: format!("CanFit studio, {city}"),
                        capacity,
                    },
                    now,
                )
                .await?;
                let _ = workshop;
            }
        }
    }
    write
        .commit(AuditRecord::new(AuditKind::CourseCreated).detail("demo catalogue"))
        .await
}

/// Links the demo provider account to the demo catalogue's provider.
async fn link_demo_provider(db: &DatabaseConnection, member: &entity::member::Model) -> Result<()> {
    let Some(provider) = db::catalogue::provider_by_slug(db, "canfit-academy").await? else {
        return Ok(());
    };
    let now = chrono::Utc::now();
    let write = AuditedWrite::begin(db, Actor::operator(now)).await?;
    db::members::set_role(write.conn(), member.id, Role::Provider, Some(provider.id), now).await?;
    write
        .commit(
            AuditRecord::new(AuditKind::CourseProviderLinked)
                .about(member.id)
                .detail("demo provider account"),
        )
        .await
}

/// True when the database has no members yet (first start).
pub async fn is_empty(db: &DatabaseConnection) -> Result<bool> {
    Ok(db::members::count(db).await? == 0)
}

fn random_password() -> String {
    // No look-alike characters, so the printed password is easy to type.
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}
