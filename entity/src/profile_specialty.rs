//! Which specialties a profile names.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "profile_specialty")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub profile_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub specialty_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::directory_profile::Entity",
        from = "Column::ProfileId",
        to = "super::directory_profile::Column::Id",
        on_delete = "Cascade"
    )]
    DirectoryProfile,
    #[sea_orm(
        belongs_to = "super::specialty::Entity",
        from = "Column::SpecialtyId",
        to = "super::specialty::Column::Id",
        on_delete = "Cascade"
    )]
    Specialty,
}

impl Related<super::directory_profile::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::DirectoryProfile.def()
    }
}

impl Related<super::specialty::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Specialty.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
