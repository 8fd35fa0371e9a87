//! Access tokens: JWTs with `iss`, `aud`, `sub`, `sid`, `jti`, `iat`, `nbf`, `exp`, and a
//! key id (`kid`) in the header. A token is only half the check; the session row it names
//! must also be alive (`services::accounts`).
//!
//! Two ways to sign, chosen at start:
//! - by default, Ed25519 keys of the `tokens` purpose kept in the database
//!   (`services::signing::KeyRing`): every server signs and verifies the same tokens, and
//!   `cptn keys rotate tokens` makes a new key while the old one keeps verifying the
//!   tokens it signed until they expire (at most a token's lifetime after the rotation,
//!   plus the minute other servers take to pick up the new key);
//! - with `CPTN_JWT_SECRET`, that one HMAC key (HS256), its id derived from it.
//!
//! The algorithm is pinned by the mode: `alg: none`, `HS256` in the key mode, `EdDSA` in
//! the secret mode and every other algorithm are refused. The `kid` is only looked up among
//! our keys (never a path or a URL); `jku`, `jwk` and `x5u` headers are never read.

use crate::config::SessionSettings;
use crate::services::signing::{KeyRing, TOKENS, Verified};
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use sea_orm::DatabaseConnection;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Seconds of clock difference allowed between servers.
const LEEWAY_SECONDS: i64 = 5;
/// How often a server reloads the active token key (another may have rotated it).
const REFRESH_SECONDS: i64 = 60;

/// The claims of an access token.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The member's internal id.
    pub sub: String,
    /// The session row this token belongs to.
    pub sid: String,
    /// Unique per token; must equal the session's current token id.
    pub jti: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

enum Signer {
    /// `CPTN_JWT_SECRET`: one HMAC key.
    Secret {
        kid: String,
        encoding: EncodingKey,
        decoding: DecodingKey,
        validation: Box<Validation>,
    },
    /// The database's Ed25519 keys of the `tokens` purpose.
    Keys(Arc<KeyRing>),
}

/// Signs and checks access tokens. Holds the key material; never printed.
pub struct TokenKeys {
    signer: Signer,
    settings: SessionSettings,
    /// When the active key was last reloaded (Unix seconds).
    refreshed_at: AtomicI64,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(..)")
    }
}

/// A freshly signed token and when it stops working.
pub struct IssuedToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

