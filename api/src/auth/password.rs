//! Password hashing with argon2id (m = 19456 KiB, t = 2, p = 1, OWASP's recommendation),
//! run on the blocking pool so it never stalls the async workers.

use crate::error::{Error, Result};
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use shared::Password;
use std::collections::HashSet;
use std::sync::LazyLock;

const MEMORY_KIB: u32 = 19_456;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

static COMMON_PASSWORDS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("common-passwords.txt")
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_lowercase)
        .collect()
});

/// A hash of a random password, verified against when the e-mail is unknown, so that the
/// response time does not tell whether an account exists.
static DUMMY_HASH: LazyLock<Option<String>> = LazyLock::new(|| {
    let random: [u8; 16] = rand::random();
    hasher().hash_password(&random).ok().map(|h| h.to_string())
});

fn hasher() -> Argon2<'static> {
    // The constants are valid argon2 parameters; `Params::new` only fails on out-of-range values.
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// True when the password is on the shipped list of common passwords (case-insensitive).
pub fn is_common(password: &str) -> bool {
    COMMON_PASSWORDS.contains(&password.to_lowercase())
}

/// Number of entries in the common-password list.
pub fn common_password_count() -> usize {
    COMMON_PASSWORDS.len()
}

/// Hashes a new password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub async fn hash(password: &Password) -> Result<String> {
    let password = password.expose().to_owned();
    tokio::task::spawn_blocking(move || {
        hasher()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await
    .map_err(|e| Error::Unexpected(anyhow::anyhow!("password hashing task: {e}")))?
    .map_err(Error::Unexpected)
}

/// Checks a password against a stored hash. `None` for the hash burns the same time as a
/// real check and returns false (unknown account).
pub async fn verify(password: String, stored: Option<String>) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let Some(hash) = stored.or_else(|| DUMMY_HASH.clone()) else {
            return false;
        };
        let matches = hasher().verify_password(password.as_bytes(), hash.as_str()).is_ok();
        matches && stored_was_real(&hash)
    })
    .await
    .map_err(|e| Error::Unexpected(anyhow::anyhow!("password check task: {e}")))
}

fn stored_was_real(hash: &str) -> bool {
    DUMMY_HASH.as_deref() != Some(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ships_at_least_a_thousand_common_passwords() {
        assert!(common_password_count() >= 1000);
        assert!(is_common("password123"));
        assert!(is_common("PASSWORD123"), "the check ignores case");
        assert!(!is_common("correct horse battery staple"));
    }

    #[tokio::test]
    async fn hash_is_argon2id_with_the_chosen_cost_and_verifies() -> anyhow::Result<()> {
        let password = Password::parse("password", "a long passphrase").map_err(|e| anyhow::anyhow!("{e}"))?;
        let hashed = hash(&password).await?;
        assert!(hashed.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hashed}");
        assert!(!hashed.contains("a long passphrase"));
        assert!(verify("a long passphrase".into(), Some(hashed.clone())).await?);
        assert!(!verify("a wrong passphrase".into(), Some(hashed)).await?);
        assert!(!verify("anything".into(), None).await?);
        Ok(())
    }
}
