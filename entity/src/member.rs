//! The private member record (legal name, e-mail, credentials). Never exposed to the public.

use crate::enums::MemberStatus;
use sea_orm::entity::prelude::*;
use shared::Role;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "member")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Permanent, never reused; displayed as `CPTN-000123`.
    #[sea_orm(unique)]
    pub member_number: i64,
    /// Normalised (trimmed, lower-case) so uniqueness is case-insensitive.
    #[sea_orm(unique)]
    pub email: String,
    /// argon2id PHC string; the clear password is never stored.
    pub password_hash: String,
    pub legal_name: String,
    pub role: Role,
    pub status: MemberStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Private unless the member showcases it on their profile (P5).
    pub phone: Option<String>,
    pub street_address: Option<String>,
    pub address_city: Option<String>,
    pub address_region: Option<String>,
    pub postal_code: Option<String>,
    pub address_country: Option<String>,
    pub date_of_birth: Option<Date>,
    /// When the member proved the e-mail address is theirs (the link in the confirmation
    /// mail); an account logs in only once this is set.
    pub email_confirmed_at: Option<DateTimeUtc>,
    /// The course provider a `provider` account marks completion for.
    pub course_provider_id: Option<i64>,
    /// When the account was wiped of personal data (P3): the row is then a tombstone
    /// keeping the member number, and what points at it (certification history, ledger,
    /// petition outcomes, order amounts).
    pub wiped_at: Option<DateTimeUtc>,
    /// The last successful login (the rule that purges accounts long without one, P8).
    pub last_login_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::session::Entity")]
    Session,
    #[sea_orm(has_one = "super::directory_profile::Entity")]
    DirectoryProfile,
}

impl Related<super::directory_profile::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::DirectoryProfile.def()
    }
}

impl Related<super::session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Session.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
