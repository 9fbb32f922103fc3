"""The bitemporal timeline of one recommendation, and the overdue and RAG rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from domain.audit import acting_as_owner
from domain.fuzzy_date import FuzzyDate
from domain.kinds import Status
from domain.recommendation import Recommendation
from domain.rules import assess
from projections.timeline import FOREVER, Segment, advance, recompute


@pytest.fixture(autouse=True)
def actor() -> Iterator[None]:
    with acting_as_owner("alice", "test"):
        yield


def timeline(rec: Recommendation) -> list[Segment]:
    """Advance event by event, as the read model does."""
    segments: list[Segment] = []
    for n, event in enumerate(rec.log, 1):
        segments = advance(segments, event, lambda n=n: rec.log[:n])
    return segments


def raised() -> Recommendation:
    return Recommendation.raise_recommendation(
        plan_id="dhr2",
        ref="overview/1",
        text="Act",
        target=FuzzyDate.parse("July 2014"),
        effective=FuzzyDate.parse("2013-06-01"),
    )


def test_a_recommendation_exists_from_the_day_it_was_raised() -> None:
    [segment] = timeline(raised())
    assert (segment.eff_from, segment.eff_to) == (date(2013, 6, 1), FOREVER)


def test_an_update_splits_the_timeline_at_its_effective_date() -> None:
    rec = raised()
    rec.record_progress("Training", FuzzyDate.parse("Feb 2014"))
    before, after = timeline(rec)
    assert (before.eff_to, after.eff_from) == (date(2014, 2, 28), date(2014, 2, 28))
    assert (before.summary.status, after.summary.status) == (Status.OPEN, Status.IN_PROGRESS)


def test_a_backdated_event_changes_only_the_days_after_it() -> None:
    rec = raised()
    rec.record_progress("Training", FuzzyDate.parse("Feb 2014"))
    rec.reassign_leads(["DCI Smith"], "restructure", FuzzyDate.parse("Oct 2013"))
    segments = timeline(rec)
    assert [(s.eff_from, s.summary.leads, s.summary.status) for s in segments] == [
        (date(2013, 6, 1), (), Status.OPEN),
        (date(2013, 10, 31), ("DCI Smith",), Status.OPEN),
        (date(2014, 2, 28), ("DCI Smith",), Status.IN_PROGRESS),
    ]
    assert segments == recompute(rec.log)


def test_a_correction_recomputes_the_timeline_through_it() -> None:
    rec = raised()
    rec.record_progress("Training", FuzzyDate.parse("Feb 2014"))
    rec.correct(
        rec.log[-1].event_id, "wrong date", amendment={"effective": FuzzyDate.parse("2013")}
    )
    segments = timeline(rec)
    assert [(s.eff_from, s.summary.status) for s in segments] == [
        (date(2013, 6, 1), Status.OPEN),
        (date(2013, 12, 31), Status.IN_PROGRESS),
    ]
    assert segments == recompute(rec.log)


@pytest.mark.parametrize(
    ("target", "status", "as_at", "expected"),
    [
        ("July 2014", Status.IN_PROGRESS, date(2014, 8, 1), (True, 1, "red")),
        ("July 2014", Status.OPEN, date(2014, 7, 31), (False, None, "amber")),
        ("July 2014", Status.OPEN, date(2014, 7, 1), (False, None, "amber")),
        ("July 2014", Status.OPEN, date(2014, 6, 30), (False, None, None)),
        ("July 2014", Status.COMPLETED, date(2015, 1, 1), (False, None, "green")),
        ("July 2014", Status.ONGOING, date(2015, 1, 1), (False, None, "green")),
        ("July 2014", Status.WITHDRAWN, date(2015, 1, 1), (False, None, None)),
        ("Ongoing", Status.OPEN, date(2015, 1, 1), (False, None, None)),
        ("1st July", Status.OPEN, date(2015, 1, 1), (False, None, None)),
        ("1 st April 2013 and ongoing", Status.OPEN, date(2015, 1, 1), (False, None, None)),
        ("Autumn 2013", Status.OPEN, date(2014, 3, 1), (True, 91, "red")),
    ],
)
def test_overdue_days_and_rag(
    target: str, status: Status, as_at: date, expected: tuple[bool, int | None, str | None]
) -> None:
    assert assess(FuzzyDate.parse(target), status, as_at) == expected
