#!/usr/bin/env bash
# Set up, then run the main job on the embedded default (ledger.db, SQLite, here): load the
# seed plan (idempotently: a second run records nothing), make a coordinator token on the
# first run, and serve the API and the pages until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
seed="${RECLEDGER_SEED:-../shared/data/dhr-case-2-action-plan.txt}"
port="${RECLEDGER_PORT:-8000}"
token_file="recledger-coordinator.token"   # this machine's copy, so later runs can show it
recledger import "$seed"
echo
recledger plans
recledger verify
if ! { [ -s "$token_file" ] && recledger --token "$(cat "$token_file")" head >/dev/null 2>&1; }; then
  # first run (or the ledger was replaced): a token name is never reused, so a new one
  umask 077
  recledger token add coordinator --role coordinator 2>/dev/null | tail -n 1 >"$token_file" ||
    recledger token add "coordinator-$(date +%s)" --role coordinator | tail -n 1 >"$token_file"
  umask 022
fi
echo
echo "Open http://127.0.0.1:$port/ and sign in with the coordinator's token:"
echo
echo "    $(cat "$token_file")"
echo
echo "API: http://127.0.0.1:$port/docs   (curl -H \"Authorization: Bearer \$TOKEN\" http://127.0.0.1:$port/api/plans)"
exec recledger serve --port "$port"
