//! Validated input newtypes. Each `parse` returns the normalised value or a [`FieldError`]
//! naming the input field, so the web app can show the message beside the right box and the
//! server can return it as a `VALIDATION` error.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A validation failure tied to one input field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The input field's name as the API spells it (`email`, `password`, `legalName`).
    pub field: &'static str,
    /// A sentence a person can act on.
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// An e-mail address, trimmed and lower-cased so that uniqueness is case-insensitive.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim().to_lowercase();
        if value.is_empty() {
            return Err(FieldError::new(field, "Enter an e-mail address."));
        }
        if value.chars().count() > Self::MAX_LEN {
            return Err(FieldError::new(
                field,
                format!(
                    "An e-mail address has at most {} characters.",
                    Self::MAX_LEN
                ),
            ));
        }
        let invalid = || {
            FieldError::new(
                field,
                "Enter a valid e-mail address, like name@example.com.",
            )
        };
        let (local, domain) = value.split_once('@').ok_or_else(invalid)?;
        let well_formed = !local.is_empty()
            && local.len() <= 64
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && value.chars().all(|c| !c.is_whitespace() && !c.is_control());
        if well_formed {
            Ok(Self(value))
        } else {
            Err(invalid())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password that meets the length rule (NIST 800-63B: length, no composition rules).
/// The common-password check needs the server's list and happens there.
/// Deliberately not `Debug`, `Display` or `Serialize`: a password is never printed.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let chars = raw.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(FieldError::new(
                field,
                format!("Use at least {} characters.", Self::MIN_CHARS),
            ));
        }
        if chars > Self::MAX_CHARS {
            return Err(FieldError::new(
                field,
                format!("Use at most {} characters.", Self::MAX_CHARS),
            ));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A person's legal name: trimmed, 1 to 200 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalName(String);

impl LegalName {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(FieldError::new(field, "Enter your legal name."));
        }
        if value.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(
                field,
                format!("A name has at most {} characters.", Self::MAX_CHARS),
            ));
        }
        if value.chars().any(char::is_control) {
            return Err(FieldError::new(
                field,
                "A name cannot contain control characters.",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lowercased() {
        let email = Email::parse("email", "  Ada.Lovelace@Example.ORG ").map(Email::into_inner);
        assert_eq!(email, Ok("ada.lovelace@example.org".to_owned()));
    }

    #[test]
    fn malformed_emails_name_the_field() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a b@example.org",
            "a@b@c.org",
            "ada@.org",
        ] {
            let err = Email::parse("email", bad).err();
            assert_eq!(
                err.map(|e| e.field),
                Some("email"),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn password_length_counts_characters_not_bytes() {
        assert!(Password::parse("password", "short").is_err());
        assert!(Password::parse("password", "éééééééé").is_ok());
        assert!(Password::parse("password", &"x".repeat(128)).is_ok());
        assert!(Password::parse("password", &"x".repeat(129)).is_err());
    }

    #[test]
    fn legal_names_keep_apostrophes_and_refuse_blanks() {
        assert_eq!(
            LegalName::parse("legalName", " Siobhán O'Brien ").map(|n| n.as_str().to_owned()),
            Ok("Siobhán O'Brien".to_owned())
        );
        assert!(LegalName::parse("legalName", "   ").is_err());
        assert!(LegalName::parse("legalName", &"a".repeat(201)).is_err());
    }
}
