//! The signature every outgoing message carries (P15): a compact JWS signed with the mail
//! key (Ed25519, `services::signing`) whose payload is the message itself (from, to, date,
//! subject, body), appended to the body as a block. Anyone holding the message can paste it
//! (or just the block) into the public check (`verifyEmailSignature`, the web app's
//! `/verify-email`): it answers `VALID` with the original message, `TAMPERED` when the
//! block or the text pasted with it differs from what we signed, `UNKNOWN_KEY` when no key
//! of ours made it. DKIM stays the mail server's job; this proves what we sent.

use crate::auth::RequestMeta;
use crate::error::{Error, Result};
use crate::services::signing::{self, KeyRing, Verified};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

const BEGIN: &str = "-----BEGIN CPTN NETWORK SIGNATURE-----";
const END: &str = "-----END CPTN NETWORK SIGNATURE-----";
const INTRO: &str = "Signed by CPTN Network.";
/// The block's lines are cut to this width (mail clients wrap longer ones).
const WIDTH: usize = 76;
/// The longest text the check reads.
const MAX_TEXT: usize = 200_000;

/// What a signature covers: the message as we sent it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedMail {
    pub from: String,
    pub to: String,
    pub date: DateTime<Utc>,
    pub subject: String,
    pub body: String,
}

/// `mail.body` with its signature block, as sent; `None` before a mail key is loaded.
pub fn signed_body(keys: &KeyRing, public_url: &str, mail: &SignedMail) -> Result<Option<String>> {
    let payload = serde_json::to_vec(mail).map_err(anyhow::Error::from)?;
    let Some(token) = keys.sign(signing::MAIL, &payload)? else {
        return Ok(None);
    };
    let lines = wrap(&token);
    Ok(Some(format!(
        "{body}\n\n-- \n{INTRO} To check that this message is ours and unchanged, paste it (or just the block below) at {public_url}/verify-email\n{BEGIN}\n{}\n{END}\n",
        lines.join("\n"),
        body = mail.body.trim_end(),
    )))
}

/// The token in lines of at most [`WIDTH`] characters, none starting with `.` (SMTP
/// doubles a leading dot, and a server that does not undo it would change the token).
fn wrap(token: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = token;
    while !rest.is_empty() {
        let mut cut = rest.len().min(WIDTH);
        while cut > 1 && rest[cut..].starts_with('.') {
            cut -= 1;
        }
        lines.push(&rest[..cut]);
        rest = &rest[cut..];
    }
    lines
}

/// What the public check answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// We signed this, unchanged: the message as sent, and the key.
    Valid {
        mail: SignedMail,
        kid: String,
    },
    Tampered,
    UnknownKey,
    /// No signature block (or not one of ours) in the text.
    Malformed,
}

/// Checks `text`: a signature block, or a whole message with its block. Rate-limited per
/// client IP.
#[tracing::instrument(skip_all)]
pub async fn check(state: &AppState, meta: &RequestMeta, text: &str) -> Result<Check> {
    if let Some(ip) = meta.ip
        && let Err(retry_after) = state.signature_limiter.check(&ip).await
    {
        return Err(Error::RateLimited { retry_after });
    }
    if text.len() > MAX_TEXT {
        return Err(Error::invalid("text", "Paste at most 200,000 characters."));
    }
    let (before, token) = split(text);
    if token.is_empty() {
        return Ok(Check::Malformed);
    }
    let (kid, payload) = match state.keys.verify(&state.db, signing::MAIL, &token).await? {
        Verified::Valid { kid, payload, .. } => (kid, payload),
        Verified::Tampered => return Ok(Check::Tampered),
        Verified::UnknownKey => return Ok(Check::UnknownKey),
        Verified::Malformed => return Ok(Check::Malformed),
    };
    let Ok(mail) = serde_json::from_slice::<SignedMail>(&payload) else {
        return Ok(Check::Malformed);
    };
    // Text pasted with the block must be the body we signed (spacing aside: mail clients
    // rewrap lines).
    let pasted = words(before);
    if !pasted.is_empty() && pasted != words(&mail.body) {
        return Ok(Check::Tampered);
    }
    Ok(Check::Valid { mail, kid })
}

/// The text before the block (without our closing lines) and the token inside it; a text
/// with no block is taken as a bare token.
fn split(text: &str) -> (&str, String) {
    let Some(start) = text.find(BEGIN) else {
        return ("", text.split_whitespace().collect());
    };
    let inside = &text[start + BEGIN.len()..];
    let inside = inside.find(END).map_or(inside, |end| &inside[..end]);
    let mut before = &text[..start];
    if let Some(intro) = before.rfind(INTRO) {
        before = &before[..intro];
    }
    let before = before.trim_end();
    let before = before.strip_suffix("--").unwrap_or(before);
    (before, inside.split_whitespace().collect())
}

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_and_the_text_before_it_are_read_apart() {
        let text = format!("Hello,\n\nyour receipt.\n\n-- \n{INTRO} To check ...\n{BEGIN}\nabc.\ndef\n.ghi\n{END}\n");
        let (before, token) = split(&text);
        assert_eq!(words(before), "Hello, your receipt.");
        assert_eq!(token, "abc.def.ghi");
        assert_eq!(split("  abc.def.ghi \n"), ("", "abc.def.ghi".to_owned()));
    }

    #[test]
    fn no_line_of_the_block_starts_with_a_dot() {
        let token = format!("{}.{}.{}", "a".repeat(76), "b".repeat(151), "c".repeat(86));
        let lines = wrap(&token);
        assert!(
            lines.iter().all(|l| !l.starts_with('.') && l.len() <= WIDTH),
            "{lines:?}"
        );
        assert_eq!(lines.concat(), token);
    }
}
