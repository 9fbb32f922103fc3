#!/usr/bin/env bash
# Create .venv (if missing) and install recledger into it, with the test tools when asked.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv >/dev/null 2>&1 || true
[ -x .venv/bin/pip ] || { echo "setup: could not create .venv (is python3-venv installed?)" >&2; exit 1; }
extras=""
[ "${1:-}" = "test" ] && extras="[test]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras}"
