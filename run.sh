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
echo "The plan as at the Feb 2014 update:"
recledger status dhr2 --as-at 2014-02
echo
echo "Overdue as at 1 March 2014:"
recledger overdue dhr2 --as-at 2014-03-01
echo
echo "The log, verified (every event's hash recomputed and compared with its seal):"
recledger verify
