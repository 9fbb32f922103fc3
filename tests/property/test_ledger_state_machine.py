"""Random command sequences against a ledger on a real SQLite file.

After every step: the state reloaded from the store equals the state built live;
versions rise by one per event; every event has an actor and a recorded time; every
stored record read earlier is read back byte for byte; and a refused command wrote
nothing.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from adapters.settings import Settings
from adapters.storage import bootstrap
from domain.audit import acting_as_owner
from domain.errors import LedgerError
from domain.fold import fold
from domain.fuzzy_date import FuzzyDate
from domain.kinds import SETTABLE_STATUSES
from domain.recommendation import Recommendation
from service.command_models import OpenPlan

REFS = ["overview/1", "overview/2", "imr/west-mercia-police/1"]
ACTORS = ["coordinator", "wmp-lead", "auditor"]

refs = st.sampled_from(REFS)
words = st.text(alphabet="abcdefghij ", min_size=0, max_size=12)
leads = st.lists(st.sampled_from(["DCI Smith", "DS Jones", "Head of Service", " "]), max_size=3)
dates = st.sampled_from(
    ["July 2014", "Feb 2014", "Autumn 2013", "1st April 2013", "2013-09-30", "Ongoing", "1st July"]
).map(FuzzyDate.parse)
reasons = st.sampled_from(["", "restructure", "HMIC review"])


@functools.cache
def a_ledger_with_the_plan() -> Path:
    """A ledger file made once, as every machine starts: created, and plan dhr2 opened.

    Creating a ledger's tables takes ten to twenty times as long as opening a copy of
    one, and a machine checks what its commands do, not how a ledger is created (the
    unit and integration tests do): each machine opens a copy of this file of its own."""
    where = Path(tempfile.mkdtemp())
    atexit.register(shutil.rmtree, where, True)
    ledger = bootstrap(Settings(db=str(where / "ledger.db"), actor="x"))
    with acting_as_owner("coordinator", "test"):
        ledger.open_plan(OpenPlan(plan_id="dhr2", title="DHR Case No 2"))
    ledger.close()
    return where


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.mkdtemp()
        shutil.copytree(a_ledger_with_the_plan(), self.tmp, dirs_exist_ok=True)
        self.ledger = bootstrap(Settings(db=str(Path(self.tmp) / "ledger.db"), actor="x"))
        assert [n.topic for n in self.ledger.recorder.select_notifications(1, 10)] == [
            "domain.plan:Plan.Opened"
        ]  # fmt: skip
        self.live: dict[str, Recommendation] = {}
        self.seen: list[tuple[int, str, bytes]] = []

    def teardown(self) -> None:
        self.ledger.close()
        shutil.rmtree(self.tmp)

    def stored(self) -> list[tuple[int, str, bytes]]:
        return [
            (n.id, n.topic, bytes(n.state))
            for n in self.ledger.recorder.select_notifications(1, 100_000)
        ]

    def attempt(self, actor: str, ref: str, command: Any) -> None:
        """Run a command on the live aggregate and save it; a refusal must write nothing."""
        before = self.stored()
        with acting_as_owner(actor, "test"):
            try:
                command(self.live[ref]) if ref in self.live else command(None)
            except LedgerError:
                assert self.stored() == before
                return
            if ref in self.live:
                self.ledger.save(self.live[ref])

    @initialize(lead=leads, due=dates)
    def raise_the_first(self, lead: list[str], due: FuzzyDate) -> None:
        self.raise_recommendation("coordinator", REFS[0], "Act on repeat calls", lead, due)

    @rule(actor=st.sampled_from(ACTORS), ref=refs, text=words, lead=leads, due=dates)
    def raise_recommendation(
        self, actor: str, ref: str, text: str, lead: list[str], due: FuzzyDate
    ) -> None:
        def command(_: Any) -> None:
            if ref in self.live:
                return
            self.live[ref] = Recommendation.raise_recommendation(
                plan_id="dhr2", ref=ref, text=text, leads=lead, target=due
            )

        self.attempt(actor, ref, command)

    @rule(actor=st.sampled_from(ACTORS), ref=refs, text=words, effective=dates)
    def record_progress(self, actor: str, ref: str, text: str, effective: FuzzyDate) -> None:
        self.attempt(actor, ref, lambda rec: rec and rec.record_progress(text, effective))

    @rule(actor=st.sampled_from(ACTORS), ref=refs, lead=leads, reason=reasons)
    def reassign_leads(self, actor: str, ref: str, lead: list[str], reason: str) -> None:
        self.attempt(actor, ref, lambda rec: rec and rec.reassign_leads(lead, reason))

    @rule(actor=st.sampled_from(ACTORS), ref=refs, due=dates, reason=reasons)
    def revise_target(self, actor: str, ref: str, due: FuzzyDate, reason: str) -> None:
        self.attempt(actor, ref, lambda rec: rec and rec.revise_target(due, reason))

    @rule(ref=refs, status=st.sampled_from(SETTABLE_STATUSES))
    def change_status(self, ref: str, status: Any) -> None:
        self.attempt("coordinator", ref, lambda rec: rec and rec.change_status(status))

    @rule(ref=refs, effective=dates)
    def complete(self, ref: str, effective: FuzzyDate) -> None:
        self.attempt("coordinator", ref, lambda rec: rec and rec.complete(effective))

    @rule(ref=refs, reason=reasons)
    def reopen(self, ref: str, reason: str) -> None:
        self.attempt("coordinator", ref, lambda rec: rec and rec.reopen(reason))

    @rule(ref=refs, reason=reasons)
    def withdraw(self, ref: str, reason: str) -> None:
        self.attempt("coordinator", ref, lambda rec: rec and rec.withdraw(reason))

    @rule(ref=refs, index=st.integers(0, 30), retract=st.booleans(), text=words, reason=reasons)
    def correct(self, ref: str, index: int, retract: bool, text: str, reason: str) -> None:
        def command(rec: Recommendation | None) -> None:
            if rec is None:
                return
            target = rec.log[index % len(rec.log)]
            amendment = {} if retract else {"text": text}
            rec.correct(target.event_id, reason, retract=retract, amendment=amendment)

        self.attempt("auditor", ref, command)

    @invariant()
    def reloaded_state_equals_live_state_and_its_log_is_attributed(self) -> None:
        """Each recommendation reloaded from the store once a step (two invariants read it
        each for itself, twice the reading, the same checks): it equals the live one;
        its versions rise by one an event; every event is attributed and timed."""
        for ref, live in self.live.items():
            reloaded = self.ledger.recommendation("dhr2", ref)
            assert reloaded.version == live.version
            assert reloaded.log == live.log
            assert reloaded.state == live.state
            assert fold(reloaded.log) == reloaded.state
            log = reloaded.log
            assert [e.originator_version for e in log] == list(range(1, len(log) + 1))
            assert all(e.actor in ACTORS and e.source == "test" for e in log)
            assert all(e.timestamp.tzinfo is not None for e in log)
            assert [e.timestamp for e in log] == sorted(e.timestamp for e in log)

    @invariant()
    def nothing_stored_is_lost_or_rewritten(self) -> None:
        now = self.stored()
        assert now[: len(self.seen)] == self.seen
        self.seen = now


LedgerMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLedgerMachine = LedgerMachine.TestCase
