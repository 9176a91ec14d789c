#!/usr/bin/env bash
# Create bench/.venv from PyPI with the pinned oracles in requirements.txt.
# Idempotent: re-running only installs what is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python="${PYTHON:-python3}"
if [ ! -x "$here/.venv/bin/python" ]; then
  "$python" -m venv "$here/.venv"
fi
"$here/.venv/bin/python" -m pip install --quiet --upgrade pip
"$here/.venv/bin/python" -m pip install --quiet -r "$here/requirements.txt"
echo "bench/.venv ready: $("$here/.venv/bin/python" --version)"
