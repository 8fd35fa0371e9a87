//! Property-based fuzzing (proptest, stable Rust) of what hostile input reaches first: the
//! JSON request parser, the parse step (limits, cost, the tripwire's argument walk) and
//! the tripwire's detector. Each target runs batches of generated cases until its share
//! of `CPTN_FUZZ_SECONDS` (default 3; `.ci/run` gives the three 60 s in all) is spent,
//! so CI time stays bounded whatever the machine.

use crate::config::Limits;
use crate::http::graphql::transport::parse_json;
use crate::schema::limits::ParsedDocuments;
use crate::services::security::tripwire::signature_of;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::time::{Duration, Instant};

/// Each target's share of the budget.
fn budget() -> Duration {
    let seconds: u64 = std::env::var("CPTN_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    Duration::from_secs(seconds) / 3
}

/// Runs `test` on values of `strategy` in batches until the budget is spent.
fn fuzz<S: Strategy>(strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>) -> Result<(), String>
where
    S::Value: std::fmt::Debug,
{
    let started = Instant::now();
    let mut batches = 0_u32;
    while started.elapsed() < budget() || batches == 0 {
        let mut runner = TestRunner::new(Config {
            cases: 256,
            failure_persistence: None,
            ..Config::default()
        });
        runner.run(&strategy, &test).map_err(|e| e.to_string())?;
        batches += 1;
    }
    Ok(())
}

/// Text as clients send it: mostly JSON and GraphQL punctuation, quotes, keywords,
/// numbers and any character at all.
fn hostile_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("\"".to_owned()),
        Just("'".to_owned()),
        Just(":".to_owned()),
        Just(",".to_owned()),
        Just("\\".to_owned()),
        Just("query".to_owned()),
        Just("\"query\"".to_owned()),
        Just("\"variables\"".to_owned()),
        Just("mutation".to_owned()),
        Just("fragment F on Query".to_owned()),
        Just("...F".to_owned()),
        Just("directory(first: ".to_owned()),
        Just("$v".to_owned()),
        Just("null".to_owned()),
        Just(" or 1=1--".to_owned()),
        Just("union select".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(pieces, 0..40).prop_map(|parts| parts.concat())
}

#[test]
fn the_json_request_parser_never_panics_and_answers_every_body() -> Result<(), String> {
    let bytes = proptest::collection::vec(any::<u8>(), 0..256);
    fuzz(bytes, |body| {
        let _ = parse_json(&body);
        Ok(())
    })?;
    fuzz(hostile_text(), |text| {
        let _ = parse_json(text.as_bytes());
        // A well-formed request around any query text parses.
        let wrapped = serde_json::json!({ "query": text }).to_string();
        prop_assert!(parse_json(wrapped.as_bytes()).is_ok());
        Ok(())
    })
}

#[test]
fn the_parse_step_never_panics_on_any_document_or_variables() -> Result<(), String> {
    let documents = ParsedDocuments::new(&Limits::default());
    let strategy = (hostile_text(), hostile_text(), any::<bool>());
    fuzz(strategy, |(query, variable, may_introspect)| {
        let mut request = async_graphql::Request::new(query).variables(async_graphql::Variables::from_json(
            serde_json::json!({ "v": variable }),
        ));
        let _ = documents.prepare(&mut request, may_introspect);
        Ok(())
    })
}

#[test]
fn the_tripwire_is_deterministic_and_keeps_its_verdicts_whatever_the_case_or_spacing() -> Result<(), String> {
    let corpus = |name: &str| -> Vec<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/corpus/sql-injection")
            .join(name);
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect()
    };
    let attacks = corpus("attacks.txt");
    let legitimate = corpus("legitimate.txt");
    if attacks.is_empty() || legitimate.is_empty() {
        return Err("the corpora in tests/corpus/sql-injection are missing".to_owned());
    }
    // Any text: an answer, always the same one.
    fuzz(hostile_text(), |text| {
        prop_assert_eq!(signature_of(&text), signature_of(&text));
        Ok(())
    })?;
    // An attack in other letter cases and with more blanks is still an attack; a
    // legitimate name in other cases is still legitimate.
    let variants = (0..attacks.len(), 0..legitimate.len(), any::<u64>());
    fuzz(variants, |(a, l, seed)| {
        let attack = recase(&attacks[a], seed).replace(' ', "  \t ");
        prop_assert!(signature_of(&attack).is_some(), "missed: {attack:?}");
        let name = recase(&legitimate[l], seed);
        prop_assert!(signature_of(&name).is_none(), "refused: {name:?}");
        Ok(())
    })
}

/// `text` with the case of each letter flipped by the bits of `seed`.
fn recase(text: &str, seed: u64) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            if seed >> (i % 64) & 1 == 1 {
                c.to_uppercase().collect::<String>()
            } else {
                c.to_lowercase().collect::<String>()
            }
        })
        .collect()
}
