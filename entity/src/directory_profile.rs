//! The public directory profile (P1): the projection of a member that the member controls.
//! Holds nothing private; the phone number stays on the member record and is shown only
//! while `show_phone` is on (P5).

use crate::enums::{CertificationStatus, ProfileStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "directory_profile")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub member_id: i64,
    /// The URL slug of the public page, e.g. `maya-okafor`.
    #[sea_orm(unique)]
    pub slug: String,
    pub display_name: String,
    pub city: String,
    pub region: String,
    pub country: String,
    pub bio: String,
    /// Comma-separated language names as the member typed them.
    pub languages: String,
    /// File name under `<data dir>/photos`; random, unguessable.
    pub photo_file: Option<String>,
    pub show_phone: bool,
    /// What the public sees: `active` only while the member (or staff) lists the profile
    /// (`chosen_status`) and the account is active; a disabled profile is in no public
    /// answer (P6). Kept by `db::profiles::refresh_status` in every writing transaction.
    pub status: ProfileStatus,
    /// Persistent ranking weight; untouched by disabling, so a profile comes back where it was.
    pub search_rank: i64,
    pub certification_status: CertificationStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// `display_name` folded (lower case, no accents) for typeahead.
    pub name_folded: String,
    /// `city` folded for typeahead and the city filter.
    pub city_folded: String,
    /// Listed or hidden, as the member (or staff) chose; survives the account being
    /// disabled and enabled again.
    pub chosen_status: ProfileStatus,
    /// The member's phone while `show_phone` is on, NULL otherwise: the only phone a public
    /// read selects (P5). Kept by `db::profiles` in the transaction of every change.
    pub public_phone: Option<String>,
    /// The profile's specialties as `id TAB slug TAB name` lines, by name: a card reads
    /// them from its own row. Kept by `db::profiles` whenever the links change.
    pub specialty_list: String,
    /// Since when the public has not seen the profile (`status` disabled); NULL while it
    /// is listed. Long-disabled profiles are deleted (P8).
    pub disabled_since: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::member::Entity",
        from = "Column::MemberId",
        to = "super::member::Column::Id",
        on_delete = "Cascade"
    )]
    Member,
    #[sea_orm(has_many = "super::profile_specialty::Entity")]
    ProfileSpecialty,
}

impl Related<super::member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Member.def()
    }
}

impl Related<super::profile_specialty::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ProfileSpecialty.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
