#!/usr/bin/env bash
# Create .venv (if missing) and install recledger into it (editable), with the test tools
# when called as `setup.sh test`. Skips the install when pyproject.toml has not changed.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
extras=""
[ "${1:-}" = "test" ] && extras="[test]"
stamp=".venv/.installed${extras:+-test}-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  if ! .venv/bin/python -m pip install --disable-pip-version-check -e ".${extras}" \
      >.venv/install.log 2>&1; then
    cat .venv/install.log >&2
    echo "setup: installing recledger failed (log above)" >&2
    exit 1
  fi
  touch "$stamp"
fi
