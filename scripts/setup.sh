#!/usr/bin/env bash
# Create .venv (if missing) and install recledger's locked dependencies into it, exactly the
# versions and hashes of requirements/run.txt (or requirements/test.txt when called as
# `setup.sh test`), then recledger itself (editable, no dependencies of its own choosing).
# Skips the install when neither pyproject.toml nor the lock has changed; compiles the
# bytecode of what changed.
# The locks are made by scripts/lock.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
lock="requirements/run.txt"
[ "${1:-}" = "test" ] && lock="requirements/test.txt"
scripts/system-packages.sh icu
[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=".venv/.installed-$(cat pyproject.toml "$lock" | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  if ! { .venv/bin/python -m pip install --disable-pip-version-check --require-hashes \
           -r "$lock" &&
         .venv/bin/python -m pip install --disable-pip-version-check --no-deps -e .; } \
      >.venv/install.log 2>&1; then
    cat .venv/install.log >&2
    echo "setup: installing recledger from $lock failed (log above)" >&2
    exit 1
  fi
  rm -f .venv/.installed-*
  touch "$stamp"
fi
# recledger's own bytecode, written now: where PYTHONDONTWRITEBYTECODE is set, no command
# would write it, and every one would compile the modules it loads (about 80 ms a command).
# Only what changed is compiled again; a stale file is never read (Python checks the source).
.venv/bin/python -m compileall -q -j 0 domain projections service adapters >/dev/null
