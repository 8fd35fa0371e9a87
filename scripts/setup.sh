#!/usr/bin/env bash
# Installs every tool the project needs, skipping what is already there. Idempotent.
#
#   scripts/setup.sh            tools for building the web app (wasm32 target, trunk,
#                               wasm-bindgen-cli, wasm-opt) and GraphiQL's files
#   scripts/setup.sh --browser  also Chromium and ChromeDriver (browser tests)
#   scripts/setup.sh --postgres also PostgreSQL 15 (started on 127.0.0.1:5432)
#   scripts/setup.sh --redis    also redis-server (the shared rate-limit tests start it)
#
# Versions are pinned: Trunk 0.21.14 is the last line that builds on Rust 1.95, and
# wasm-bindgen-cli must equal the wasm-bindgen version in Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0
# GraphiQL is served from our origin (no CDN): its UMD build and React 18's.
GRAPHIQL_VERSION=3.8.3
REACT_VERSION=18.3.1
TOOLS_DIR="${CPTN_TOOLS_DIR:-$HOME/.cache/cptn-tools}"
export PATH="$HOME/.cargo/bin:$TOOLS_DIR/node_modules/.bin:$PATH"

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $apt_updated -eq 0 ]; then
    log "apt-get update"
    sudo_if_needed apt-get update -qq
    apt_updated=1
  fi
  log "installing ${missing[*]}"
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

install_web_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi

  if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
    log "installing trunk $TRUNK_VERSION (takes 10-20 minutes on 2 cores, once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi

  local wbg
  wbg="$(wasm_bindgen_version)"
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$wbg"; then
    # `--locked` fails here: its lock file wants a webpki-roots the registry lacks.
    log "installing wasm-bindgen-cli $wbg (about 4 minutes, once)"
    cargo install wasm-bindgen-cli --version "=$wbg"
  fi

  # Debian's binaryen (108) emits modules that fail in the browser; npm's works.
  if ! wasm-opt --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
    log "installing binaryen $BINARYEN_VERSION from npm"
    mkdir -p "$TOOLS_DIR"
    npm install --silent --prefix "$TOOLS_DIR" "binaryen@$BINARYEN_VERSION" >/dev/null
  fi

  if ! grep -qs "\"version\": \"$GRAPHIQL_VERSION\"" "$TOOLS_DIR/node_modules/graphiql/package.json" ||
    ! grep -qs "\"version\": \"$REACT_VERSION\"" "$TOOLS_DIR/node_modules/react-dom/package.json"; then
    log "installing graphiql $GRAPHIQL_VERSION and react $REACT_VERSION from npm"
    mkdir -p "$TOOLS_DIR"
    npm install --silent --prefix "$TOOLS_DIR" "graphiql@$GRAPHIQL_VERSION" "react@$REACT_VERSION" \
      "react-dom@$REACT_VERSION" >/dev/null
  fi
}

install_browser() {
  apt_install chromium chromium-driver
}

install_postgres() {
  apt_install postgresql
  if ! pg_lsclusters -h 2>/dev/null | awk '$1 == "15" && $2 == "main" && $4 == "online"' | grep -q .; then
    log "starting PostgreSQL 15"
    sudo_if_needed pg_ctlcluster 15 main start
  fi
  # The test harness logs in with a password over TCP (scram-sha-256 in Debian's pg_hba).
  sudo_if_needed su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
}

install_redis() {
  # The tests start their own redis-server on a free port; the package's service is not used.
  apt_install redis-server
}

install_web_tools
for arg in "$@"; do
  case "$arg" in
    --browser) install_browser ;;
    --postgres) install_postgres ;;
    --redis) install_redis ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done
