//! Links that confirm a new account's e-mail address. Only a SHA-256 hash of each link's
//! token is kept: the token itself exists only in the mail. A link confirms with the
//! password (and name) of the registration that sent it: someone who registers an address
//! that is not theirs cannot make its owner confirm the account with the intruder's
//! password.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_confirmation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_id: i64,
    /// Hex SHA-256 of the token in the link.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// The argon2id hash of the password chosen in the registration that sent this link;
    /// null for a link sent again (`resendConfirmation`), which confirms with the account's.
    pub password_hash: Option<String>,
    /// The legal name given in that registration (null as above).
    pub legal_name: Option<String>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
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
}

impl Related<super::member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Member.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
