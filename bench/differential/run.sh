#!/usr/bin/env bash
# Runs every bench/differential/*.py with the bench venv; fails on any disagreement.
# RAPPORT_BIN selects the binary (default target/debug/rapport).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="$root/bench/.venv/bin/python"
if [ ! -x "$py" ]; then
  "$root/bench/setup.sh"
fi
export RAPPORT_BIN="${RAPPORT_BIN:-$root/target/debug/rapport}"
status=0
for script in "$here"/*.py; do
  echo "== $(basename "$script")"
  if ! "$py" "$script"; then
    status=1
  fi
done
exit $status
