"""`recledger search` (in this process: tests/e2e/in_process.py) on the seed plan: the words
found marked, JSON and CSV, filters, as at a day, and a query of no words refused in one
line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.e2e.in_process import InProcessShell


def test_search_prints_marks_and_filters_the_seed_plan(tmp_path: Path, seed_plan: Path) -> None:
    shell = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"))
    shell("import", str(seed_plan))
    text = shell("search", "harm assessment", "--limit", "2").stdout.splitlines()
    assert text[0].startswith("dhr2  imr/west-mercia-police/")
    assert "«Harm» «Assessment»" in text[1]
    hits = json.loads(shell("search", "marac", "--kind", "sub_action", "--json").stdout)
    assert hits and {h["kind"] for h in hits} == {"sub_action"}
    rows = list(csv.DictReader(io.StringIO(shell("search", "marac", "--csv").stdout)))
    assert {row["ref"] for row in rows} >= {h["ref"] for h in hits}
    early = shell("search", "marac", "--as-at", "2012-12-31").stdout
    assert early.strip() == "nothing found for 'marac' as at (effective) 2012-12-31"
    refused = shell("search", "***", ok=False)
    assert refused.returncode == 1 and refused.stderr.strip() == (
        "recledger: nothing to search for in '***': give a word"
    )
