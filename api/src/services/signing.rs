//! Signing keys kept in the database, so every server signs and verifies with the same
//! keys: outgoing mail (P15) and access tokens (`auth::jwt`). A key is Ed25519; its private
//! half is stored sealed with ChaCha20-Poly1305 under the key-encryption key
//! (`CPTN_KEY_ENCRYPTION_KEY` or the data directory's), the key id bound as associated
//! data, and exists in clear only in memory. Each purpose has one active key; rotating
//! creates a new one and retires the old, which still verifies.
//!
//! Signatures are compact JWS (RFC 7515) with `alg: EdDSA` (RFC 8037): `header.payload.
//! signature`, base64url without padding, the header naming the key (`kid`) and the
//! purpose (`typ`). A `kid` is only ever looked up in the key table, never used as a path
//! or URL; `jku`, `jwk` and `x5u` headers are ignored.

use crate::db;
use crate::error::{Error, Result};
use crate::services::audit::{Actor, AuditRecord, AuditedWrite};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use entity::enums::AuditKind;
use entity::signing_key;
use sea_orm::DatabaseConnection;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The purpose of the keys that sign outgoing mail.
pub const MAIL: &str = "mail";
/// The purpose of the keys that sign access tokens.
pub const TOKENS: &str = "tokens";
/// Every purpose, as `cptn keys rotate` accepts them.
pub const PURPOSES: [&str; 2] = [MAIL, TOKENS];
/// How long a verifying key is trusted from memory before its row is read again (another
/// server may have retired it).
const RELOAD_AFTER: std::time::Duration = std::time::Duration::from_mins(1);

const ALGORITHM: &str = "Ed25519";

/// What a signature check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verified {
    /// Signed by key `kid`; the signed payload, and when the key was retired (if it was).
    Valid {
        kid: String,
        payload: Vec<u8>,
        retired_at: Option<DateTime<Utc>>,
    },
    /// The signature does not match what it signs: something changed.
    Tampered,
    /// No key of ours has this id.
    UnknownKey,
    /// Not a signature of this purpose at all.
    Malformed,
}

struct ActiveKey {
    id: String,
    key: SigningKey,
}

/// A verifying key as kept in memory.
#[derive(Clone)]
struct KnownKey {
    purpose: String,
    key: VerifyingKey,
    retired_at: Option<DateTime<Utc>>,
    loaded_at: std::time::Instant,
}

/// The keys in memory: each purpose's active signing key, and verifying keys by id.
pub struct KeyRing {
    cipher: ChaCha20Poly1305,
    active: RwLock<HashMap<String, Arc<ActiveKey>>>,
    verifying: RwLock<HashMap<String, KnownKey>>,
    /// Key ids looked up and not found, and when: a flood of made-up ids costs one query
    /// each per [`RELOAD_AFTER`], not one per request.
    unknown: RwLock<HashMap<String, std::time::Instant>>,
}

/// Unknown key ids remembered at most (then the list starts over).
const UNKNOWN_KEPT: usize = 1024;

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyRing { .. }")
    }
}

fn poisoned<T>(_: T) -> Error {
    Error::Unexpected(anyhow::anyhow!("the key ring's lock was poisoned"))
}

impl KeyRing {
    /// A key ring sealing with (the SHA-256 of) `key_encryption_key`.
    pub fn new(key_encryption_key: &SecretString) -> Self {
        let digest = Sha256::digest(key_encryption_key.expose_secret().as_bytes());
        Self {
            cipher: ChaCha20Poly1305::new(&digest),
            active: RwLock::default(),
            verifying: RwLock::default(),
            unknown: RwLock::default(),
        }
    }

    /// Loads the active key of `purpose`, creating the first one when there is none
    /// (a server's first start). Returns its id.
    #[tracing::instrument(skip_all, fields(purpose))]
    pub async fn ensure(&self, db: &DatabaseConnection, purpose: &str, now: DateTime<Utc>) -> Result<String> {
        if let Some(id) = self.refresh(db, purpose).await? {
            return Ok(id);
        }
        self.create(db, purpose, now).await
    }

    /// Creates a new active key of `purpose` and retires the others (they keep verifying).
    #[tracing::instrument(skip_all, fields(purpose))]
    pub async fn rotate(&self, db: &DatabaseConnection, purpose: &str, now: DateTime<Utc>) -> Result<String> {
        self.create(db, purpose, now).await
    }

