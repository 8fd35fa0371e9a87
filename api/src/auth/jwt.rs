//! Access tokens: HS256 JWTs with `iss`, `aud`, `sub`, `sid`, `jti`, `iat`, `nbf`, `exp`.
//! The algorithm is pinned: `alg: none` and every other algorithm are refused. A token is
//! only half the check; the session row it names must also be alive (`services::accounts`).

use crate::config::SessionSettings;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

const ALGORITHM: Algorithm = Algorithm::HS256;

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

/// Signs and checks access tokens. Holds the key material; never printed.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    settings: SessionSettings,
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
    pub fn new(secret: &SecretString, settings: SessionSettings) -> anyhow::Result<Self> {
        let bytes = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(ALGORITHM);
        validation.set_issuer(&[&settings.issuer]);
        validation.set_audience(&[&settings.audience]);
        validation.set_required_spec_claims(&["iss", "aud", "sub", "exp", "nbf", "jti"]);
        validation.validate_nbf = true;
        validation.leeway = 5;
        Ok(Self {
            encoding: EncodingKey::from_secret(bytes)?,
            decoding: DecodingKey::from_secret(bytes)?,
            validation,
            settings,
        })
    }

    /// Signs a token for `member_id` in session `session_id` with token id `jti`.
    pub fn issue(
        &self,
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
        let token = jsonwebtoken::encode(&Header::new(ALGORITHM), &claims, &self.encoding)?;
        Ok(IssuedToken { token, expires_at })
    }

    /// Checks signature, algorithm, issuer, audience, expiry and not-before. `None` for any
    /// failure: callers answer every bad token the same way.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        match jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation) {
            Ok(data) => Some(data.claims),
            Err(e) => {
                tracing::debug!(reason = ?e.kind(), "access token refused");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn keys() -> anyhow::Result<TokenKeys> {
        TokenKeys::new(&SecretString::from("x".repeat(40)), SessionSettings::default())
    }

    #[test]
    fn issued_token_verifies_and_carries_its_claims() -> anyhow::Result<()> {
        let keys = keys()?;
        let issued = keys.issue(7, "sid-1", "jti-1", Utc::now())?;
        let claims = keys.verify(&issued.token).ok_or_else(|| anyhow::anyhow!("refused"))?;
        assert_eq!(
            (claims.sub.as_str(), claims.sid.as_str(), claims.jti.as_str()),
            ("7", "sid-1", "jti-1")
        );
        assert_eq!(claims.exp - claims.iat, 15 * 60);
        Ok(())
    }

    #[test]
    fn unsigned_token_is_refused() -> anyhow::Result<()> {
        let keys = keys()?;
        let issued = keys.issue(7, "sid-1", "jti-1", Utc::now())?;
        let payload = issued.token.split('.').nth(1).unwrap_or_default().to_owned();
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(keys.verify(&format!("{header}.{payload}.")).is_none());
        Ok(())
    }
}
