#!/usr/bin/env bash
# Runs every test: unit tests, the integration suite against the real server, and the
# browser test in headless Chromium. SQLite by default; PostgreSQL when TEST_DATABASE_URL
# is set (e.g. postgres://postgres:postgres@127.0.0.1:5432/postgres; each test creates and
# drops its own database there). Installs what it needs first (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
bash scripts/build-web.sh
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "[test] database: PostgreSQL" >&2
else
  echo "[test] database: SQLite" >&2
fi
cargo test --locked --workspace --exclude frontend