    async fn create(&self, db: &DatabaseConnection, purpose: &str, now: DateTime<Utc>) -> Result<String> {
        let secret: [u8; 32] = rand::random();
        let key = SigningKey::from_bytes(&secret);
        let id = format!("{purpose}-{}", uuid::Uuid::new_v4().simple());
        let row = signing_key::Model {
            id: id.clone(),
            purpose: purpose.to_owned(),
            algorithm: ALGORITHM.to_owned(),
            public_key: URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes()),
            sealed_private_key: self.seal(&id, &secret)?,
            created_at: now,
            retired_at: None,
        };
        let write = AuditedWrite::begin(db, Actor::operator(now)).await?;
        db::signing::insert(write.conn(), row).await?;
        let retired = db::signing::retire_others(write.conn(), purpose, &id, now).await?;
        write
            .commit(
                AuditRecord::new(AuditKind::SigningKeyCreated)
                    .detail(format!("{purpose} key {id}; {retired} retired, still verifying")),
            )
            .await?;
        self.refresh(db, purpose).await?;
        Ok(id)
    }

    /// Reloads the active key of `purpose` from the database (another server may have
    /// rotated it); its id, or `None` without one.
    #[tracing::instrument(skip_all, fields(purpose))]
    pub async fn refresh(&self, db: &DatabaseConnection, purpose: &str) -> Result<Option<String>> {
        let Some(row) = db::signing::active(db, purpose).await? else {
            return Ok(None);
        };
        let unchanged = self
            .active
            .read()
            .map_err(poisoned)?
            .get(purpose)
            .is_some_and(|k| k.id == row.id);
        if !unchanged {
            let secret = self.unseal(&row)?;
            let key = SigningKey::from_bytes(&secret);
            self.active.write().map_err(poisoned)?.insert(
                purpose.to_owned(),
                Arc::new(ActiveKey {
                    id: row.id.clone(),
                    key,
                }),
            );
        }
        Ok(Some(row.id))
    }

    /// A compact JWS of `payload` by the active key of `purpose`; `None` before one is
    /// loaded.
    pub fn sign(&self, purpose: &str, payload: &[u8]) -> Result<Option<String>> {
        let Some(active) = self.active.read().map_err(poisoned)?.get(purpose).cloned() else {
            return Ok(None);
        };
        let header = serde_json::json!({ "alg": "EdDSA", "kid": active.id, "typ": purpose });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let signature = active.key.sign(input.as_bytes());
        Ok(Some(format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        )))
    }

    /// Checks compact JWS `token` as a signature of `purpose`.
    #[tracing::instrument(skip_all, fields(purpose))]
    pub async fn verify(&self, db: &DatabaseConnection, purpose: &str, token: &str) -> Result<Verified> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Ok(Verified::Malformed);
        };
        let Some(header_json) = URL_SAFE_NO_PAD
            .decode(header)
            .ok()
            .and_then(|h| serde_json::from_slice::<serde_json::Value>(&h).ok())
        else {
            return Ok(Verified::Malformed);
        };
        if header_json["alg"] != "EdDSA" || header_json["typ"] != purpose {
            return Ok(Verified::Malformed);
        }
        let Some(kid) = header_json["kid"].as_str().filter(|k| is_key_id(k)) else {
            return Ok(Verified::UnknownKey);
        };
        let Some(known) = self.verifying_key(db, kid).await? else {
            return Ok(Verified::UnknownKey);
        };
        if known.purpose != purpose {
            return Ok(Verified::UnknownKey);
        }
        let (Ok(signature), Ok(payload)) = (URL_SAFE_NO_PAD.decode(signature), URL_SAFE_NO_PAD.decode(payload)) else {
            return Ok(Verified::Tampered);
        };
        let Ok(signature) = ed25519_dalek::Signature::from_slice(&signature) else {
            return Ok(Verified::Tampered);
        };
        let (header_part, payload_part) = (header, token.split('.').nth(1).unwrap_or_default());
        let input = format!("{header_part}.{payload_part}");
        if known.key.verify_strict(input.as_bytes(), &signature).is_err() {
            return Ok(Verified::Tampered);
        }
        Ok(Verified::Valid {
            kid: kid.to_owned(),
            payload,
            retired_at: known.retired_at,
        })
    }

    /// The verifying key with id `kid`, from memory (read again after [`RELOAD_AFTER`])
    /// or the database.
    async fn verifying_key(&self, db: &DatabaseConnection, kid: &str) -> Result<Option<KnownKey>> {
        if let Some(found) = self.verifying.read().map_err(poisoned)?.get(kid)
            && found.loaded_at.elapsed() < RELOAD_AFTER
        {
            return Ok(Some(found.clone()));
        }
        if self
            .unknown
            .read()
            .map_err(poisoned)?
            .get(kid)
            .is_some_and(|at| at.elapsed() < RELOAD_AFTER)
        {
            return Ok(None);
        }
        let Some(row) = db::signing::find(db, kid).await? else {
            let mut unknown = self.unknown.write().map_err(poisoned)?;
            if unknown.len() >= UNKNOWN_KEPT {
                unknown.clear();
            }
            unknown.insert(kid.to_owned(), std::time::Instant::now());
            return Ok(None);
        };
        let bytes: [u8; 32] = URL_SAFE_NO_PAD
            .decode(&row.public_key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::Unexpected(anyhow::anyhow!("signing key {kid} has a malformed public key")))?;
        let key = VerifyingKey::from_bytes(&bytes)
            .map_err(|e| Error::Unexpected(anyhow::anyhow!("signing key {kid} is not a valid key: {e}")))?;
        let known = KnownKey {
            purpose: row.purpose,
            key,
            retired_at: row.retired_at,
            loaded_at: std::time::Instant::now(),
        };
        self.verifying
            .write()
            .map_err(poisoned)?
            .insert(kid.to_owned(), known.clone());
        Ok(Some(known))
    }

    fn seal(&self, id: &str, secret: &[u8; 32]) -> Result<String> {
        let nonce: [u8; 12] = rand::random();
        let sealed = self
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: secret,
                    aad: id.as_bytes(),
                },
            )
            .map_err(|_| Error::Unexpected(anyhow::anyhow!("sealing a signing key failed")))?;
        Ok(URL_SAFE_NO_PAD.encode([nonce.as_slice(), &sealed].concat()))
    }

    fn unseal(&self, row: &signing_key::Model) -> Result<[u8; 32]> {
        let failed = || {
            Error::Unexpected(anyhow::anyhow!(
                "signing key {} cannot be opened: is CPTN_KEY_ENCRYPTION_KEY the one it was sealed with?",
                row.id
            ))
        };
        let bytes = URL_SAFE_NO_PAD.decode(&row.sealed_private_key).map_err(|_| failed())?;
        if bytes.len() < 12 {
            return Err(failed());
        }
        let (nonce, sealed) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| failed())?;
        let secret = self
            .cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: row.id.as_bytes(),
                },
            )
            .map_err(|_| failed())?;
        secret.try_into().map_err(|_| failed())
    }
}

