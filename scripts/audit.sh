#!/usr/bin/env bash
# Audit the locked set (requirements/test.txt, which holds requirements/run.txt) for known
# vulnerabilities with pip-audit, against PyPI's advisory data. Fails on any vulnerability
# found; a package the service could not answer for is listed as NOT AUDITED, never passed
# over in silence.
set -euo pipefail
cd "$(dirname "$0")/.."
tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools"
"$tools/bin/pip" install -q --disable-pip-version-check pip-audit==2.10.1 >/dev/null 2>&1
"$tools/bin/pip-audit" --disable-pip --require-hashes -r requirements/test.txt \
  --format json -o "$tools/audit.json" --progress-spinner off 2>"$tools/audit.log" ||
  [ -s "$tools/audit.json" ] || { cat "$tools/audit.log" >&2; exit 1; }
"$tools/bin/python" - "$tools/audit.json" <<'PY'
import json
import sys

found = json.load(open(sys.argv[1]))["dependencies"]
vulnerable = [d for d in found if d.get("vulns")]
unaudited = [d for d in found if "skip_reason" in d]
for d in vulnerable:
    for v in d["vulns"]:
        fixed = ", ".join(v["fix_versions"]) or "no fixed release"
        print(f"VULNERABLE {d['name']} {d['version']}: {v['id']} (fixed in {fixed})")
if unaudited:
    print(f"NOT AUDITED ({len(unaudited)} of {len(found)}): {unaudited[0]['skip_reason']}")
    print("  ...: " + ", ".join(d["name"] for d in unaudited))
audited = len(found) - len(unaudited)
print(f"audit: {audited} of {len(found)} locked packages audited, {len(vulnerable)} vulnerable")
sys.exit(1 if vulnerable else 0)
PY
