"""Recommendations to national bodies (issue 29): every item of every plan addressed to an
agency the directory marks national, by any of its spellings, with its status, age and
latest response as at a day; local agencies' items left out; on SQLite and PostgreSQL, and
through the CLI (in this process) and the API."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from domain.kinds import AgencyKind
from service import command_models as cmd
from service.ledger import Ledger
from tests.e2e.in_process import InProcessShell


def two_plans(ledger: Ledger) -> None:
    ledger.register_agency(cmd.RegisterAgency(
        name="Home Office", kind=AgencyKind.NATIONAL, aliases=["The Home Office"],
    ))  # fmt: skip
    for plan_id, raised in (("dhr1", "2013-04-01"), ("sar2", "2016-01-15")):
        ledger.open_plan(cmd.OpenPlan(plan_id=plan_id, title=plan_id))
        ledger.raise_recommendation(plan_id, cmd.RaiseRecommendation(
            ref="overview/1", text="Statutory guidance on coercive control",
            agency="The Home Office" if plan_id == "dhr1" else "home office", effective=raised,
        ))  # fmt: skip
        ledger.raise_recommendation(plan_id, cmd.RaiseRecommendation(
            ref="overview/2", text="Local training", agency="Housing", effective=raised,
        ))  # fmt: skip
    ledger.change("dhr1", "overview/1", cmd.RecordProgress(
        text="Guidance consulted on", effective="2014-02-28",
    ))  # fmt: skip
    ledger.change("dhr1", "overview/1", cmd.Complete(effective="2015-03-31"))


@pytest.fixture
def ledger(db_url: str, open_ledger: Callable[[str], Ledger]) -> Ledger:
    ledger = open_ledger(db_url)
    two_plans(ledger)
    return ledger


def test_items_to_a_national_body_by_any_spelling_with_age_and_response(ledger: Ledger) -> None:
    found = ledger.national(as_at=date(2016, 6, 30))
    assert [(n.plan, n.ref, n.agency) for n in found] == [
        ("dhr1", "overview/1", "Home Office"), ("sar2", "overview/1", "Home Office"),
    ]  # fmt: skip
    done, open_ = found
    assert (done.status, done.raised, done.days) == ("completed", date(2013, 4, 1), 729)
    assert done.response is not None and done.response.text == "Guidance consulted on"
    assert (open_.status, open_.days, open_.response) == ("open", 167, None)


def test_as_at_a_day_only_what_was_asked_by_then_and_its_state_then(ledger: Ledger) -> None:
    [then] = ledger.national(as_at=date(2014, 3, 1))
    assert (then.plan, then.status, then.days) == ("dhr1", "in_progress", 334)
    assert ledger.national(as_at=date(2013, 3, 31)) == []


def test_without_a_national_body_in_the_directory_nothing_is_listed(
    db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    ledger = open_ledger(db_url)
    ledger.open_plan(cmd.OpenPlan(plan_id="dhr1", title="One"))
    ledger.raise_recommendation("dhr1", cmd.RaiseRecommendation(
        ref="overview/1", text="Act", agency="Home Office",
    ))  # fmt: skip
    assert ledger.national() == []


def test_the_cli_lists_and_exports_them(tmp_path: Path) -> None:
    shell = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"))
    shell("agency", "add", "Home Office", "--kind", "national")
    shell("plan", "open", "dhr1", "--title", "One")
    shell("raise", "dhr1", "overview/1", "--text", "Guidance", "--agency", "home office",
          "--effective", "2013-04-01")  # fmt: skip
    text = shell("national", "--as-at", "2014-04-01").stdout.splitlines()
    assert text == ["dhr1  overview/1  Home Office  open  365 days"]
    [row] = json.loads(shell("national", "--as-at", "2014-04-01", "--json").stdout)
    assert (row["agency"], row["days"], row["response"]) == ("Home Office", 365, None)
    [exported] = csv.DictReader(io.StringIO(shell("national", "--csv").stdout))
    assert exported["plan"] == "dhr1" and exported["agency"] == "Home Office"
    early = shell("national", "--as-at", "2013-01-01").stdout.strip()
    assert early == "nothing addressed to a national body as at (effective) 2013-01-01"
