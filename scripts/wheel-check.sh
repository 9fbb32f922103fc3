#!/usr/bin/env bash
# Build recledger's wheel and use it as an operator would, outside the checkout: a fresh
# virtualenv holding the locked run-time dependencies (requirements/run.txt) and the wheel;
# there import the seed plan, export it as HTML and XLSX, start `recledger serve`, sign in
# and fetch the pages, /docs and every asset they link to (scripts/wheel_fetch.py).
# Fails on any error: a file read at run time but left out of the wheel shows here.
set -euo pipefail
cd "$(dirname "$0")/.."
seed="$(realpath "${RECLEDGER_SEED:-../shared/data/dhr-case-2-action-plan.txt}")"
port="${RECLEDGER_WHEEL_CHECK_PORT:-8765}"
work="$(mktemp -d)"
server=""
cleanup() { [ -z "$server" ] || kill "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# The wheel is built from a copy of the files git sees (tracked and new, not ignored), so
# that nothing a checkout happens to hold (a stale build/ directory, say) slips into it.
mkdir "$work/src"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work/src"
python3 -m pip wheel -q --disable-pip-version-check --no-deps -w "$work/dist" "$work/src" \
  >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
wheel="$(ls "$work"/dist/recledger-*.whl)"
echo "wheel check: built $(basename "$wheel")"

python3 -m venv "$work/venv"
{ "$work/venv/bin/pip" install --disable-pip-version-check --require-hashes \
    -r requirements/run.txt && "$work/venv/bin/pip" install --no-deps "$wheel"; } \
  >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; exit 1; }

cp scripts/wheel_fetch.py "$work/"
cd "$work"   # from here on nothing of the checkout is on any path
export PATH="$work/venv/bin:$PATH" RECLEDGER_DB="$work/ledger.db"
recledger --version
recledger import "$seed" >/dev/null
recledger export dhr2 --format html -o plan.html
recledger export dhr2 --format xlsx -o plan.xlsx
recledger verify --report plan.html
recledger verify --report plan.xlsx
token="$(recledger token add wheel-check --role coordinator | tail -n 1)"
recledger serve --port "$port" >serve.log 2>&1 &
server=$!
for _ in $(seq 60); do
  python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/signin', timeout=1)" \
    2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat serve.log >&2; echo "wheel check: serve died" >&2; exit 1; }
  sleep 0.5
done
python wheel_fetch.py "http://127.0.0.1:$port" "$token" dhr2 ||
  { tail -n 40 serve.log >&2; exit 1; }
echo "wheel check: passed"
