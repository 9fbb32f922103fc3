"""The seed's Overview rec 3 and its sub-actions agree, on a SQLite file and on PostgreSQL.

The document (29th May 2014) says "Completed /Ongoing" for the recommendation; its
sub-actions 3.1-3.5 state nothing of their own, so from that date they are ongoing too, not
open and overdue; before it they were still due. The board report counts recommendations
and sub-actions apart.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from adapters.importing.document import read_document
from adapters.reports.render import board_report
from domain.audit import acting_as_owner
from domain.kinds import Status
from service.ledger import Ledger

OpenLedger = Callable[[str], Ledger]
SUB_ACTIONS = [f"overview/3.{n}" for n in range(1, 6)]


@pytest.fixture
def seeded(db_url: str, open_ledger: OpenLedger, seed_plan: Path) -> Ledger:
    ledger = open_ledger(db_url)
    document, _, _ = read_document(seed_plan)
    with acting_as_owner("coordinator", "cli"):
        ledger.import_document(document)
    return ledger


def overdue_refs(ledger: Ledger, as_at: date) -> list[str]:
    return [row.ref for row in ledger.overdue("dhr2", as_at=as_at).rows]


def test_overview_3s_sub_actions_are_not_overdue_once_the_document_says_ongoing(
    seeded: Ledger,
) -> None:
    assert not set(SUB_ACTIONS) & set(overdue_refs(seeded, date(2014, 6, 30)))
    [three] = [v for v in seeded.status("dhr2", as_at=date(2014, 6, 30)) if v.ref == "overview/3"]
    assert three.status == Status.ONGOING
    assert [(s.ref, s.status, s.rag) for s in three.sub_actions] == [
        (ref, Status.ONGOING, "green") for ref in SUB_ACTIONS
    ]


def test_before_the_document_said_so_its_sub_actions_were_still_due(seeded: Ledger) -> None:
    late = [ref for ref in overdue_refs(seeded, date(2014, 3, 1)) if ref in SUB_ACTIONS]
    assert sorted(late) == ["overview/3.1", "overview/3.2", "overview/3.3", "overview/3.4"]


def test_each_sub_actions_status_cites_the_recommendations_statement(seeded: Ledger) -> None:
    entries = seeded.history("dhr2", "overview/3.2")
    [change] = [e for e in entries if e.type == "StatusChanged"]
    assert change.reason == "inferred from: 'Completed /Ongoing (as overview/3 states, line 26)'"
    assert change.effective is not None and change.effective.inferred
    assert change.effective.text == "no later than 29th May 2014"


def test_the_board_reports_counts_say_recommendations_and_sub_actions_apart(
    seeded: Ledger,
) -> None:
    with acting_as_owner("auditor", "cli"):
        board = seeded.board_report("dhr2", date(2014, 3, 1), date(2014, 6, 30))
    before, after = board.counts["before"], board.counts["after"]
    assert (after["recommendations"], after["sub_actions"], after["items"]) == (20, 8, 28)
    for measure in ("open", "completed", "overdue"):
        for counts in (before, after):
            assert counts[measure] == (
                counts[f"{measure}_recommendations"] + counts[f"{measure}_sub_actions"]
            )
    assert (before["overdue_sub_actions"], after["overdue_sub_actions"]) == (4, 0)
    md = board_report(board, "md").decode()
    assert "| overdue recommendations | 9 | 8 |" in md and "| overdue sub-actions | 4 | 0 |" in md
