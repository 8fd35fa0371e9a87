//! The SQL-injection tripwire (P2). Every query is parameterised, so an injection string
//! cannot change a statement; the tripwire is there to notice who sends one. It reads the
//! values of finding and filtering arguments (the caller decides which) and answers
//! whether one carries a clear injection signature: a tautology (`' or '1'='1`), a stacked
//! statement (`; drop table`), `UNION SELECT`, a comment right after a closing quote
//! (`admin'--`), a time delay (`sleep(5)`, `pg_sleep`, `waitfor delay`), file or system
//! access (`load_file`, `into outfile`, `xp_cmdshell`, `information_schema`).
//!
//! Ordinary text must never trip it: a name with an apostrophe (`O'Brien`, `Rock 'n'
//! Roll`), a phrase with SQL words (`select your union dues`), punctuation. Every rule
//! therefore asks for SQL *grammar* (a literal compared with a literal, a keyword followed
//! by what makes it a statement), never for a word alone. The corpora in
//! `tests/corpus/sql-injection` hold both sides.
//!
//! Text is normalised first, as a database or a web server in front of one would read
//! it: percent-escapes decoded (twice: double encoding), HTML quote entities and `\x27`
//! turned into quotes, lower case, blanks collapsed; then each rule runs on two readings,
//! with `/* comments */` as a blank and with them removed (`uni/**/on` is `union`).

use regex::Regex;
use std::sync::LazyLock;

/// Which kind of signature a value carried (recorded in the audit row).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signature {
    Tautology,
    StackedQuery,
    UnionSelect,
    CommentAfterQuote,
    TimeDelay,
    FileOrSystemAccess,
    CatalogueProbe,
}

impl Signature {
    pub fn as_str(self) -> &'static str {
        match self {
            Signature::Tautology => "tautology",
            Signature::StackedQuery => "stacked query",
            Signature::UnionSelect => "union select",
            Signature::CommentAfterQuote => "comment after a quote",
            Signature::TimeDelay => "time delay",
            Signature::FileOrSystemAccess => "file or system access",
            Signature::CatalogueProbe => "catalogue probe",
        }
    }
}

/// A boolean operator as injections use it.
const BOOLEAN: &str = r"(?:\bor\b|\band\b|\bxor\b|\|\||&&)";
/// A literal: a quoted string (possibly left open, for the query to close) or a number.
const LITERAL: &str = r#"(?:n?'[^']*'?|"[^"]*"?|\d+(?:\.\d+)?)"#;
/// A comparison.
const COMPARE: &str = r"(?:=|==|<>|!=|<=>|<=|>=|<|>|\blike\b)";

struct Rule {
    signature: Signature,
    pattern: Regex,
}

