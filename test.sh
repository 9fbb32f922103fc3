#!/usr/bin/env bash
# Set up, lint, type-check, and run every test. PostgreSQL tests skip when no server is reachable,
# and the browser tests when Chromium cannot be installed, each with its reason in the summary,
# unless RECLEDGER_REQUIRE_POSTGRES=1 / RECLEDGER_REQUIRE_BROWSER=1 (as in CI), which turn the
# skip into a failure. The tests run in one worker per core (pytest-xdist; each test has its
# own files, PostgreSQL schema, roles and ports); RECLEDGER_TEST_WORKERS=0 runs them in this
# process alone.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh test
scripts/system-packages.sh browser   # as root, installs Chromium; else the browser tests skip, saying why
export PATH="$PWD/.venv/bin:$PATH"
ruff check .
ruff format --check .
mypy
pytest -q -n "${RECLEDGER_TEST_WORKERS:-auto}" --dist worksteal "$@"
