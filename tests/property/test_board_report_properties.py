"""The board report against the plan as at either end of its period, over generated
histories with back-dated updates, sub-actions, and corrections (amended texts and dates,
retracted updates and sub-actions).

The invariant: the progress updates a board report lists for a period are exactly those
the plan shows as at its last day and did not show as at the day before its first, each
with the text the plan shows (as the ledger now knows it: a retracted update is not listed,
an amended one is listed as amended).
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.settings import Settings
from adapters.storage import bootstrap
from domain.audit import acting_as_owner
from domain.errors import LedgerError
from domain.fuzzy_date import FuzzyDate
from service.command_models import (
    AddSubAction,
    Complete,
    Correct,
    OpenPlan,
    RaiseRecommendation,
    RecordProgress,
    ReviseTarget,
)
from service.ledger import Ledger

REFS = ["overview/1", "overview/2", "imr/west-mercia-police/1"]
EFFECTIVE = [
    *("2013-03-01", "2013-08-20", "2013-11-30", "2013-12-01", "2014-01-10", "2014-02-27"),
    *("August 2013", "Feb 2014", "Q4 2013", "Winter 2013", "2014"),
]
RAISED = FuzzyDate.parse("2013-01-15")
"""When every recommendation and sub-action is raised: before any update takes effect."""
PERIODS = [
    (date(2013, 1, 1), date(2013, 12, 31)),
    (date(2013, 12, 1), date(2014, 2, 28)),
    (date(2014, 1, 1), date(2014, 1, 31)),
    (date(2014, 3, 1), date(2014, 12, 31)),
]

effective = st.sampled_from(EFFECTIVE).map(FuzzyDate.parse)
refs = st.sampled_from(REFS)
operation = st.one_of(
    st.tuples(st.just("update"), refs, effective, st.integers(0, 99)),
    st.tuples(st.just("retarget"), refs, effective, effective),
    st.tuples(st.just("complete"), refs, effective),
    st.tuples(st.just("amend text"), refs, st.integers(0, 99)),
    st.tuples(st.just("amend date"), refs, effective),
    st.tuples(st.just("retract"), refs),
    st.tuples(st.just("add action"), st.just(REFS[0])),
    st.tuples(st.just("action update"), st.just(REFS[0]), effective, st.integers(0, 99)),
    st.tuples(st.just("retract action"), st.just(REFS[0])),
)
SUB_ACTION_RETRACTED = [
    ("add action", REFS[0]),
    ("action update", REFS[0], FuzzyDate.parse("Feb 2014"), 1),
    ("retract action", REFS[0]),
]
"""An update of a sub-action whose adding was retracted: the plan no longer shows it."""


def build(ledger: Ledger, operations: list[tuple[Any, ...]]) -> None:
    """The plan, then each generated command; one the rules refuse is skipped."""
    ledger.open_plan(OpenPlan(plan_id="dhr9", title="Domestic Homicide Review Case No 9"))
    for ref in REFS:
        ledger.raise_recommendation(
            "dhr9",
            RaiseRecommendation(
                ref=ref,
                text=f"Recommendation {ref}",
                agency="West Mercia Police",
                target=FuzzyDate.parse("December 2013"),
                effective=RAISED,
            ),
        )
    for kind, ref, *args in operations:
        updates = ledger.recommendation("dhr9", ref).state.updates
        first, last = (updates[0].event_id, updates[-1].event_id) if updates else ("", "")
        with contextlib.suppress(LedgerError):
            if kind == "update":
                ledger.change(
                    "dhr9", ref, RecordProgress(text=f"Update {args[1]}", effective=args[0])
                )
            elif kind == "retarget":
                ledger.change(
                    "dhr9", ref, ReviseTarget(target=args[1], reason="later", effective=args[0])
                )
            elif kind == "complete":
                ledger.change("dhr9", ref, Complete(effective=args[0]))
            elif updates and kind == "amend text":
                amendment = {"text": f"Amended {args[0]}"}
                ledger.change("dhr9", ref, Correct(event=last, reason="typo", **amendment))
            elif updates and kind == "amend date":
                ledger.change("dhr9", ref, Correct(event=first, reason="date", effective=args[0]))
            elif updates and kind == "retract":
                ledger.change("dhr9", ref, Correct(event=last, reason="wrong item", retract=True))
            elif kind == "add action":
                ledger.change("dhr9", ref, AddSubAction(text="Audit it", effective=RAISED))
            elif kind == "action update":
                ledger.change(
                    "dhr9",
                    f"{ref}.1",
                    RecordProgress(text=f"Action update {args[1]}", effective=args[0]),
                )
            elif kind == "retract action":
                for adding in ledger.history("dhr9", ref):
                    if adding.type == "SubActionAdded" and not adding.corrected_by:
                        item = adding.ref  # the sub-action's own ref
                        ledger.change(
                            "dhr9", item, Correct(event=adding.event_id, reason="no", retract=True)
                        )
                        break


def shown(ledger: Ledger, as_at: date) -> dict[str, str]:
    """Every update the plan shows as at a day: its event id and its text."""
    return {
        update.event_id: update.text
        for view in ledger.status("dhr9", as_at=as_at)
        for item in view.items()
        for update in item.updates
    }


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(operations=st.lists(operation, max_size=14), period=st.sampled_from(PERIODS))
@example(operations=SUB_ACTION_RETRACTED, period=PERIODS[1])
def test_board_report_updates_are_those_shown_at_its_end_and_not_before_as_corrected(
    operations: list[tuple[Any, ...]], period: tuple[date, date]
) -> None:
    since, until = period
    ledger = bootstrap(Settings(db="memory:", actor="generator"))
    try:
        with acting_as_owner("generator", "test"):
            build(ledger, operations)
            board = ledger.board_report("dhr9", since, until)
        at_end, before = shown(ledger, until), shown(ledger, since - timedelta(days=1))
        listed = {c.entry.event_id: c.entry.data["text"] for c in board.updates}
        assert listed == {i: text for i, text in at_end.items() if i not in before}
    finally:
        ledger.close()