#[allow(clippy::expect_used, reason = "constant patterns: a typo fails every test at once")]
static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let rules: Vec<(Signature, String)> = vec![
        // A literal compared with a literal after a boolean: `or 1=1`, `or 'a'='a`,
        // `and 1=(select ...)`, `or 'some'+'thing'`.
        (
            Signature::Tautology,
            format!(r"{BOOLEAN}\s*\(*\s*{LITERAL}\s*\)*\s*{COMPARE}\s*\(*\s*(?:{LITERAL}|select\b)"),
        ),
        // The same column on both sides is handled in code (no back-references here).
        // A column matched with a wildcard or tested for null, a literal in a list or a
        // range, a bare truth: `or name like '%`, `and email is null`, `or 2 between 1 and 3`.
        (
            Signature::Tautology,
            format!(r"{BOOLEAN}\s+[\w.]+\s+(?:not\s+)?like\s+(?:'%|char\s*\()"),
        ),
        (Signature::Tautology, format!(r"{BOOLEAN}\s+[\w.]+\s+is\s+(?:not\s+)?null\b")),
        (Signature::Tautology, format!(r"{BOOLEAN}\s+{LITERAL}\s+in\s*\(")),
        (Signature::Tautology, format!(r"{BOOLEAN}\s+\d+\s+between\s+\d+\s+and\s+\d+")),
        (Signature::Tautology, format!(r"{BOOLEAN}\s+\d+\s*(?:--|#|/\*)")),
        (Signature::Tautology, format!(r"{BOOLEAN}\s*\(?\s*(?:exists\s*[()]|isnull\s*\()")),
        (Signature::Tautology, format!(r#"['")]\s*{BOOLEAN}\s+(?:true|false)\b"#)),
        // A statement after a semicolon: `; drop table`, `; select * from`, `; exec`.
        (
            Signature::StackedQuery,
            r";\s*(?:select\s+(?:\*|@@|\d|null\b|[\w.]+\s*\(|[\w.,\s]+\bfrom\b)|insert\s+into\b|delete\s+from\b|update\s+[\w.]+\s+set\b|drop\s+(?:table|database|view|schema|user|index)\b|create\s+(?:table|user|database|function)\b|alter\s+(?:table|user|database)\b|truncate\s+(?:table\s+)?\w|shutdown\b|exec(?:ute)?\b|declare\s+@|waitfor\b|begin\s+declare\b|grant\s+\w|set\s+@)"
                .to_owned(),
        ),
        (Signature::StackedQuery, r";\s*(?:--|#)".to_owned()),
        (
            Signature::StackedQuery,
            r"\bdeclare\s+@\w+|\bexec(?:ute)?\s*\(\s*@|\bexec(?:ute)?\s+immediate\b|\bexec(?:ute)?\s+(?:master\.|xp_|sp_)".to_owned(),
        ),
        (
            Signature::UnionSelect,
            r"\bunion\b(?:\s+(?:all|distinct))?\s*\(*\s*select\b".to_owned(),
        ),
        // A quote closed, then the rest of the statement commented out: `admin'--`.
        (
            Signature::CommentAfterQuote,
            r#"['"]\s*\)*\s*(?:--|/\*|#\s*$|;\s*$)"#.to_owned(),
        ),
        (
            Signature::TimeDelay,
            r"\b(?:pg_)?sleep\s*\(\s*\d|\bbenchmark\s*\(\s*\d+\s*,|\bwaitfor\s+(?:delay|time)\b|\bdbms_lock\s*\.\s*sleep\b|\bdbms_pipe\s*\.\s*receive_message\b|\bpg_sleep\b"
                .to_owned(),
        ),
        (
            Signature::FileOrSystemAccess,
            r"\bload_file\s*\(|\binto\s+(?:out|dump)file\b|\bpg_read_file\s*\(|\bpg_ls_dir\s*\(|\blo_import\s*\(|\bcopy\s+[\w.]+\s+(?:from|to)\s+(?:program\s+)?'|\butl_(?:http|file|inaddr)\s*\.|\bbfilename\s*\(|\bopenrowset\s*\(|\bxp_(?:cmdshell|regread|dirtree|fileexist)\b|\bsp_(?:oacreate|executesql|password)\b"
                .to_owned(),
        ),
        (
            Signature::CatalogueProbe,
            r"\binformation_schema\b|\b(?:sysobjects|syscolumns|sqlite_master|pg_catalog|pg_shadow|all_tables)\b|@@(?:version|datadir|hostname|servername)\b|\b(?:extractvalue|updatexml)\s*\(|\bconcat\s*\(\s*0x|(?:=|\bselect|\()\s*0x[0-9a-f]{8,}|\bhaving\s+\d+\s*=\s*\d+|\border\s+by\s+\d+\s*(?:--|#|/\*)|\bgroup\s+by\s+[\w.]+\s+having\b|\(\s*select\s+(?:top\s+\d|count\s*\(|\d|@@|version\s*\(|[\w.,\s]+\bfrom\b)|\bchar\s*\(\s*\d+\s*(?:,\s*\d+\s*)+\)"
                .to_owned(),
        ),
    ];
    rules
        .into_iter()
        .map(|(signature, pattern)| Rule {
            signature,
            pattern: Regex::new(&pattern).expect("tripwire pattern"),
        })
        .collect()
});

