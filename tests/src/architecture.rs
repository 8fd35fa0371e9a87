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
fn only_the_payment_gateway_speaks_to_stripe() -> Result<()> {
    // One door to the payment provider: what Stripe is told (amounts and the order id,
    // never a buyer's name or address) is decided in one file.
    let root = workspace_root().join("api/src");
    let mut files = Vec::new();
    sources(&root, &root, &mut files)?;
    let found: Vec<String> = files
        .iter()
        .filter(|(path, _)| path != "services/payments/gateway.rs")
        .flat_map(|(path, text)| {
            code_lines(text)
                .filter(|(_, code)| {
                    ["stripe::", "stripe_checkout", "stripe_core", "stripe_types"]
                        .iter()
                        .any(|c| code.contains(c))
                })
                .map(move |(n, code)| format!("{path}:{n}: {}", code.trim()))
        })
        .collect();
    assert!(found.is_empty(), "Stripe's client used outside the gateway: {found:#?}");
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

/// The lines of `text` that are code (comments and doc comments left out).
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(n, line)| (n + 1, line.split("//").next().unwrap_or_default()))
        .filter(|(_, code)| !code.trim().is_empty())
}

#[test]
fn layers_depend_only_downward() -> Result<()> {
    // `http -> schema -> services -> db -> entity`, with `auth` and `authz` beside them.
    // Each rule: the folder, what its code may not name, and why.
    let rules: [(&str, &[&str], &str); 5] = [
        (
            "schema/",
            &["crate::db", "crate::http", "actix"],
            "resolvers reach data through services",
        ),
        (
            "services/",
            &["async_graphql", "actix", "crate::schema", "crate::http"],
            "rules know nothing of the transport",
        ),
        (
            "db/",
            &[
                "async_graphql",
                "actix",
                "crate::schema",
                "crate::http",
                "crate::services",
            ],
            "queries know no caller",
        ),
        (
            "authz/",
            &["async_graphql", "actix", "crate::schema", "crate::db", "crate::http"],
            "decisions are plain functions",
        ),
        (
            "auth/",
            &["async_graphql", "actix", "crate::schema", "crate::http"],
            "authentication serves every transport",
        ),
    ];
    let root = workspace_root().join("api/src");
    let mut files = Vec::new();
    sources(&root, &root, &mut files)?;
    let mut found = Vec::new();
    for (folder, forbidden, why) in rules {
        for (path, text) in files.iter().filter(|(path, _)| path.starts_with(folder)) {
            for (number, code) in code_lines(text) {
                for name in forbidden.iter().filter(|name| code.contains(**name)) {
                    found.push(format!("{path}:{number} names {name} ({why})"));
                }
            }
        }
    }
    assert!(found.is_empty(), "layer rules broken: {found:#?}");
    Ok(())
}

#[test]
fn hand_written_statements_number_placeholders_through_params() -> Result<()> {
    // `$1` on PostgreSQL, `?1` on SQLite: `db::Params` numbers them for the engine, so no
    // statement can run with the other engine's placeholders.
    let root = workspace_root().join("api/src");
    let mut files = Vec::new();
    sources(&root.join("db"), &root, &mut files)?;
    let mut found = Vec::new();
    for (path, text) in files.iter().filter(|(path, _)| path != "db/mod.rs") {
        for (number, code) in code_lines(text) {
            let bytes = code.as_bytes();
            let numbered = bytes
                .windows(2)
                .any(|w| (w[0] == b'$' || w[0] == b'?') && w[1].is_ascii_digit());
            let bare = [" = ?", "(?", ", ?,", ", ?)", "MATCH ?"]
                .iter()
                .any(|p| code.contains(p));
            if numbered || bare {
                found.push(format!("{path}:{number}: {}", code.trim()));
            }
        }
    }
    assert!(found.is_empty(), "placeholders written by hand: {found:#?}");
    Ok(())
}

#[test]
fn the_web_app_depends_on_no_server_crate() -> Result<()> {
    // The WASM app shares only `shared` (without its `server` feature) with the server:
    // nothing that opens sockets, threads or databases may reach its dependency graph.
    // `cargo tree` resolves features for the web app alone, as its build does.
    let output = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
        .current_dir(workspace_root())
        .args([
            "tree",
            "--offline",
            "-p",
            "frontend",
            "--target",
            "wasm32-unknown-unknown",
            "-e",
            "normal",
            "--prefix",
            "none",
            "-f",
            "{p} [{f}]",
        ])
        .output()?;
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let tree = String::from_utf8(output.stdout)?;
    let crates: std::collections::BTreeMap<&str, &str> = tree
        .lines()
        .filter_map(|line| {
            let (name, rest) = line.split_once(' ')?;
            let features = rest.split_once('[')?.1.split(']').next()?;
            Some((name, features))
        })
        .collect();
    assert!(
        crates.contains_key("leptos"),
        "the tree lists the web app's graph: {tree}"
    );
    let shared_features = crates.get("shared").copied().unwrap_or_default();
    assert!(
        !shared_features.split(',').any(|f| f == "server"),
        "the web app builds `shared` with its server feature"
    );
    let server_only = [
        "api",
        "entity",
        "migration",
        "sea-orm",
        "sqlx",
        "actix-web",
        "tokio",
        "mio",
        "ring",
        "argon2",
    ];
    let reached: Vec<&&str> = server_only.iter().filter(|name| crates.contains_key(**name)).collect();
    assert!(reached.is_empty(), "the web app depends on server crates: {reached:?}");
    Ok(())
}

#[test]
fn every_service_entry_point_opens_a_tracing_span() -> Result<()> {
    // A log line from deep inside a service names the operation it belongs to; the span
    // records no argument (`skip_all`): arguments carry passwords and personal data.
    let root = workspace_root().join("api/src");
    let mut files = Vec::new();
    for domain in std::fs::read_dir(root.join("services"))? {
        let path = domain?.path();
        if path.is_dir() && !path.ends_with("infra") {
            sources(&path, &root, &mut files)?;
        }
    }
    assert!(files.len() > 5, "the domains' files were found: {}", files.len());
    let mut found = Vec::new();
    for (path, text) in &files {
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.starts_with("pub async fn") {
                let above = i.checked_sub(1).map(|j| lines[j]).unwrap_or_default();
                if !above.starts_with("#[tracing::instrument(skip_all") {
                    found.push(format!("{path}:{}: {line}", i + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "service entry points without a span: {found:#?}");
    Ok(())
}
