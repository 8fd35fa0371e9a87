#!/usr/bin/env bash
# Builds the web app into dist/ with the pinned tools, offline (no downloads beyond the
# package registries). Installs missing tools first (scripts/setup.sh). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:${CPTN_TOOLS_DIR:-$HOME/.cache/cptn-tools}/node_modules/.bin:$PATH"

locked="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
pinned="$(awk -F'"' '/^wasm_bindgen/ { print $2 }' Trunk.toml)"
if [ "$locked" != "$pinned" ]; then
  echo "Trunk.toml pins wasm-bindgen $pinned but Cargo.lock has $locked: update [tools] in Trunk.toml." >&2
  exit 1
fi

# Trunk runs cargo with --offline; fetch the crates first (a no-op when they are there).
cargo fetch --target wasm32-unknown-unknown --locked >/dev/null
trunk build --release --offline --locked
# GraphiQL's page is in the binary; React, ReactDOM and GraphiQL are served from here.
modules="${CPTN_TOOLS_DIR:-$HOME/.cache/cptn-tools}/node_modules"
mkdir -p dist/graphiql
cp "$modules/react/umd/react.production.min.js" "$modules/react-dom/umd/react-dom.production.min.js" \
  "$modules/graphiql/graphiql.min.js" "$modules/graphiql/graphiql.min.css" dist/graphiql/
echo "web app built into dist/" >&2