/// `or name = name`: the same column compared with itself.
#[allow(clippy::expect_used, reason = "a constant pattern")]
static SAME_COLUMN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"{BOOLEAN}\s*\(?\s*([a-z_]\w*)\s*=\s*([a-z_]\w*)\b")).expect("tripwire pattern")
});

#[allow(clippy::expect_used, reason = "a constant pattern")]
static BLOCK_COMMENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"/\*.*?\*/").expect("tripwire pattern"));

/// Longest value read; a longer search or lookup argument is read up to here (an attack
/// must show itself in its first few kilobytes like any other).
const MAX_INSPECTED_BYTES: usize = 4096;

/// The signature `value` carries, if any.
pub fn signature_of(value: &str) -> Option<Signature> {
    if value.is_empty() {
        return None;
    }
    let cut = floor_char_boundary(value, MAX_INSPECTED_BYTES);
    let text = normalise(&value[..cut]);
    let spaced = BLOCK_COMMENT.replace_all(&text, " ");
    let joined = BLOCK_COMMENT.replace_all(&text, "");
    for reading in [collapse_blanks(&spaced), collapse_blanks(&joined)] {
        if let Some(rule) = RULES.iter().find(|rule| rule.pattern.is_match(&reading)) {
            return Some(rule.signature);
        }
        let same_column = SAME_COLUMN
            .captures_iter(&reading)
            .any(|c| c.get(1).map(|m| m.as_str()) == c.get(2).map(|m| m.as_str()));
        if same_column {
            return Some(Signature::Tautology);
        }
    }
    None
}

fn floor_char_boundary(text: &str, at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    (0..=at).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0)
}

/// Percent-decoded (twice), lower case, quote entities and escapes as quotes,
/// typographic quotes as ASCII ones.
fn normalise(value: &str) -> String {
    let mut text = value.to_owned();
    for _ in 0..2 {
        if !text.contains('%') {
            break;
        }
        text = percent_decode(&text);
    }
    text.to_lowercase()
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("\\x27", "'")
        .replace("\\'", "'")
        .replace(['\u{2018}', '\u{2019}', '\u{02bc}'], "'")
        .replace(['\u{201c}', '\u{201d}'], "\"")
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let (Some(high), Some(low)) = (
                bytes.get(i + 1).and_then(|b| (*b as char).to_digit(16)),
                bytes.get(i + 2).and_then(|b| (*b as char).to_digit(16)),
            )
        {
            out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn collapse_blanks(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apostrophes_and_sql_words_in_ordinary_text_pass() {
        for text in [
            "O'Brien",
            "Rock 'n' Roll Fitness",
            "D'Arcy-Smith",
            "select your union dues",
            "Runners' and Walkers' Club",
            "Fitness for men and women > 50",
            "Sleep (and recovery) workshop",
        ] {
            assert_eq!(signature_of(text), None, "{text}");
        }
    }

    #[test]
    fn each_kind_of_signature_is_named() {
        assert_eq!(signature_of("' or '1'='1"), Some(Signature::Tautology));
        assert_eq!(signature_of("x' or name = name"), Some(Signature::Tautology));
        assert_eq!(signature_of("1; drop table members"), Some(Signature::StackedQuery));
        assert_eq!(signature_of("' UNION/**/SELECT 1"), Some(Signature::UnionSelect));
        assert_eq!(signature_of("admin'--"), Some(Signature::CommentAfterQuote));
        assert_eq!(signature_of("1 AND SLEEP(5)"), Some(Signature::TimeDelay));
        assert_eq!(
            signature_of("x' INTO OUTFILE '/tmp/x"),
            Some(Signature::FileOrSystemAccess)
        );
        assert_eq!(
            signature_of("%2527%2520or%25201=1"),
            Some(Signature::Tautology),
            "double encoding"
        );
    }
}
