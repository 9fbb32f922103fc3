"""The directory through the CLI (in this process: tests/e2e/in_process.py): `recledger agency
add`, `agency alias` and `agency list`; an import that names the closest agencies for a
name the directory does not know; the counts per agency after an alias."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.in_process import InProcessShell

CANONICAL = "South Worcestershire Community Safety Partnership"
MISSPELT = "South Worcestershire Safety Community Partnership"


def test_a_coordinator_builds_the_directory_and_an_alias_refiles_the_counts(
    tmp_path: Path, seed_plan: Path
) -> None:
    shell = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"))
    shell("plan", "open", "other", "--title", "Another plan")
    assert "no agencies yet" in shell("agency", "list").stdout
    added = shell("agency", "add", CANONICAL, "--slug", "swcsp")
    assert added.stdout.strip() == f"agency swcsp: {CANONICAL} (local)"
    shell("agency", "add", "Home Office", "--kind", "national", "--alias", "The Home Office")
    imported = shell("import", str(seed_plan))
    assert f"agency {MISSPELT!r} is not in the directory (closest: {CANONICAL} (swcsp)" in (
        imported.stdout + imported.stderr
    )
    shell("agency", "alias", "swcsp", MISSPELT)
    listed = json.loads(shell("agency", "list", "--json").stdout)
    assert listed == [
        {"slug": "home-office", "name": "Home Office", "kind": "national",
         "aliases": ["The Home Office"]},
        {"slug": "swcsp", "name": CANONICAL, "kind": "local", "aliases": [MISSPELT]},
    ]  # fmt: skip
    text = shell("agency", "list").stdout.splitlines()
    assert text[1] == f"swcsp\tlocal\t{CANONICAL}\t(also: {MISSPELT})"
    counts = {r["agency"]: r["open"] for r in json.loads(shell("agencies", "--json").stdout)}
    assert counts[CANONICAL] == 3 and MISSPELT not in counts
    refused = shell("agency", "alias", "swcsp", MISSPELT.upper(), ok=False)
    assert refused.returncode == 1 and "already known as" in refused.stderr
    usage = shell("agency", "add", "X", "--kind", "regional", ok=False)
    assert usage.returncode == 2 and "--kind" in usage.stderr
