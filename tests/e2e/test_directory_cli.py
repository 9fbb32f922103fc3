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


def test_people_link_the_leads_and_a_token_for_a_person_acts_as_them(
    tmp_path: Path, seed_plan: Path
) -> None:
    shell = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"))
    shell("import", str(seed_plan))
    before = [r["lead"] for r in json.loads(shell("leads", "--unlinked", "--json").stdout)]
    assert "Det Supt HQ PVP" in before and "(none)" not in before
    shell("agency", "add", "West Mercia Police")
    added = shell("person", "add", "Jane Smith", "--email", "Jane@WMP.police.uk", "--post",
                  "Det Supt HQ PVP", "--agency", "west-mercia-police")  # fmt: skip
    assert added.stdout.strip() == "jane@wmp.police.uk: Jane Smith, Det Supt HQ PVP"
    shell("person", "alias", "jane@wmp.police.uk", "Det Supt HQ PVP")
    shell("person", "reminders", "jane@wmp.police.uk", "--off")
    after = [r["lead"] for r in json.loads(shell("leads", "--unlinked", "--json").stdout)]
    assert after == [lead for lead in before if lead != "Det Supt HQ PVP"]
    [jane] = json.loads(shell("person", "list", "--json").stdout)
    assert (jane["agency"], jane["reminders"], jane["aliases"]) == (
        "west-mercia-police",
        False,
        ["Det Supt HQ PVP"],
    )
    token = shell("token", "add", "--person", "jane@wmp.police.uk").stdout.splitlines()[-1]
    shell("--token", token, "update", "dhr2", "imr/west-mercia-police/2", "--effective",
          "Mar 2014", "--text", "Policy reissued")  # fmt: skip
    history = json.loads(shell("history", "dhr2", "imr/west-mercia-police/2", "--json").stdout)
    assert history[-1]["actor"] == "Jane Smith"
    [listed] = json.loads(shell("token", "list", "--json").stdout)
    assert (listed["name"], listed["person"]) == ("Jane Smith", "jane@wmp.police.uk")
    refused = shell("person", "add", "X", "--email", "nowhere", ok=False)
    assert refused.returncode == 1 and "--email" in refused.stderr
    usage = shell("leads", "--unlinked", "--as-at", "2014-01-01", ok=False)
    assert usage.returncode == 2
