#!/usr/bin/env bash
# Browser journeys: headless Chromium (Debian's /usr/bin/chromium) driven by
# playwright-core, with an axe-core check of every page visited. Each journey
# file starts its own `rapport serve` on a free port with a temporary data
# folder. Builds nothing: RAPPORT_BIN names the binary (default
# target/debug/rapport at the workspace root).
#
# Under CI=true a missing Chromium or binary fails; elsewhere the journeys
# are skipped with a message saying why.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BIN=${RAPPORT_BIN:-$ROOT/target/debug/rapport}
case "$BIN" in /*) ;; *) BIN="$(pwd)/$BIN" ;; esac
export RAPPORT_BIN="$BIN"
CHROMIUM=${RAPPORT_CHROMIUM:-/usr/bin/chromium}
cd "$HERE"

missing=()
[ -x "$CHROMIUM" ] || missing+=("Chromium is not at $CHROMIUM (apt-get install chromium)")
[ -x "$RAPPORT_BIN" ] || missing+=("the rapport binary is not at $RAPPORT_BIN (cargo build -p rapport-cli, or set RAPPORT_BIN)")
command -v node >/dev/null 2>&1 || missing+=("node is not installed")
if [ ${#missing[@]} -gt 0 ]; then
  if [ "${CI:-}" = "true" ]; then
    printf 'browser journeys cannot run under CI=true: %s\n' "${missing[@]}" >&2
    exit 1
  fi
  printf 'SKIP browser journeys: %s\n' "${missing[@]}"
  exit 0
fi

start=$(date +%s)
# Test-only tools from npm, into the ignored node_modules, exactly as locked.
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --prefer-offline --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi
echo "npm: $(( $(date +%s) - start ))s"

node --test --test-concurrency="${JOURNEY_CONCURRENCY:-1}" journeys/*.test.js
echo "browser journeys: $(( $(date +%s) - start ))s in all"
