#!/usr/bin/env bash
# Installs what building (and, with `test`, testing) Impersonate needs, and skips what is there.
#
#   scripts/setup.sh run    what `make run` needs: the Rust target, cargo-leptos, wasm-bindgen, wasm-opt
#   scripts/setup.sh test   all of that, plus cargo-nextest, Chromium, PostgreSQL (a running cluster and a role) and
#                           the browser tests' npm packages
#   scripts/setup.sh bench  all of that, plus the load tool `make bench` runs (Debian's wrk) and
#                           valgrind (its instruction counts)
#
# Why a script and not a README paragraph: CI and new laptops start from nothing, and a missing
# tool shows up as an obscure cargo-leptos error much later. Every step checks first, so a second
# run takes a second. Versions are pinned here and nowhere else; the README's "Pinned tools"
# section says why these exact ones.
set -euo pipefail

mode="${1:-test}"
case "$mode" in
  run | test | bench) ;;
  *) echo "usage: scripts/setup.sh [run|test|bench]" >&2; exit 2 ;;
esac

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate pinned in Cargo.toml
CARGO_NEXTEST_VERSION=0.9.151

root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/tools"
step() { printf '\n==> %s\n' "$*"; }
ok() { printf '    ok: %s\n' "$*"; }

# npm's own record of an install is newer than the lock file it installed from.
npm_fresh() {
  [ -f "$1/node_modules/.package-lock.json" ] && [ "$1/node_modules/.package-lock.json" -nt "$1/package-lock.json" ]
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs Debian packages, saying so first.
apt_install() {
  echo "    installing Debian's $* with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

# A cargo subcommand (`cargo leptos`, `cargo nextest`) at its pinned version: installed from
# crates.io with --locked when missing or another version. Their `--version` starts with
# "<crate> <version>".
cargo_subcommand() { # crate version how-long-it-takes
  local crate="$1" version="$2" found
  found="$(cargo "${crate#cargo-}" --version 2>/dev/null | head -n1)" || true
  if [ "${found%% *}" = "$crate" ] && [ "$(echo "$found" | cut -d' ' -f2)" = "$version" ]; then
    ok "$found"
  else
    echo "    installing; this takes $3"
    cargo install "$crate" --version "$version" --locked
  fi
}

step "What the machine must already have"
# Not installable from the registries this machine reaches: rustup's Rust (Debian's is 1.63) and
# Node 20 or later (Playwright's lower bound; Debian 12's own nodejs is 18). Said plainly here
# rather than as a confusing failure half an hour in.
need() { echo "    missing: $1" >&2; missing=yes; }
missing=no
command -v rustup >/dev/null 2>&1 && command -v cargo >/dev/null 2>&1 || need "rustup and cargo (Rust 1.95 or later, https://rustup.rs)"
# `|| true`: with no node at all the pipeline fails, and set -e would end the script unexplained.
node_major="$(node --version 2>/dev/null | sed -n 's/^v\([0-9]*\)\..*/\1/p')" || true
{ [ -n "$node_major" ] && [ "$node_major" -ge 20 ] && command -v npm >/dev/null 2>&1; } || need "Node.js 20 or later with npm (found: $(node --version 2>/dev/null || echo none))"
[ "$missing" = no ] || { echo "    install these, then run this again" >&2; exit 1; }
ok "$(cargo --version), node $(node --version)"
# From Debian when missing: a C compiler (the bundled SQLite, mimalloc), python3 (the bench
# report's tests), curl (the bench's logins).
debian=()
command -v cc >/dev/null 2>&1 || debian+=(build-essential)
command -v python3 >/dev/null 2>&1 || debian+=(python3)
command -v curl >/dev/null 2>&1 || debian+=(curl)
if [ "${#debian[@]}" -gt 0 ]; then apt_install "${debian[@]}"; else ok "cc, python3, curl"; fi

step "Disk space for the builds"
# A cold `make test` leaves ~5.3 GB under target/ (debug 3.5, server release 1.1, WASM 0.6).
# Running out half-way shows up as a cargo-leptos panic, so say it plainly before building.
need_kb=$((6 * 1024 * 1024))
have_kb=$(df -Pk "$root" | awk 'NR == 2 { print $4 }')
built_kb=$( [ -d "$root/target" ] && du -sk "$root/target" | cut -f1 || echo 0)
if [ $((have_kb + built_kb)) -lt "$need_kb" ]; then
  echo "    not enough free disk: $((have_kb / 1024)) MB free next to $((built_kb / 1024)) MB already in target/;" >&2
  echo "    building and testing needs about 6 GB in all. Free some space and run again." >&2
  exit 1
fi
ok "$((have_kb / 1024)) MB free"

step "Rust target wasm32-unknown-unknown"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  ok "already installed"
else
  rustup target add wasm32-unknown-unknown
fi

step "cargo-leptos $CARGO_LEPTOS_VERSION"
cargo_subcommand cargo-leptos "$CARGO_LEPTOS_VERSION" "about 16 minutes on 2 cores (one long link at the end)"

step "wasm-bindgen CLI $WASM_BINDGEN_VERSION"
if wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  ok "$(wasm-bindgen --version)"
else
  echo "    installing; this takes about 6-8 minutes"
  # Not --locked: its lock file names a webpki-roots version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

step "wasm-opt (npm binaryen, pinned in tools/package.json)"
# By what it answers, not by file dates: without it on PATH, cargo-leptos would take another
# wasm-opt (Debian's 108 breaks hydration) or try to download one.
if npm_fresh "$tools" && "$tools/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version 132 "; then
  ok "$("$tools/node_modules/.bin/wasm-opt" --version)"
else
  (cd "$tools" && npm ci --no-audit --no-fund)
fi

if [ "$mode" = run ]; then
  step "Set-up for running complete"
  exit 0
fi

step "cargo-nextest $CARGO_NEXTEST_VERSION (runs the Rust tests, each with a time limit)"
cargo_subcommand cargo-nextest "$CARGO_NEXTEST_VERSION" "about 8 minutes on 2 cores"

step "Chromium for the browser tests"
if [ -n "${PLAYWRIGHT_CHROMIUM:-}" ] && [ -x "$PLAYWRIGHT_CHROMIUM" ]; then
  ok "using PLAYWRIGHT_CHROMIUM=$PLAYWRIGHT_CHROMIUM"
elif [ -x /usr/bin/chromium ]; then
  # The path the browser tests launch (end2end/playwright.config.ts), not just any on PATH.
  ok "$(/usr/bin/chromium --version 2>/dev/null | head -n1)"
else
  apt_install chromium
fi

step "PostgreSQL (the integration tests run once more against it)"
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  apt_install postgresql
fi
cluster="$(pg_lsclusters --no-header | head -n1)"
if [ -z "$cluster" ]; then
  version="$(ls /usr/lib/postgresql | sort -V | tail -n1)"
  as_root pg_createcluster "$version" main
  cluster="$(pg_lsclusters --no-header | head -n1)"
fi
read -r pg_version pg_name pg_port pg_status _ <<<"$cluster"
if [ "$pg_status" != online ]; then
  as_root pg_ctlcluster "$pg_version" "$pg_name" start
fi
as_root runuser -u postgres -- psql -p "$pg_port" -q -v ON_ERROR_STOP=1 -c \
  "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'impersonate') THEN
     CREATE ROLE impersonate; END IF; END \$\$;
   ALTER ROLE impersonate LOGIN CREATEDB PASSWORD 'impersonate';"
mkdir -p "$root/target" && echo "$pg_port" > "$root/target/.postgres-port"
ok "PostgreSQL $pg_version on port $pg_port, role impersonate"

step "Playwright and axe-core (npm ci in end2end/)"
if npm_fresh "$root/end2end"; then
  ok "node_modules up to date"
else
  (cd "$root/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

if [ "$mode" = bench ]; then
  step "wrk, the load tool of make bench"
  if command -v wrk >/dev/null 2>&1; then
    ok "$(wrk -v 2>&1 | head -n1)"
  else
    apt_install wrk
  fi
  step "valgrind, which counts make bench's instructions per request"
  if command -v valgrind >/dev/null 2>&1 && command -v callgrind_control >/dev/null 2>&1; then
    ok "$(valgrind --version)"
  else
    apt_install valgrind
  fi
fi

step "Set-up complete"
