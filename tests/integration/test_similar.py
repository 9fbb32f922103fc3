"""Said before (issue 29): a recommendation reworded in another plan is found from either,
with its status and the days it took to complete; never the plan's own; on SQLite and
PostgreSQL, and through the CLI (in this process)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.importing.document import read_document
from service import command_models as cmd
from service.ledger import Ledger
from tests.e2e.in_process import InProcessShell

REWORDED = (
    "Police forces should make sure every frontline officer understands their duty to take "
    "positive action at domestic abuse incidents, including arrest where lawful."
)


@pytest.fixture
def ledger(db_url: str, open_ledger: Callable[[str], Ledger], seed_plan: Path) -> Ledger:
    ledger = open_ledger(db_url)
    ledger.import_document(read_document(seed_plan)[0])
    ledger.open_plan(cmd.OpenPlan(plan_id="dhr9", title="Nine"))
    ledger.raise_recommendation("dhr9", cmd.RaiseRecommendation(
        ref="overview/1", text=REWORDED, effective="2019-01-01",
    ))  # fmt: skip
    ledger.raise_recommendation("dhr9", cmd.RaiseRecommendation(
        ref="overview/2", text="Positive action training for all frontline officers",
    ))  # fmt: skip
    return ledger


def test_a_reworded_recommendation_of_another_plan_is_said_before(ledger: Ledger) -> None:
    [first, *rest] = ledger.similar("dhr9", "overview/1", limit=3)
    assert (first.plan, first.ref) == ("dhr2", "overview/1")
    assert all(said.plan != "dhr9" for said in [first, *rest])
    assert first.score > max(s.score for s in rest)
    assert first.status == "in_progress" and first.days is None  # not completed
    back = ledger.similar("dhr2", "overview/1", limit=2)
    # a short text whose words all appear in the long one scores as high: both come first
    assert {(s.plan, s.ref) for s in back} == {("dhr9", "overview/1"), ("dhr9", "overview/2")}


def test_what_a_completed_one_took_is_said(ledger: Ledger) -> None:
    ledger.change("dhr2", "overview/1", cmd.Complete(effective="2014-12-31"))
    [first, *_] = ledger.similar("dhr9", "overview/1")
    assert (first.status, first.days) == ("completed", 639)  # raised 2013-04-01 in the seed


def test_the_cli_prints_them(tmp_path: Path, seed_plan: Path) -> None:
    shell = InProcessShell(tmp_path, db=str(tmp_path / "ledger.db"))
    shell("import", str(seed_plan))
    shell("plan", "open", "dhr9", "--title", "Nine")
    shell("raise", "dhr9", "overview/1", "--text", REWORDED)
    lines = shell("similar", "dhr9", "overview/1", "--limit", "1").stdout.splitlines()
    assert lines[0].endswith("dhr2  overview/1  (in_progress)")
    [said] = json.loads(shell("similar", "dhr9", "overview/1", "--limit", "1", "--json").stdout)
    assert (said["plan"], said["ref"], said["days"]) == ("dhr2", "overview/1", None)
    back = shell("similar", "dhr2", "overview/1", "--limit", "1").stdout.splitlines()
    assert "dhr9  overview/1" in back[0]


def test_an_import_names_what_each_new_recommendation_was_said_before_as(
    ledger: Ledger, tmp_path: Path
) -> None:
    plan = tmp_path / "dhr10.csv"
    plan.write_text(
        "No,Recommendation,Agency\n"
        f'1,"{REWORDED}",Police\n'
        '2,"Build an analytical tool to identify the people most vulnerable to harm from '
        'repeat domestic abuse.",Police\n'
        '3,"Paint the meeting room",Estates\n'
    )
    document = read_document(plan, plan_id="dhr10")[0]
    outcome = ledger.import_document(document)
    said = {ref: (s.plan, s.ref) for ref, s in outcome.said_before}
    assert said["overview/2"] == ("dhr2", "imr/west-mercia-police/1")
    assert said["overview/1"][0] in ("dhr2", "dhr9")  # the seed's, or dhr9's rewording of it
    assert "overview/3" not in said  # nothing alike enough to name
    assert all(s.score >= 50 for _, s in outcome.said_before)
