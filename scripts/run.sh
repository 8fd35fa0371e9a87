#!/usr/bin/env bash
# Builds and starts the whole product: the web app and the API on http://127.0.0.1:8080,
# SQLite in ./data, demo data on first start (credentials printed once).
# Installs the tools it needs first (idempotent). Extra arguments go to `cptn`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-web.sh
exec cargo run --release --locked -p api --bin cptn -- "${@:-serve}"
