#!/usr/bin/env bash
# Proves that several `rapport serve` processes can share one PostgreSQL
# database (issue 21): two instances behind Caddy (a real reverse proxy that
# writes X-Forwarded-For), delivering to a real SMTP server (aiosmtpd). The
# proofs themselves are in scale_out.py; this finds the tools.
#
#   RAPPORT_BIN=target/debug/rapport RAPPORT_TEST_DATABASE_URL=postgres://… tests-support/scale-out.sh
#
# Needs: the rapport binary, caddy (Debian's), psql, and the aiosmtpd venv
# that tests-support/setup-smtp.sh installs. Under CI=true a missing tool
# fails the run; otherwise the test says what is missing and is skipped.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
export RAPPORT_BIN=${RAPPORT_BIN:-$ROOT/target/debug/rapport}
export RAPPORT_MIGRATIONS_DIR=$ROOT/crates/store/migrations/postgres
PY=${RAPPORT_TEST_SMTP_PYTHON:-$ROOT/.ci/cache/smtp-venv/bin/python}

missing=()
[ -x "$RAPPORT_BIN" ] || missing+=("the rapport binary at $RAPPORT_BIN (cargo build --bin rapport)")
command -v caddy >/dev/null 2>&1 || missing+=("caddy (apt-get install caddy)")
command -v psql >/dev/null 2>&1 || missing+=("psql (apt-get install postgresql-client)")
{ [ -x "$PY" ] && "$PY" -c 'import aiosmtpd.controller' 2>/dev/null; } \
  || missing+=("aiosmtpd at $PY (tests-support/setup-smtp.sh)")
[ -n "${RAPPORT_TEST_DATABASE_URL:-}" ] || missing+=("RAPPORT_TEST_DATABASE_URL (a PostgreSQL server to create a database on)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'scale-out test: missing %s\n' "${missing[@]}" >&2
  if [ "${CI:-}" = true ]; then
    exit 1
  fi
  echo "scale-out test SKIPPED (under CI=true this fails the run)" >&2
  exit 0
fi
exec "$PY" "$HERE/scale_out.py"
