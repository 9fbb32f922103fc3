"""The read side on the imported seed plan, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from adapters.importing.document import plan_identity, to_plan_document
from adapters.importing.reader import read_plan
from domain.audit import acting_as_owner
from domain.fuzzy_date import FuzzyDate
from domain.kinds import Status
from service.command_models import Complete, Correct, ReviseTarget
from service.ledger import Ledger
from tests.projection_rows import rows

OpenLedger = Callable[[str], Ledger]
FEB_2014_UPDATE = "Following an HMIC Review in December 2013"


@pytest.fixture
def seeded(db_url: str, open_ledger: OpenLedger, seed_plan: Path) -> Ledger:
    ledger = open_ledger(db_url)
    parsed = read_plan(seed_plan)
    plan_id, kind = plan_identity(parsed.title, seed_plan.stem)
    document, _ = to_plan_document(parsed, plan_id=plan_id, file_name=seed_plan.name, kind=kind)
    with acting_as_owner("coordinator", "cli"):
        ledger.import_document(document)
    return ledger


def texts(ledger: Ledger, as_at: date, **known: datetime) -> list[str]:
    views = ledger.status("dhr2", as_at=as_at, **known)
    return [u.text for v in views for u in v.updates]


def test_as_at_the_end_of_2013_no_feb_2014_update_shows_and_as_at_feb_2014_it_does(
    seeded: Ledger,
) -> None:
    assert not any(FEB_2014_UPDATE in t for t in texts(seeded, date(2013, 12, 31)))
    as_at_feb = seeded.status("dhr2", as_at=date(2014, 2, 28))
    [overview_1] = [v for v in as_at_feb if v.ref == "overview/1"]
    assert [u.effective.text for u in overview_1.updates] == ["August 2013", "Feb 2014"]
    assert overview_1.updates[1].text.startswith(FEB_2014_UPDATE)
    all_feb = [u for v in as_at_feb for u in v.updates if u.effective.text == "Feb 2014"]
    assert len(all_feb) == 8


def test_the_overdue_list_as_at_march_2014_follows_the_definition(seeded: Ledger) -> None:
    as_at = date(2014, 3, 1)
    page = seeded.overdue("dhr2", as_at=as_at)
    overdue = page.rows
    assert page.total == len(overdue)
    expected = [
        item  # a recommendation, or a sub-action by its own target and status
        for v in seeded.status("dhr2", as_at=as_at)
        for item in (v, *v.sub_actions)
        if item.status in (Status.OPEN, Status.IN_PROGRESS)
        and item.target is not None
        and item.target.deadline is not None
        and item.target.deadline < as_at
    ]
    assert {v.ref for v in overdue} == {v.ref for v in expected}
    # Overview 3's first action was due by March 2013; its second and both CRI
    # recommendations by April 2013, and the plan was agreed by then (its earliest dated
    # evidence), so all existed, and were overdue, in March 2014; ties in document order.
    assert [v.ref for v in overdue][:4] == [
        "overview/3.1", "overview/3.2",
        "imr/cri-pathway-to-recovery/1", "imr/cri-pathway-to-recovery/2",
    ]  # fmt: skip
    assert overdue[0].days_overdue == (as_at - date(2013, 3, 31)).days == 335
    assert overdue[1].days_overdue == (as_at - date(2013, 4, 30)).days == 305
    days = [v.days_overdue or 0 for v in overdue]
    assert days == sorted(days, reverse=True)
    assert all(v.rag == "red" for v in overdue)
    # Overview 3 lists one target per sub-action, the last December 2013: due by then.
    [three] = [v for v in overdue if v.ref == "overview/3"]
    assert three.target is not None and three.target.end == date(2013, 12, 31)
    assert three.target.text == "March 2013; April 2013; December 2013; November 2013"


def test_a_correction_recorded_now_is_invisible_as_known_before_it(seeded: Ledger) -> None:
    before = datetime.now(UTC)
    [update] = [e for e in seeded.history("dhr2", "overview/1") if e.type == "ProgressRecorded"][1:]
    with acting_as_owner("auditor", "cli"):
        seeded.change(
            "dhr2", "overview/1", Correct(event=update.event_id, reason="wrong text", text="X")
        )
    as_at = date(2014, 6, 1)
    now_known = texts(seeded, as_at)
    then_known = texts(seeded, as_at, known_at=before)
    assert "X" in now_known and not any(FEB_2014_UPDATE in t for t in now_known)
    assert "X" not in then_known and any(FEB_2014_UPDATE in t for t in then_known)


def test_rebuild_equals_the_incremental_read_model(seeded: Ledger) -> None:
    with acting_as_owner("coordinator", "cli"):
        seeded.change(
            "dhr2",
            "overview/2",
            ReviseTarget(target=FuzzyDate.parse("June 2014"), reason="HMIC", effective=None),
        )
        seeded.change("dhr2", "overview/9", Complete(effective=FuzzyDate.parse("July 2014")))
    seeded.project()
    before = rows(seeded.read_model)
    assert seeded.rebuild() == seeded.read_model.position()
    assert rows(seeded.read_model) == before


def test_every_recommendation_of_the_plan_exists_as_at_the_feb_2014_update(
    seeded: Ledger,
) -> None:
    """The plan was agreed as a whole, no later than its earliest dated evidence."""
    assert len(seeded.status("dhr2", as_at=date(2014, 2, 28))) == 20
    assert len(seeded.status("dhr2", as_at=date(2013, 4, 1))) == 20
    assert seeded.status("dhr2", as_at=date(2013, 3, 31)) == []
    raised = {v.raised.text for v in seeded.status("dhr2") if v.raised}
    assert raised == {"no later than 1st April 2013"}  # "Action completed 1st April 2013"
    as_at_feb = seeded.status("dhr2", as_at=date(2014, 2, 28))
    workload = seeded.workload("agency", as_at=date(2014, 2, 28))
    items = [item for v in as_at_feb for item in v.items()]  # sub-actions count as items
    open_ = [item for item in items if item.status in (Status.OPEN, Status.IN_PROGRESS)]
    assert sum(row["open"] for row in workload) == len(open_) > len(as_at_feb)


def test_changes_since_a_board_meeting_on_both_axes(seeded: Ledger) -> None:
    effective = [c.entry for c in seeded.changes("dhr2", date(2014, 1, 31), date(2014, 2, 28))]
    assert {e.type for e in effective} >= {"ProgressRecorded"}
    assert "Raised" not in {e.type for e in effective}
    assert all(e.effective and e.effective.end and e.effective.end <= date(2014, 2, 28)
               for e in effective)  # fmt: skip
    today = datetime.now(UTC).date()
    recorded = seeded.changes("dhr2", today - timedelta(days=1), today, recorded=True)
    assert len(recorded) == len(seeded.changes("dhr2", date(1900, 1, 1), date(2100, 1, 1)))
