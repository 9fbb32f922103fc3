"""Sub-actions as items of their own, through the CLI (in this process:
tests/e2e/in_process.py), on the imported seed plan.

The seed's overview/3 has five sub-actions; the document pairs four of them with the
targets March, April, December and November 2013 and leaves the fifth without one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.in_process import InProcessShell
from tests.e2e.shell import Shell

SEED = Path(__file__).resolve().parents[3] / "shared" / "data" / "dhr-case-2-action-plan.txt"


@pytest.fixture
def shell(tmp_path: Path) -> Shell:
    shell = InProcessShell(tmp_path)
    shell("import", str(SEED))
    return shell


def as_json(shell: Shell, *args: str) -> Any:
    return json.loads(shell(*args, "--json").stdout)


def test_the_seeds_overview_3_as_at_march_2014_has_five_actions_and_four_overdue(
    shell: Shell,
) -> None:
    three = as_json(shell, "status", "dhr2", "overview/3", "--as-at", "2014-03-01")
    actions = three["sub_actions"]
    assert [(a["ref"], a["parent"], a["status"]) for a in actions] == [
        (f"overview/3.{n}", "overview/3", "open") for n in range(1, 6)
    ]
    assert [(a["target"] and a["target"]["text"], a["days_overdue"]) for a in actions] == [
        ("March 2013", 335), ("April 2013", 305), ("December 2013", 60),
        ("November 2013", 91), (None, None),
    ]  # fmt: skip
    assert actions[1]["leads"] == ["Jonathan Leach Named General Practitioner"]
    overdue = as_json(shell, "overdue", "dhr2", "--as-at", "2014-03-01")["rows"]
    days = {item["ref"]: item["days_overdue"] for item in overdue}
    assert {ref: days[ref] for ref in days if ref.startswith("overview/3")} == {
        "overview/3": 60, "overview/3.1": 335, "overview/3.2": 305,
        "overview/3.3": 60, "overview/3.4": 91,
    }  # fmt: skip
    assert overdue[0]["ref"] == "overview/3.1"  # most overdue first
    one = as_json(shell, "status", "dhr2", "overview/3.4", "--as-at", "2014-03-01")
    assert (one["ref"], one["parent"], one["overdue"]) == ("overview/3.4", "overview/3", True)
    listing = shell("status", "dhr2", "--as-at", "2014-03-01").stdout.splitlines()
    refs = [line.split()[1] for line in listing]
    assert refs[refs.index("overview/3") : refs.index("overview/4")] == [
        "overview/3",
        *(f"overview/3.{n}" for n in range(1, 6)),
    ]  # under their recommendation, in order
    rows = shell("status", "dhr2", "--csv").stdout
    assert "dhr2,overview/3.2,overview/3," in rows


def test_every_command_works_on_a_sub_action_and_the_parent_follows_the_rule(
    shell: Shell,
) -> None:
    item = ("dhr2", "overview/3.1")
    shell("update", *item, "--text", "Item in June Newsletter", "--effective", "2013-06-30")
    shell("complete", *item, "--effective", "2013-06-30", "--evidence", "June newsletter")
    shell(
        "reassign", "dhr2", "overview/3.2", "--lead", "Ellen Footman", "--reason", "cover",
        "--effective", "2014-01-10",
    )  # fmt: skip
    shell(
        "retarget", "dhr2", "overview/3.2", "--target", "June 2014", "--reason", "NHS England",
        "--effective", "2014-01-15",
    )  # fmt: skip
    history = as_json(shell, "history", "dhr2", "overview/3.2")
    assert [e["type"] for e in history] == [  # ongoing, as the document says of overview/3
        "SubActionAdded", "StatusChanged", "LeadsReassigned", "TargetDateRevised",
    ]  # fmt: skip
    assert {e["ref"] for e in history} == {"overview/3.2"}
    reassigned = history[2]
    assert reassigned["previous"] == {"leads": ["Jonathan Leach Named General Practitioner"]}
    shell(
        "correct", "dhr2", "overview/3.2", str(reassigned["sequence"]),
        "--lead", "Ellen Footman Designated Nurse", "--reason", "full title",
    )  # fmt: skip
    wrong = shell(
        "correct", "dhr2", "overview/3.1", str(reassigned["sequence"]), "--lead", "X",
        "--reason", "r", ok=False,
    )  # fmt: skip
    assert wrong.returncode == 1 and "is about overview/3.2, not overview/3.1" in wrong.stderr

    march = as_json(shell, "status", "dhr2", "overview/3", "--as-at", "2014-03-01")
    first, second = march["sub_actions"][:2]
    assert (first["status"], first["completed"]["text"], first["overdue"]) == (
        "completed", "2013-06-30", False,
    )  # fmt: skip
    assert [u["text"] for u in first["updates"]] == ["Item in June Newsletter"]
    assert march["updates"] == []  # the update is the sub-action's, not the recommendation's
    assert (second["leads"], second["target"]["text"], second["overdue"]) == (
        ["Ellen Footman Designated Nurse"], "June 2014", False,
    )  # fmt: skip
    assert second["corrected_fields"]["leads"]["reason"] == "full title"

    for n, when in (("2", "2014-04-30"), ("3", "2014-02-28"), ("4", "2014-03-31")):
        shell("complete", "dhr2", f"overview/3.{n}", "--effective", when)
    shell("withdraw", "dhr2", "overview/3.5", "--reason", "folded into the audit")
    done = as_json(shell, "status", "dhr2", "overview/3")
    assert (done["status"], done["completed"]["text"]) == ("completed", "2014-04-30")
    early = as_json(shell, "status", "dhr2", "overview/3", "--as-at", "2014-03-31")
    assert early["status"] != "completed"  # 3.2 was not completed until 30 April
    shell("reopen", "dhr2", "overview/3.4", "--reason", "the audit missed two practices")
    assert as_json(shell, "status", "dhr2", "overview/3")["status"] == "in_progress"
    parent = shell("history", "dhr2", "overview/3").stdout
    assert "Reopened on overview/3.4" in parent and "Completed on overview/3.1" in parent
    missing = shell("update", "dhr2", "overview/3.9", "--text", "x", "--effective", "2014-01-01",
                    ok=False)  # fmt: skip
    assert missing.stderr == (
        "recledger: plan 'dhr2' has no recommendation overview/3.9, and overview/3 has no "
        "sub-action 9\n"
    )
    shell("add-action", "dhr2", "overview/3", "--text", "Evaluate the training", "--lead", "Jo")
    assert as_json(shell, "status", "dhr2", "overview/3.6")["text"] == "Evaluate the training"
