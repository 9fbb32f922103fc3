"""The read side through the CLI, on the imported seed plan (in this process:
tests/e2e/in_process.py)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.in_process import InProcessShell

FEB_2014_UPDATE = "Following an HMIC Review in December 2013"


class Shell:
    def __init__(self, cwd: Path) -> None:
        self.recledger = InProcessShell(cwd)  # without RECLEDGER_DB, as "coordinator"

    def __call__(self, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        result = self.recledger(*args, ok=False)
        assert result.returncode == code, result.stderr
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> Shell:
    seed = Path(__file__).resolve().parents[3] / "shared" / "data" / "dhr-case-2-action-plan.txt"
    shell = Shell(tmp_path_factory.mktemp("seeded"))
    shell("import", str(seed))
    return shell


def update_texts(views: list[dict[str, Any]]) -> list[str]:
    return [u["text"] for v in views for u in v["updates"]]


def test_status_as_at_two_dates(shell: Shell) -> None:
    end_2013 = shell.json("status", "dhr2", "--as-at", "2013-12-31")
    feb_2014 = shell.json("status", "dhr2", "--as-at", "2014-02")
    assert not any(FEB_2014_UPDATE in t for t in update_texts(end_2013))
    assert any(t.startswith(FEB_2014_UPDATE) for t in update_texts(feb_2014))
    view = feb_2014[0]
    assert set(view) >= {
        "plan", "ref", "section", "number", "agency", "leads", "text", "target",
        "status", "completed", "updates", "overdue", "days_overdue", "rag",
    }  # fmt: skip
    assert (view["plan"], view["ref"], view["section"], view["number"]) == (
        "dhr2", "overview/1", "overview", "1",
    )  # fmt: skip
    assert set(view["updates"][0]) >= {"effective", "text", "actor", "recorded_at", "source"}


def test_overdue_most_overdue_first(shell: Shell) -> None:
    overdue = shell.json("overdue", "dhr2", "--as-at", "2014-03-01")["rows"]
    assert [(v["ref"], v["days_overdue"], v["rag"]) for v in overdue[:4]] == [
        ("overview/3.1", 335, "red"),  # a sub-action, by its own target: March 2013
        ("overview/3.2", 305, "red"),
        ("imr/cri-pathway-to-recovery/1", 305, "red"),
        ("imr/cri-pathway-to-recovery/2", 305, "red"),  # due April 2013, in the agreed plan
    ]
    assert "305 days overdue" in shell("overdue", "--as-at", "2014-03-01").stdout


def test_status_as_csv(shell: Shell) -> None:
    rows = list(csv.DictReader(io.StringIO(shell("status", "dhr2", "--csv").stdout)))
    assert len([row for row in rows if not row["parent"]]) == 20  # and a row per sub-action
    assert rows[0]["ref"] == "overview/1" and rows[0]["leads"] == "Det Supt HQ PVP"
    assert [row["ref"] for row in rows if row["parent"] == "overview/3"] == [
        f"overview/3.{n}" for n in range(1, 6)
    ]


def test_known_at_hides_a_later_correction(shell: Shell) -> None:
    before = datetime.now(UTC).isoformat()
    history = shell.json("history", "dhr2", "overview/1")
    feb = [e for e in history if e["type"] == "ProgressRecorded"][-1]
    shell("correct", "dhr2", "overview/1", feb["event_id"], "--reason", "typo", "--text", "Fixed")
    now = update_texts(shell.json("status", "dhr2", "--as-at", "2014-06-01"))
    then = update_texts(shell.json("status", "dhr2", "--as-at", "2014-06-01", "--known-at", before))
    assert "Fixed" in now and "Fixed" not in then
    assert any(t.startswith(FEB_2014_UPDATE) for t in then)


def test_changes_leads_and_agencies(shell: Shell) -> None:
    changes = shell.json("changes", "dhr2", "--since", "2014-01", "--until", "2014-02")
    assert changes and all(c["effective"]["end"] <= "2014-02-28" for c in changes)
    assert {"plan", "ref", "type", "effective", "recorded_at", "actor"} <= set(changes[0])
    agencies = {a["agency"]: a for a in shell.json("agencies", "--as-at", "2014-03-01")}
    assert agencies["CRI Pathway to Recovery"] == {
        "agency": "CRI Pathway to Recovery",
        "open": 5,
        "overdue": 2,
        "completed": 0,
        "open_recommendations": 2,
        "overdue_recommendations": 2,
        "completed_recommendations": 0,
        "open_sub_actions": 3,
        "overdue_sub_actions": 0,
        "completed_sub_actions": 0,
    }  # fmt: skip  (two recommendations and their three sub-actions, which have no targets)
    known = shell.json("agencies", "--as-at", "2014-03-01", "--known-at", "2099-01-01T00:00Z")
    assert known == list(agencies.values())  # from the views: the same counts, split alike
    assert known == shell.json("agencies", "dhr2", "--as-at", "2014-03-01")  # from the items
    line = next(t for t in shell("agencies", "--as-at", "2014-03-01").stdout.splitlines()
                if t.startswith("CRI Pathway to Recovery"))  # fmt: skip
    assert line.endswith("open 5 (2 + 3)  overdue 2 (2 + 0)  completed 0 (0 + 0)")
    leads = {row["lead"] for row in shell.json("leads")}
    assert "Det Supt HQ PVP" in leads


def test_rebuild_reports_its_rate(shell: Shell) -> None:
    before = shell.json("status")
    result = shell("rebuild")
    assert result.stdout.startswith("rebuilt from ") and "events/s" in result.stdout
    assert shell.json("status") == before


def test_a_bad_date_is_one_line(shell: Shell) -> None:
    result = shell("status", "--as-at", "2014-13", code=1)
    assert result.stderr.count("\n") == 1 and "--as-at" in result.stderr


def test_every_listing_gives_csv_with_update_texts_and_json(shell: Shell) -> None:
    def table(*args: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(shell(*args, "--csv").stdout)))

    status = table("status", "dhr2", "--as-at", "2014-02")
    feb = next(row for row in status if row["ref"] == "imr/west-mercia-police/1")["updates"]
    assert feb.splitlines()[-1].startswith("Feb 2014: ")  # the texts, not a count
    overdue = table("overdue", "dhr2", "--as-at", "2014-03-01")
    assert (overdue[0]["ref"], overdue[0]["parent"]) == ("overview/3.1", "overview/3")
    changes = table("changes", "dhr2", "--since", "2014-01", "--until", "2014-02")
    assert {row["type"] for row in changes} == {"ProgressRecorded"}
    assert changes[0]["effective"] in ("Feb 2014", "no later than Feb 2014")
    assert {row["plan"] for row in table("plans")} == {"dhr2"}
    agencies = {row["agency"]: row for row in table("agencies", "dhr2", "--as-at", "2014-03-01")}
    assert agencies["CRI Pathway to Recovery"]["overdue"] == "2"
    assert "Det Supt HQ PVP" in {row["lead"] for row in table("leads", "dhr2")}
    for listing in (["status"], ["overdue"], ["plans"], ["leads"], ["agencies"],
                    ["changes", "dhr2", "--since", "2014-01"]):  # fmt: skip
        both = shell(*listing, "--csv", "--json", code=2)
        assert "choose one of --json and --csv" in both.stderr


def test_leads_and_agencies_take_a_plan_and_known_at(shell: Shell) -> None:
    assert shell.json("leads", "dhr2") == shell.json("leads")
    assert "no plan 'nope'" in shell("agencies", "nope", code=1).stderr
    assert shell.json("agencies", "dhr2", "--known-at", "2000-01-01") == []  # nothing known yet


def test_options_work_before_or_after_the_subcommand(shell: Shell, tmp_path: Path) -> None:
    other = str(tmp_path / "other.db")
    shell("plan", "open", "sar1", "--title", "SAR 1", "--db", other, "--actor", "alice")
    shell("--db", other, "raise", "sar1", "overview/1", "--text", "Act", "--actor", "bob")
    history = json.loads(shell("history", "sar1", "overview/1", "--db", other, "--json").stdout)
    assert [e["actor"] for e in history] == ["bob"]
    assert [p["plan"] for p in json.loads(shell("--json", "plans", f"--db={other}").stdout)] == [
        "sar1"
    ]
    rows = list(csv.DictReader(io.StringIO(shell("--csv", "status", "--db", other).stdout)))
    assert [row["ref"] for row in rows] == ["overview/1"]
    assert "sar1" not in shell("plans").stdout  # the default ledger is untouched


def test_changes_since_a_day_include_it_and_the_recorded_axis_takes_moments(shell: Shell) -> None:
    on_the_day = shell.json("changes", "dhr2", "--since", "2014-02-28", "--until", "2014-02-28")
    assert on_the_day and {c["effective"]["end"] for c in on_the_day} == {"2014-02-28"}
    by_month = shell.json("changes", "dhr2", "--since", "Feb 2014", "--until", "Feb 2014")
    assert by_month == on_the_day  # a month reads from its first day to its last
    before = datetime.now(UTC).isoformat()
    shell("update", "dhr2", "overview/5", "--text", "Board briefed", "--effective", "2014-03-10")
    [change] = shell.json("changes", "dhr2", "--since", before, "--recorded")
    assert (change["ref"], change["type"]) == ("overview/5", "ProgressRecorded")
    refused = shell("changes", "dhr2", "--since", "2014-13-01", code=1)
    assert "looks like a date but is not one" in refused.stderr


def test_one_recommendation_in_detail_as_at_a_date(shell: Shell) -> None:
    text = shell("status", "dhr2", "overview/3", "--as-at", "2014-03-01").stdout
    assert text.startswith("dhr2 overview/3\n")
    for line in ("  status:    open", "  RAG:       red", "  actions:   5",
                 "    overview/3.2  open  Identification of Nominated Lead for Domestic Abuse",
                 "  updates:   none"):  # fmt: skip
        assert line in text
    assert "(60 days overdue)" in text
    assert "target: March 2013, 335 days overdue;" in text  # each action by its own target
    actions = shell.json("status", "dhr2", "overview/3", "--as-at", "2014-03-01")["sub_actions"]
    assert [(a["target"] and a["target"]["text"], a["overdue"]) for a in actions] == [
        ("March 2013", True), ("April 2013", True), ("December 2013", True),
        ("November 2013", True), (None, False),  # the fifth has no target
    ]  # fmt: skip
    view = shell.json("status", "dhr2", "imr/west-mercia-police/1", "--as-at", "2014-02")
    assert view["ref"] == "imr/west-mercia-police/1" and len(view["updates"]) == 2
    assert all(u["source"].startswith("dhr-case-2-action-plan.txt") for u in view["updates"])
    early = shell.json("status", "dhr2", "imr/west-mercia-police/1", "--as-at", "2013-06")
    assert early["updates"] == [] and early["status"] == "open"
    missing = shell("status", "dhr2", "overview/99", code=1)
    assert missing.stderr == "recledger: plan 'dhr2' has no recommendation overview/99\n"


def test_sections_come_in_the_documents_order_and_numbers_numerically(shell: Shell) -> None:
    refs = [view["ref"] for view in shell.json("status", "dhr2")]
    assert refs == [
        *(f"overview/{n}" for n in range(1, 13)),
        *(f"imr/west-mercia-police/{n}" for n in range(1, 7)),  # as the document gives them,
        "imr/cri-pathway-to-recovery/1", "imr/cri-pathway-to-recovery/2",  # not a-z
    ]  # fmt: skip
