"""The read models against a plain reference, over random command sequences.

Commands use backdated and out-of-order effective dates, corrections (retractions and
amendments of text and dates), reassignments, and sub-actions (items of their own, which
every command may name). After every step, for several (D, T):

- status as at D as known at T equals the reference fold over exactly the events that
  qualify (``bench.naive.state_as_at``: simple, obviously right, shared with the benchmark);
- overdue as at D equals the definition applied to that reference;

and the incrementally maintained read model equals a full rebuild, also when a catch-up
is interrupted at a random point and restarted (nothing applied twice).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from adapters.settings import Settings
from adapters.signing import LedgerKey
from adapters.storage import bootstrap, read_models
from bench.naive import state_as_at
from domain.audit import acting_as_owner
from domain.errors import LedgerError
from domain.fold import item_refs
from domain.fuzzy_date import FuzzyDate
from domain.kinds import Status
from domain.recommendation import Recommendation
from domain.refs import recommendation_aggregate_id
from service import command_models as cmd
from tests.projection_rows import FailingAfter, Interrupted, digests, rows

REFS = ["overview/1", "overview/2", "imr/west-mercia-police/1"]
ITEMS = [*REFS, "overview/1.1", "overview/1.2", "imr/west-mercia-police/1.1"]
"""Recommendations and the sub-actions ``add_sub_action`` may add: what commands name."""
DATES = ["2013-06-30", "Autumn 2013", "Dec 2013", "2014-01-15", "Feb 2014", "2014", "July 2014"]
PROBES = [date(2013, 5, 1), date(2013, 10, 31), date(2013, 12, 31), date(2014, 2, 28),
          date(2014, 6, 30), date(2015, 1, 1)]  # fmt: skip

refs = st.sampled_from(REFS)
items = st.sampled_from(ITEMS)
dates = st.sampled_from(DATES).map(FuzzyDate.parse)
maybe_dates = st.one_of(st.none(), dates)
texts = st.sampled_from(["Policy drafted", "Training given", "Audit done", "Board briefed"])


def is_overdue(state: Any, as_at: date) -> bool:
    target = state.target
    return (
        state.status in (Status.OPEN, Status.IN_PROGRESS)
        and target is not None
        and target.deadline is not None
        and target.deadline < as_at
    )


class ProjectionMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.ledger = bootstrap(Settings(db="memory:", actor="x"))
        with acting_as_owner("coordinator", "test"):
            self.ledger.open_plan(cmd.OpenPlan(plan_id="dhr2", title="DHR Case No 2"))

    def teardown(self) -> None:
        self.ledger.close()

    def attempt(self, command: Any) -> None:
        with acting_as_owner("coordinator", "test"), contextlib.suppress(LedgerError):
            command(self.ledger)

    @initialize(effective=st.lists(maybe_dates, min_size=3, max_size=3), due=dates)
    def raise_all(self, effective: list[Any], due: FuzzyDate) -> None:
        for ref, when in zip(REFS, effective, strict=True):
            self.raise_recommendation(ref, when, due)

    @rule(ref=refs, effective=maybe_dates, due=dates)
    def raise_recommendation(self, ref: str, effective: Any, due: FuzzyDate) -> None:
        self.attempt(
            lambda ledger: ledger.raise_recommendation(
                "dhr2",
                cmd.RaiseRecommendation(
                    ref=ref, text="Act on it", leads=["DCI Smith"], target=due, effective=effective
                ),
            )
        )

    @rule(ref=st.sampled_from(["overview/1", "imr/west-mercia-police/1"]), due=maybe_dates)
    def add_sub_action(self, ref: str, due: Any) -> None:
        self.attempt(
            lambda ledger: ledger.change(
                "dhr2",
                ref,
                cmd.AddSubAction(text="Brief every team", leads=["DS Jones"], target=due),
            )
        )

    @rule(ref=items, text=texts, effective=dates)
    def record_progress(self, ref: str, text: str, effective: FuzzyDate) -> None:
        self.attempt(
            lambda ledger: ledger.change(
                "dhr2", ref, cmd.RecordProgress(text=text, effective=effective)
            )
        )

    @rule(ref=items, lead=st.sampled_from(["DS Jones", "Head of Service"]), effective=maybe_dates)
    def reassign(self, ref: str, lead: str, effective: Any) -> None:
        self.attempt(
            lambda ledger: ledger.change(
                "dhr2", ref, cmd.Reassign(leads=[lead], reason="restructure", effective=effective)
            )
        )

    @rule(ref=items, due=dates, effective=maybe_dates)
    def revise_target(self, ref: str, due: FuzzyDate, effective: Any) -> None:
        self.attempt(
            lambda ledger: ledger.change(
                "dhr2", ref, cmd.ReviseTarget(target=due, reason="HMIC", effective=effective)
            )
        )

    @rule(ref=items, effective=dates)
    def complete(self, ref: str, effective: FuzzyDate) -> None:
        self.attempt(lambda ledger: ledger.change("dhr2", ref, cmd.Complete(effective=effective)))

    @rule(ref=items, effective=maybe_dates)
    def reopen(self, ref: str, effective: Any) -> None:
        self.attempt(
            lambda ledger: ledger.change(
                "dhr2", ref, cmd.Reopen(reason="gaps", effective=effective)
            )
        )

    @rule(ref=items, effective=maybe_dates, often=st.integers(0, 3))
    def withdraw(self, ref: str, effective: Any, often: int) -> None:
        if often:  # withdrawing ends a recommendation's story: keep it rare
            return
        self.attempt(
            lambda ledger: ledger.change(
                "dhr2", ref, cmd.Withdraw(reason="superseded", effective=effective)
            )
        )

    @rule(ref=items, status=st.sampled_from([Status.ONGOING, Status.OPEN]))
    def change_status(self, ref: str, status: Status) -> None:
        self.attempt(lambda ledger: ledger.change("dhr2", ref, cmd.ChangeStatus(status=status)))

    @rule(
        ref=items,
        pick=st.floats(0, 1, exclude_max=True),
        kind=st.sampled_from(["retract", "text", "effective"]),
        effective=dates,
    )
    def correct(self, ref: str, pick: float, kind: str, effective: FuzzyDate) -> None:
        """Correct one of the item's events other than its raising."""
        numbers = self.numbers(ref)[1:]
        if not numbers:
            return
        number = numbers[int(pick * len(numbers))]
        amendment: dict[str, Any] = {}
        if kind == "text":
            amendment = {"text": "Corrected text"}
        elif kind == "effective":
            amendment = {"effective": effective}
        self.attempt(
            lambda ledger: ledger.change(
                "dhr2",
                ref,
                cmd.Correct(
                    event=str(number), reason="mistake", retract=kind == "retract", **amendment
                ),
            )
        )

    @rule(ref=items, retract=st.booleans(), effective=dates)
    def correct_latest_update(self, ref: str, retract: bool, effective: FuzzyDate) -> None:
        log = self.logs().get(ref.split(".")[0], [])
        latest = [
            n for n in self.numbers(ref)
            if isinstance(log[n - 1], Recommendation.ProgressRecorded)
        ][-1:]  # fmt: skip
        amendment = {} if retract else {"text": "Amended update", "effective": effective}
        for number in latest:
            self.attempt(
                lambda ledger, n=number: ledger.change(
                    "dhr2",
                    ref,
                    cmd.Correct(event=str(n), reason="typo", retract=retract, **amendment),
                )
            )

    def numbers(self, item: str) -> list[int]:
        """The history numbers of the events about an item (the parent's log, filtered)."""
        log = self.logs().get(item.split(".")[0], [])
        about = item_refs(log) if log else {}
        return [n for n, e in enumerate(log, 1) if about[e.event_id] == item]

    def logs(self) -> dict[str, list[Recommendation.Event]]:
        found = {}
        for ref in REFS:
            aggregate_id = recommendation_aggregate_id("dhr2", ref)
            events = list(self.ledger.events.get(aggregate_id))
            if events:
                found[ref] = events
        return found

    def moments(self, logs: dict[str, list[Recommendation.Event]]) -> list[datetime]:
        stamps = sorted({e.timestamp for log in logs.values() for e in log})
        picks = [stamps[0] - timedelta(microseconds=1), *stamps[-3:], stamps[len(stamps) // 2]]
        return [*picks, stamps[len(stamps) // 2] - timedelta(microseconds=1)]

    @invariant()
    def status_equals_the_reference_fold_and_marks_exactly_the_amended_updates(self) -> None:
        logs = self.logs()
        for known_at in self.moments(logs):
            for as_at in PROBES:
                views = {
                    v.ref: v for v in self.ledger.status("dhr2", as_at=as_at, known_at=known_at)
                }
                expected = {ref: state_as_at(log, as_at, known_at) for ref, log in logs.items()}
                expected = {ref: state for ref, state in expected.items() if state is not None}
                assert set(views) == set(expected), (as_at, known_at)
                for ref, state in expected.items():
                    view = views[ref]
                    amended = {
                        e.corrects for e in logs[ref]
                        if isinstance(e, Recommendation.Corrected) and not e.retract
                        and e.timestamp <= known_at
                    }  # fmt: skip
                    assert [s.ref for s in view.sub_actions] == [s.ref for s in state.sub_actions]
                    for item, held in zip(view.items(), (state, *state.sub_actions), strict=True):
                        assert (item.status, item.target, item.completed) == (
                            held.status, held.target, held.completed,
                        ), (item.ref, as_at, known_at)  # fmt: skip
                        assert item.agency == (held.agency or state.agency)
                        assert item.leads == (held.leads or state.leads)
                        assert item.text == held.text
                        assert item.corrected == held.corrected, (item.ref, as_at, known_at)
                        written = sorted((u.effective.end, u.text) for u in item.updates)
                        assert written == sorted(
                            (u.effective.end, u.text)
                            for u in held.updates
                            if u.effective.end is not None and u.effective.end <= as_at
                        ), (item.ref, as_at, known_at)
                        assert {u.event_id for u in item.updates if u.correction} == {
                            u.event_id for u in held.updates
                            if u.event_id in amended and u.effective.end is not None
                            and u.effective.end <= as_at
                        }, (item.ref, as_at, known_at)  # fmt: skip
                overdue = {
                    v.ref for v in self.ledger.overdue("dhr2", as_at=as_at, known_at=known_at).rows
                }
                assert overdue == {
                    item.ref
                    for state in expected.values()
                    for item in (state, *state.sub_actions)
                    if is_overdue(item, as_at)
                }

    @invariant()
    def overdue_pages_and_workload_as_known_now_equal_the_reference(self) -> None:
        """As known now they come from the items' index and, across all plans, the counts'
        steps: the same rows, in the same order (most overdue first, ties in the order
        raised), pages of the listing, and the same counts per lead and agency as the
        reference fold gives."""
        logs = self.logs()
        now = datetime.now(UTC)
        for as_at in PROBES:
            states = {ref: state_as_at(log, as_at, now) for ref, log in logs.items()}
            raised = {ref: log[0].timestamp for ref, log in logs.items()}
            expected = sorted(
                (
                    (-(as_at - item.target.deadline).days, raised[ref], ref, rank, item.ref)
                    for ref, state in states.items() if state is not None
                    for rank, item in enumerate((state, *state.sub_actions))
                    if is_overdue(item, as_at)
                ),
            )  # fmt: skip
            page = self.ledger.overdue("dhr2", as_at=as_at)
            assert [row.ref for row in page.rows] == [e[-1] for e in expected], as_at
            assert [-row.days_overdue for row in page.rows] == [e[0] for e in expected]
            second = self.ledger.overdue("dhr2", as_at=as_at, limit=2, offset=2)
            assert (second.total, second.rows) == (page.total, page.rows[2:4])
            # dhr2 is the only plan: across all plans, the total comes from the counts' steps
            everywhere = self.ledger.overdue(as_at=as_at, limit=3)
            assert (everywhere.total, everywhere.rows) == (len(expected), page.rows[:3])
            for by in ("lead", "agency"):
                counts: dict[str, dict[str, int]] = {}
                for state in states.values():
                    items = [(state, "recommendations")] if state else []
                    items += [(sub, "sub_actions") for sub in state.sub_actions] if state else []
                    for item, kind in items:
                        assert state is not None
                        names = (
                            item.leads or state.leads or ("(none)",)
                            if by == "lead"
                            else (item.agency or state.agency,)
                        )
                        for name in names:
                            count = counts.setdefault(name, {
                                f"{c}{k}": 0 for c in ("open", "overdue", "completed")
                                for k in ("", "_recommendations", "_sub_actions")
                            })  # fmt: skip
                            live = item.status in (Status.OPEN, Status.IN_PROGRESS)
                            for k in ("", f"_{kind}"):
                                count[f"open{k}"] += live
                                count[f"overdue{k}"] += is_overdue(item, as_at)
                                count[f"completed{k}"] += item.status == Status.COMPLETED
                reference = [{by: name, **c} for name, c in sorted(counts.items())]
                assert self.ledger.workload(by, "dhr2", as_at=as_at) == reference, (by, as_at)
                assert self.ledger.workload(by, as_at=as_at) == reference, (by, as_at)
                as_known = self.ledger.workload(by, "dhr2", as_at=as_at, known_at=now)
                assert as_known == reference, (by, as_at)  # from the views: the same counts

    @invariant()
    def incremental_equals_rebuild_even_after_an_interruption(self) -> None:
        incremental = self.ledger.read_model
        assert incremental is not None
        self.ledger.project()
        assert self.ledger.signer is not None
        key = cast(LedgerKey, self.ledger.signer)
        fresh = read_models(create_engine("sqlite://", poolclass=StaticPool), key)
        total = incremental.position()
        with contextlib.suppress(Interrupted):
            fresh.catch_up(FailingAfter(self.ledger, budget=total // 2), batch_size=3)
        fresh.catch_up(self.ledger, batch_size=4)
        assert fresh.position() == total
        assert rows(fresh) == rows(incremental)
        assert digests(fresh) == digests(incremental)  # kept by each, and of the rows held
        fresh.engine.dispose()


ProjectionMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestProjectionMachine = ProjectionMachine.TestCase
TestProjectionMachine.pytestmark = [pytest.mark.long]
