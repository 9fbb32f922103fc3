#!/usr/bin/env bash
# Set up, then run the main job on the embedded default (ledger.db, SQLite, here):
# load the seed plan (idempotently: a second run records nothing) and show it.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
seed="${RECLEDGER_SEED:-../shared/data/dhr-case-2-action-plan.txt}"
recledger import "$seed"
echo
recledger plans
echo
recledger history dhr2 overview/1
