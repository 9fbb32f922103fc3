#!/usr/bin/env bash
# Update the locks requirements/run.txt and requirements/test.txt from pyproject.toml's
# dependencies, every file hashed, for any platform with Python 3.11+. Pinned versions stay
# as they are unless asked to move (a dependency added or a bound changed is resolved):
#   scripts/lock.sh                              # after editing pyproject.toml's dependencies
#   scripts/lock.sh --upgrade-package fastapi    # move one package to its newest release
#   scripts/lock.sh --upgrade                    # move everything
# Then ./test.sh installs the new lock (scripts/setup.sh) and tells whether it still passes.
set -euo pipefail
cd "$(dirname "$0")/.."
tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools"
"$tools/bin/pip" install -q --disable-pip-version-check uv==0.13.9 >/dev/null 2>&1
export UV_CUSTOM_COMPILE_COMMAND="scripts/lock.sh"
for extra in run test; do
  args=(); [ "$extra" = test ] && args=(--extra test)
  "$tools/bin/uv" pip compile pyproject.toml "${args[@]}" --universal --python-version 3.11 \
    --generate-hashes --quiet "$@" -o "requirements/$extra.txt"
done
echo "lock: requirements/run.txt and requirements/test.txt updated; run ./test.sh"
