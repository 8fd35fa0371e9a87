//! Demo data: a few members, one staff and one admin, so a fresh install has something to
//! show. Passwords are random and printed once by the CLI; running `cptn seed-demo` again
//! sets new ones.

use crate::db;
use crate::error::Result;
use crate::services::accounts;
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

const DEMO_PEOPLE: [(&str, &str, Role); 5] = [
    (
        "ada.admin@demo.cptn.example",
        "Ada Administrator",
        Role::Admin,
    ),
    ("sam.staff@demo.cptn.example", "Sam Staffer", Role::Staff),
    (
        "maya.trainer@demo.cptn.example",
        "Maya Okafor",
        Role::Member,
    ),
    (
        "liam.trainer@demo.cptn.example",
        "Liam O'Brien",
        Role::Member,
    ),
    (
        "chloe.trainer@demo.cptn.example",
        "Chloé Tremblay",
        Role::Member,
    ),
];

/// Creates the demo accounts that are missing and gives every demo account a new random
/// password.
pub async fn seed_demo(db: &DatabaseConnection) -> Result<Vec<DemoCredential>> {
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
        out.push(DemoCredential {
            role,
            email: email.into_inner(),
            password: password.expose().to_owned(),
            member_number: shared::MemberNumber(member.member_number),
        });
    }
    Ok(out)
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