impl TokenKeys {
    /// The token keys `settings` ask for: `CPTN_JWT_SECRET` alone when set, else the
    /// database's `tokens` keys through `keys` (the first made now when there is none).
    pub async fn for_settings(
        settings: &crate::config::Settings,
        keys: &Arc<KeyRing>,
        db: &DatabaseConnection,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Self> {
        if let Some(secret) = &settings.jwt_secret {
            return Self::with_secret(secret, settings.sessions.clone());
        }
        keys.ensure(db, TOKENS, now).await?;
        Ok(Self::with_keys(keys.clone(), settings.sessions.clone()))
    }

    /// Tokens signed with `CPTN_JWT_SECRET` alone.
    pub fn with_secret(secret: &SecretString, settings: SessionSettings) -> anyhow::Result<Self> {
        use sha2::{Digest, Sha256};
        let bytes = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["iss", "aud", "sub", "exp", "nbf", "jti"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS.unsigned_abs();
        let fingerprint = Sha256::digest([b"cptn token key\0".as_slice(), bytes].concat());
        Ok(Self {
            signer: Signer::Secret {
                kid: format!("secret-{}", shared::hex::encode(&fingerprint[..8])),
                encoding: EncodingKey::from_secret(bytes)?,
                decoding: DecodingKey::from_secret(bytes)?,
                validation: Box::new(validation),
            },
            settings,
            refreshed_at: AtomicI64::new(i64::MAX),
        })
    }

    /// Tokens signed with the database's keys (the ring must hold the active `tokens`
    /// key: `KeyRing::ensure`).
    pub fn with_keys(keys: Arc<KeyRing>, settings: SessionSettings) -> Self {
        Self {
            signer: Signer::Keys(keys),
            settings,
            refreshed_at: AtomicI64::new(Utc::now().timestamp()),
        }
    }

    /// Signs a token for `member_id` in session `session_id` with token id `jti`.
    pub async fn issue(
        &self,
        db: &DatabaseConnection,
        member_id: i64,
        session_id: &str,
        jti: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<IssuedToken> {
        let ttl = chrono::Duration::from_std(self.settings.access_token_ttl)?;
        let expires_at = now + ttl;
        let claims = Claims {
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            sub: member_id.to_string(),
            sid: session_id.to_owned(),
            jti: jti.to_owned(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let token = match &self.signer {
            Signer::Secret { kid, encoding, .. } => {
                let mut header = Header::new(Algorithm::HS256);
                header.kid = Some(kid.clone());
                jsonwebtoken::encode(&header, &claims, encoding)?
            }
            Signer::Keys(keys) => {
                let last = self.refreshed_at.load(Ordering::Relaxed);
                if now.timestamp() - last >= REFRESH_SECONDS {
                    self.refreshed_at.store(now.timestamp(), Ordering::Relaxed);
                    keys.refresh(db, TOKENS).await?;
                }
                keys.sign(TOKENS, &serde_json::to_vec(&claims)?)?
                    .ok_or_else(|| anyhow::anyhow!("no active token key is loaded"))?
            }
        };
        Ok(IssuedToken { token, expires_at })
    }

    /// Checks key, signature, algorithm, issuer, audience, expiry and not-before. `None`
    /// for any failure: callers answer every bad token the same way.
    pub async fn verify(&self, db: &DatabaseConnection, token: &str) -> Option<Claims> {
        match &self.signer {
            Signer::Secret {
                kid,
                decoding,
                validation,
                ..
            } => {
                let header = jsonwebtoken::decode_header(token).ok()?;
                if header.kid.as_deref() != Some(kid.as_str()) {
                    tracing::debug!("access token refused: unknown key id");
                    return None;
                }
                match jsonwebtoken::decode::<Claims>(token, decoding, validation) {
                    Ok(data) => Some(data.claims),
                    Err(e) => {
                        tracing::debug!(reason = ?e.kind(), "access token refused");
                        None
                    }
                }
            }
            Signer::Keys(keys) => {
                let verified = match keys.verify(db, TOKENS, token).await {
                    Ok(verified) => verified,
                    Err(e) => {
                        tracing::error!(error = ?e, "checking an access token's key failed");
                        return None;
                    }
                };
                let Verified::Valid {
                    payload, retired_at, ..
                } = verified
                else {
                    tracing::debug!(outcome = ?verified, "access token refused");
                    return None;
                };
                let claims = serde_json::from_slice::<Claims>(&payload).ok()?;
                self.claims_hold(&claims, retired_at, Utc::now().timestamp())
                    .then_some(claims)
            }
        }
    }

    /// The claims' checks of the key mode: issuer, audience, validity at `now`, and a
    /// retired key only for tokens it signed before it was replaced.
    fn claims_hold(&self, claims: &Claims, retired_at: Option<DateTime<Utc>>, now: i64) -> bool {
        let addressed = claims.iss == self.settings.issuer && claims.aud == self.settings.audience;
        let valid_now = claims.nbf <= now + LEEWAY_SECONDS && now < claims.exp + LEEWAY_SECONDS;
        let signed_in_time =
            retired_at.is_none_or(|retired| claims.iat <= retired.timestamp() + REFRESH_SECONDS + LEEWAY_SECONDS);
        let holds = addressed && valid_now && signed_in_time;
        if !holds {
            tracing::debug!(addressed, valid_now, signed_in_time, "access token refused");
        }
        holds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(iat: i64) -> Claims {
        let settings = SessionSettings::default();
        Claims {
            iss: settings.issuer,
            aud: settings.audience,
            sub: "7".to_owned(),
            sid: "sid".to_owned(),
            jti: "jti".to_owned(),
            iat,
            nbf: iat,
            exp: iat + 900,
        }
    }

    #[test]
    fn a_retired_key_verifies_only_tokens_signed_before_it_was_replaced() {
        let keys = TokenKeys::with_keys(
            Arc::new(KeyRing::new(&SecretString::from("k".repeat(40)))),
            SessionSettings::default(),
        );
        let retired = DateTime::<Utc>::from_timestamp(1_000_000, 0);
        let before = claims(999_500);
        assert!(
            keys.claims_hold(&before, retired, 999_600),
            "signed before: valid until it expires"
        );
        assert!(!keys.claims_hold(&before, retired, 999_500 + 905), "then expired");
        let picked_up_late = claims(1_000_000 + 30);
        assert!(
            keys.claims_hold(&picked_up_late, retired, 1_000_100),
            "within the refresh minute"
        );
        let long_after = claims(1_000_000 + 600);
        assert!(
            !keys.claims_hold(&long_after, retired, 1_000_700),
            "signed well after its retirement"
        );
        let mut elsewhere = claims(999_500);
        elsewhere.aud = "another-api".to_owned();
        assert!(!keys.claims_hold(&elsewhere, None, 999_600));
    }

    #[tokio::test]
    async fn a_secret_token_carries_its_key_id_and_unsigned_ones_are_refused() -> anyhow::Result<()> {
        use base64::Engine;
        let db = sea_orm::Database::connect("sqlite::memory:").await?;
        let keys = TokenKeys::with_secret(&SecretString::from("x".repeat(40)), SessionSettings::default())?;
        let issued = keys.issue(&db, 7, "sid-1", "jti-1", Utc::now()).await?;
        let header = jsonwebtoken::decode_header(&issued.token)?;
        assert!(header.kid.is_some_and(|k| k.starts_with("secret-")));
        let claims = keys
            .verify(&db, &issued.token)
            .await
            .ok_or_else(|| anyhow::anyhow!("refused"))?;
        assert_eq!((claims.sub.as_str(), claims.exp - claims.iat), ("7", 15 * 60));
        let payload = issued.token.split('.').nth(1).unwrap_or_default().to_owned();
        let none = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(keys.verify(&db, &format!("{none}.{payload}.")).await.is_none());
        Ok(())
    }
}
