//! A signing key shared by every server (P15: outgoing mail). The private half is sealed
//! with the key-encryption key (`CPTN_KEY_ENCRYPTION_KEY` or the data directory's); the
//! active key of a purpose has no `retired_at`, and retired keys still verify.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signing_key")]
pub struct Model {
    /// The key id carried in each signature (`kid`): random, never a path.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// What it signs (`mail`).
    pub purpose: String,
    /// `Ed25519`.
    pub algorithm: String,
    /// The public key, base64url.
    pub public_key: String,
    /// Nonce and ciphertext of the private key (ChaCha20-Poly1305 with the key id as
    /// associated data), base64url.
    pub sealed_private_key: String,
    pub created_at: DateTimeUtc,
    pub retired_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