/// A MAC for links (unsubscribe, evidence downloads) that every server makes and checks
/// alike and none stores: keyed by a hash of `purpose` and the key-encryption key, which
/// servers sharing a database share.
pub fn link_mac(key_encryption_key: &SecretString, purpose: &str) -> hmac::Hmac<Sha256> {
    let key = Sha256::digest([purpose.as_bytes(), b"\0", key_encryption_key.expose_secret().as_bytes()].concat());
    <hmac::Hmac<Sha256> as hmac::Mac>::new_from_slice(&key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
}

/// How long a signed file link works (seconds).
pub const LINK_SECONDS: i64 = 300;

/// `{base}/{id}?expires=..&signature=..`: a link to the file of row `id` under `base`
/// (`/evidence`, `/vulnerability-reports`) that works for [`LINK_SECONDS`] on any server,
/// and only for that row under that base.
pub fn signed_link(key_encryption_key: &SecretString, base: &str, id: i64) -> String {
    use hmac::Mac as _;
    let expires = Utc::now().timestamp() + LINK_SECONDS;
    let signature = shared::hex::encode(
        &file_link_mac(key_encryption_key, base, id, expires)
            .finalize()
            .into_bytes(),
    );
    format!("{base}/{id}?expires={expires}&signature={signature}")
}

/// The MAC of a file link: what it opens (`base`, `id`) and until when.
fn file_link_mac(key_encryption_key: &SecretString, base: &str, id: i64, expires: i64) -> hmac::Hmac<Sha256> {
    use hmac::Mac as _;
    let mut mac = link_mac(key_encryption_key, "cptn file link");
    mac.update(format!("{base}:{id}:{expires}").as_bytes());
    mac
}

/// Whether a [`signed_link`] for row `id` under `base` holds: signed by us, not expired.
pub fn link_holds(key_encryption_key: &SecretString, base: &str, id: i64, expires: i64, signature: &str) -> bool {
    use hmac::Mac as _;
    if expires < Utc::now().timestamp() {
        return false;
    }
    let Some(bytes) = shared::hex::decode(signature) else {
        return false;
    };
    file_link_mac(key_encryption_key, base, id, expires)
        .verify_slice(&bytes)
        .is_ok()
}

/// A key id as we make them: a purpose, a hyphen, 32 hex digits (at most 64 characters).
fn is_key_id(kid: &str) -> bool {
    kid.len() <= 64 && kid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_key_opens_only_with_its_key_and_its_id() -> anyhow::Result<()> {
        let ring = KeyRing::new(&SecretString::from("k".repeat(40)));
        let secret = [7_u8; 32];
        let sealed = ring.seal("mail-1", &secret)?;
        let row = |id: &str, sealed: &str| signing_key::Model {
            id: id.to_owned(),
            purpose: MAIL.to_owned(),
            algorithm: ALGORITHM.to_owned(),
            public_key: String::new(),
            sealed_private_key: sealed.to_owned(),
            created_at: DateTime::<Utc>::MIN_UTC,
            retired_at: None,
        };
        assert_eq!(ring.unseal(&row("mail-1", &sealed))?, secret);
        assert!(!sealed.contains(&URL_SAFE_NO_PAD.encode(secret)), "never in clear");
        assert!(ring.unseal(&row("mail-2", &sealed)).is_err(), "bound to its id");
        let other = KeyRing::new(&SecretString::from("x".repeat(40)));
        assert!(
            other.unseal(&row("mail-1", &sealed)).is_err(),
            "bound to the key-encryption key"
        );
        Ok(())
    }

    #[test]
    fn key_ids_are_looked_up_only_when_they_look_like_ours() {
        assert!(is_key_id("mail-0123456789abcdef0123456789abcdef"));
        for bad in ["../../etc/passwd", "mail/1", "http://evil.example/key", &"a".repeat(65)] {
            assert!(!is_key_id(bad), "{bad}");
        }
    }
}
