#!/usr/bin/env bash
# Installs the independent iCalendar parser that crates/app/tests/ics_python.rs
# checks Rapport's .ics files with: icalendar from PyPI (with tzdata, so the
# check converts zones with its own database), pinned in requirements-ical.txt,
# into .ci/cache/ical-venv (ignored, never committed). Does nothing when that
# venv already holds exactly these requirements. The test finds the
# interpreter at .ci/cache/ical-venv/bin/python, or wherever
# RAPPORT_TEST_ICAL_PYTHON says.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
VENV=${RAPPORT_ICAL_VENV:-$ROOT/.ci/cache/ical-venv}
REQ=$HERE/requirements-ical.txt
STAMP=$VENV/.requirements.sha256
want=$(sha256sum "$REQ" | cut -d' ' -f1)

if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ] \
  && "$VENV/bin/python" -c 'import icalendar, zoneinfo; zoneinfo.ZoneInfo("Asia/Kolkata")' 2>/dev/null; then
  echo "icalendar is ready in $VENV"
  exit 0
fi

PY=${PYTHON:-python3}
command -v "$PY" >/dev/null 2>&1 || { echo "setup-ical.sh: $PY is not installed" >&2; exit 1; }
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$REQ"
"$VENV/bin/python" -c 'import icalendar; print("icalendar", icalendar.__version__, "installed in '"$VENV"'")'
echo "$want" > "$STAMP"
