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
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// Deserialising goes through [`Email::parse`]: no unchecked value enters by JSON.
impl TryFrom<String> for Email {
    type Error = FieldError;

    fn try_from(raw: String) -> Result<Self, FieldError> {
        Self::parse("email", &raw)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

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
                format!("An e-mail address has at most {} characters.", Self::MAX_LEN),
            ));
        }
        let invalid = || FieldError::new(field, "Enter a valid e-mail address, like name@example.com.");
        let (local, domain) = value.split_once('@').ok_or_else(invalid)?;
        let well_formed = !local.is_empty()
            && local.len() <= 64
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && value.chars().all(|c| !c.is_whitespace() && !c.is_control());
        if well_formed { Ok(Self(value)) } else { Err(invalid()) }
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
#[serde(try_from = "String", into = "String")]
pub struct LegalName(String);

/// Deserialising goes through [`LegalName::parse`]: no unchecked value enters by JSON.
impl TryFrom<String> for LegalName {
    type Error = FieldError;

    fn try_from(raw: String) -> Result<Self, FieldError> {
        Self::parse("legalName", &raw)
    }
}

impl From<LegalName> for String {
    fn from(value: LegalName) -> Self {
        value.0
    }
}

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
            return Err(FieldError::new(field, "A name cannot contain control characters."));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number as people write it: digits with spaces, `+`, `-`, `.`, `(`, `)`;
/// 7 to 15 digits (E.164 allows at most 15).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

/// Deserialising goes through [`Phone::parse`]: no unchecked value enters by JSON.
impl TryFrom<String> for Phone {
    type Error = FieldError;

    fn try_from(raw: String) -> Result<Self, FieldError> {
        Self::parse("phone", &raw)
    }
}

impl From<Phone> for String {
    fn from(value: Phone) -> Self {
        value.0
    }
}

impl Phone {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, FieldError> {
        let value = raw.trim();
        let allowed = value
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.' | '(' | ')'));
        let digits = value.chars().filter(char::is_ascii_digit).count();
        if !allowed || !(7..=15).contains(&digits) || value.len() > 32 {
            return Err(FieldError::new(
                field,
                "Enter a phone number of 7 to 15 digits, like +1 514 555 0199.",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Free text for one field: trimmed, at most `max` characters, no control characters
/// except line breaks when `multiline`. Empty is refused when `required`.
pub fn bounded_text(
    field: &'static str,
    raw: &str,
    max: usize,
    required: bool,
    multiline: bool,
) -> Result<String, FieldError> {
    let value = raw.trim();
    if required && value.is_empty() {
        return Err(FieldError::new(field, "This field is required."));
    }
    if value.chars().count() > max {
        return Err(FieldError::new(field, format!("Use at most {max} characters.")));
    }
    let bad_control = value
        .chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')));
    if bad_control {
        return Err(FieldError::new(field, "Remove the control characters."));
    }
    Ok(value.to_owned())
}

/// [`bounded_text`] for a field no card number may be written in (order notes, a buyer's
/// name or address): one is refused, naming the field and never repeating the value.
pub fn text_without_card(
    field: &'static str,
    raw: &str,
    max: usize,
    required: bool,
    multiline: bool,
) -> Result<String, FieldError> {
    let value = bounded_text(field, raw, max, required, multiline)?;
    if crate::card::contains_card_number(&value) {
        return Err(FieldError::new(
            field,
            "This looks like a payment card number. We never take card numbers here: remove it.",
        ));
    }
    Ok(value)
}

/// A URL slug: 3 to 80 of `a-z`, `0-9` and single hyphens, not at either end.
pub fn slug(field: &'static str, raw: &str) -> Result<String, FieldError> {
    let value = raw.trim();
    let well_formed = (3..=80).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-')
        && !value.contains("--");
    if well_formed {
        Ok(value.to_owned())
    } else {
        Err(FieldError::new(
            field,
            "Use 3 to 80 lower-case letters, digits and single hyphens, like maya-okafor.",
        ))
    }
}

/// The most specialties a directory profile may list.
pub const MAX_PROFILE_SPECIALTIES: usize = 8;

/// Lower-case without accents, for matching what people type against what is stored:
/// `Chloé` and `CHLOE` both fold to `chloe`.
pub fn fold(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).map(unaccent).collect()
}

fn unaccent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

/// A slug made from a name: `Chloé Tremblay` -> `chloe-tremblay`.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in fold(name).chars() {
        let mapped = if c.is_ascii_alphanumeric() { c } else { '-' };
        if mapped != '-' || !out.ends_with('-') {
            out.push(mapped);
        }
    }
    let trimmed: String = out.trim_matches('-').chars().take(70).collect();
    trimmed.trim_end_matches('-').to_owned()
}

/// True for a path of this site that is safe to send a visitor to after a login (`?next=`):
/// it starts with one `/` and holds only letters, digits and `/-_.~`. Browsers drop tabs
/// and newlines from URLs and read `\` as `/`, so anything else (or a leading `//`) could
/// lead off the site.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && path.chars().all(|c| c.is_ascii_alphanumeric() || "/-_.~".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_local_paths_are_followed_after_login() {
        for good in ["/account", "/account/profile", "/trainers/chloe-tremblay"] {
            assert!(is_local_path(good), "{good}");
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "account",
            "",
            "/%2F%2Fevil.example",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }

    #[test]
    fn checked_types_deserialise_only_through_their_constructors() {
        let email: Email = serde_json::from_str("\"  Ann@Example.ORG \"").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(email.as_str(), "ann@example.org", "normalised as `parse` does");
        assert!(serde_json::from_str::<Email>("\"not an address\"").is_err());
        assert!(serde_json::from_str::<LegalName>("\"  \"").is_err());
        assert!(serde_json::from_str::<LegalName>("\"a\\u0007b\"").is_err());
        assert!(serde_json::from_str::<Phone>("\"call me\"").is_err());
        let phone: Phone = serde_json::from_str("\"+1 514 555 0199\"").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            serde_json::to_string(&phone).ok().as_deref(),
            Some("\"+1 514 555 0199\"")
        );
    }

    #[test]
    fn phones_keep_their_formatting_and_need_seven_to_fifteen_digits() {
        assert_eq!(
            Phone::parse("phone", " +1 (514) 555-0199 ").map(|p| p.as_str().to_owned()),
            Ok("+1 (514) 555-0199".to_owned())
        );
        assert!(Phone::parse("phone", "12345").is_err());
        assert!(Phone::parse("phone", "call me maybe").is_err());
    }

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Chloé MONTRÉAL"), "chloe montreal");
    }

    #[test]
    fn slugs_come_from_names_and_are_checked() {
        assert_eq!(slugify("Chloé  Tremblay!"), "chloe-tremblay");
        assert_eq!(slugify("Liam O'Brien"), "liam-o-brien");
        assert!(slug("slug", "maya-okafor").is_ok());
        assert!(slug("slug", "Maya").is_err());
        assert!(slug("slug", "-maya").is_err());
    }

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
            assert_eq!(err.map(|e| e.field), Some("email"), "{bad:?} should be refused");
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
