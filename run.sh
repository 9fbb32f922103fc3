#!/usr/bin/env bash
# Set up, then run the main job on the embedded default: ledger.db (SQLite) here.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
recledger plans
