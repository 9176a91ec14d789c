#!/usr/bin/env bash
# Installs the SMTP server that crates/app/tests/smtp.rs delivers to:
# aiosmtpd from PyPI, pinned in requirements.txt, into .ci/cache/smtp-venv
# (ignored, never committed). Does nothing when that venv already holds
# exactly these requirements. The test finds the interpreter at
# .ci/cache/smtp-venv/bin/python, or wherever RAPPORT_TEST_SMTP_PYTHON says.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
VENV=${RAPPORT_SMTP_VENV:-$ROOT/.ci/cache/smtp-venv}
REQ=$HERE/requirements.txt
STAMP=$VENV/.requirements.sha256
want=$(sha256sum "$REQ" | cut -d' ' -f1)

if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ] \
  && "$VENV/bin/python" -c 'import aiosmtpd.handlers' 2>/dev/null; then
  echo "aiosmtpd is ready in $VENV"
  exit 0
fi

PY=${PYTHON:-python3}
command -v "$PY" >/dev/null 2>&1 || { echo "setup-smtp.sh: $PY is not installed" >&2; exit 1; }
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$REQ"
"$VENV/bin/python" -c 'import aiosmtpd, aiosmtpd.handlers; print("aiosmtpd", aiosmtpd.__version__, "installed in '"$VENV"'")'
echo "$want" > "$STAMP"
