//! Invariants of the code's shape that hold only if something checks them.

use anyhow::Result;
use std::path::Path;
use tests::harness::workspace_root;

/// Every `.rs` file under `dir`, with its path relative to `api/src`.
fn sources(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            sources(&path, root, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(root)?.display().to_string();
            out.push((relative, std::fs::read_to_string(&path)?));
        }
    }
    Ok(())
}

#[test]
fn only_authz_compares_roles() -> Result<()> {
    // Who may do what is decided in one place (`authz::require` and the guard adapter that
    // calls it); a role compared anywhere else is a second rule that can drift.
    let root = workspace_root().join("api/src");
    let mut files = Vec::new();
    sources(&root, &root, &mut files)?;
    let mut found = Vec::new();
    for (path, text) in &files {
        if path.starts_with("authz") {
            continue;
        }
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            let compares = code.contains("is_staff(")
                || code.contains("role ==")
                || code.contains("role !=")
                || code.contains("== Role::")
                || code.contains("!= Role::")
                || (code.contains("match") && code.contains(".role"))
                || (code.contains("matches!") && code.contains("Role::"));
            if compares {
                found.push(format!("{path}:{}: {}", number + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "roles compared outside authz: {found:#?}");
    Ok(())
}

#[test]
fn every_service_write_goes_through_an_audited_write() -> Result<()> {
    // A write transaction is opened by `AuditedWrite::begin`, which can only commit
    // together with its audit row; `db::begin_write` is for `db` and the audit helper, and
    // for the benchmark's sample generator, which writes no personal data of anyone real.
    let root = workspace_root().join("api/src");
    let mut files = Vec::new();
    sources(&root.join("services"), &root, &mut files)?;
    let allowed = ["services/audit.rs", "services/sample_directory.rs"];
    let found: Vec<String> = files
        .iter()
        .filter(|(path, _)| !allowed.contains(&path.as_str()))
        .flat_map(|(path, text)| {
            text.lines()
                .enumerate()
                .filter(|(_, line)| line.contains("begin_write(") || line.contains(".begin()"))
                .map(move |(n, line)| format!("{path}:{}: {}", n + 1, line.trim()))
        })
        .collect();
    assert!(found.is_empty(), "write transactions without an audit row: {found:#?}");
    Ok(())
}
