#!/usr/bin/env bash
# Set up, lint, type-check, and run every test. PostgreSQL tests skip when no server is reachable,
# unless RECLEDGER_REQUIRE_POSTGRES=1 (as in CI), which turns the skip into a failure.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh test
export PATH="$PWD/.venv/bin:$PATH"
ruff check .
mypy
pytest -q "$@"
