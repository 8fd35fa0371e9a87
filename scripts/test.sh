#!/usr/bin/env bash
# Runs every test: unit tests, the integration suite against the real server, and the
# browser test in headless Chromium. SQLite by default; PostgreSQL when TEST_DATABASE_URL
# is set (e.g. postgres://postgres:postgres@127.0.0.1:5432/postgres; each test creates and
# drops its own database there), which also compiles in the PostgreSQL-only tests (the
# `postgres` feature of the tests crate). Installs what it needs first (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser --redis
bash scripts/build-web.sh
features=()
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "[test] database: PostgreSQL (with the PostgreSQL-only tests)" >&2
  features=(--features tests/postgres)
else
  echo "[test] database: SQLite (the PostgreSQL-only tests run in the PostgreSQL run)" >&2
fi
cargo test --locked --workspace --exclude frontend "${features[@]}"
