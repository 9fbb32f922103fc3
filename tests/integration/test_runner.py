"""The projection runner: any projection that declares its name, version, tables and how
it applies a batch is kept exactly once, with no code of its own for tracking or locks."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    select,
    update,
)
from sqlalchemy.pool import StaticPool

from adapters.storage import digest_key, event_store_env, read_model_engine, read_models
from domain.audit import acting_as_owner
from domain.fuzzy_date import FuzzyDate
from projections.digest import Tally
from projections.projection import EventSource
from projections.recommendations import Recommendations
from projections.runner import Runner
from projections.tables import tracking
from service.command_models import OpenPlan, RaiseRecommendation, RecordProgress
from service.ledger import Ledger
from tests.conftest import plan_with_updates, session_key
from tests.projection_rows import FailingAfter, Interrupted, digests

counts = Table(
    "test_event_counts",
    MetaData(),
    Column("type", String(64), primary_key=True),
    Column("seen", Integer, nullable=False),
    info={"additive": True},
)


class EventCounts:
    """A projection defined outside the package: how many events of each type."""

    name = "event-counts"
    version = 1
    evidence = False
    tables: tuple[Table, ...] = (counts,)

    def forget(self) -> None:
        pass

    def apply(
        self, conn: Connection, events: Sequence[Any], source: EventSource, tally: Tally
    ) -> None:
        for kind, seen in Counter(type(e).__name__ for e in events).items():
            tally.rows(counts, [{"type": kind, "seen": seen}])  # an additive table
            found = conn.execute(select(counts.c.seen).where(counts.c.type == kind)).scalar()
            if found is None:
                conn.execute(counts.insert().values(type=kind, seen=seen))
            else:
                conn.execute(update(counts).where(counts.c.type == kind).values(seen=found + seen))


def seen(runner: Runner) -> dict[str, int]:
    with runner.engine.connect() as conn:
        return {row.type: row.seen for row in conn.execute(select(counts))}


def test_a_new_projection_is_kept_exactly_once_through_interruptions_beside_the_others(
    db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    ledger = open_ledger(db_url)
    plan_with_updates(ledger, 10)
    engine = read_model_engine(event_store_env(db_url))
    key = session_key()
    runner = Runner(
        engine,
        [*read_models(engine, key).projections.values(), EventCounts()],
        digest_key(key),
    )
    for budget in (3, 5, 8):  # each catch-up dies part way, after a batch or two
        with contextlib.suppress(Interrupted):
            runner.catch_up(FailingAfter(ledger, budget), batch_size=2, behind=True)
    runner.catch_up(ledger, batch_size=4)
    assert seen(runner) == {"Opened": 1, "Raised": 10, "ProgressRecorded": 10}
    with engine.connect() as conn:
        positions = dict(conn.execute(select(tracking.c.name, tracking.c.position)).all())
    assert set(positions.values()) == {21}  # every projection at the end of the log
    runner.clear(["event-counts"])
    assert runner.catch_up(ledger) == 21 and seen(runner)["Raised"] == 10
    engine.dispose()


def test_a_projection_on_its_own_engine_rebuilds_from_nothing() -> None:
    """The runner creates a projection's tables and tracking row on first use."""
    runner = Runner(create_engine("sqlite://", poolclass=StaticPool), [EventCounts()], b"k")
    assert runner.position() == 0 and seen(runner) == {}


def test_a_rebuild_cut_short_then_caught_up_in_small_batches_seals_nothing_twice(
    db_url: str, open_ledger: Callable[[str], Ledger]
) -> None:
    """After a rebuild killed half-way, the read models start again from 0 while the seals
    are at the end of the log; a catch-up in batches must not move the seals back to the
    end of its first batch (they would seal the rest again, and verify would report the log
    truncated: found by the crash loops, bench/crashes.py)."""
    ledger = open_ledger(db_url)
    with acting_as_owner("coordinator", "test"):
        ledger.open_plan(OpenPlan(plan_id="dhr2", title="DHR Case No 2"))
        for n in range(1, 11):
            ledger.raise_recommendation(
                "dhr2", RaiseRecommendation(ref=f"overview/{n}", text="Act", leads=["DCI Smith"])
            )
    runner = ledger.read_model
    assert runner is not None
    runner.clear()  # the rebuild's first step; the process dies before it catches up
    runner.catch_up(ledger, batch_size=3)
    with runner.engine.connect() as conn:
        positions = dict(conn.execute(select(tracking.c.name, tracking.c.position)).all())
    assert set(positions.values()) == {11}
    verified = ledger.verify()
    assert verified.intact and verified.sealed == verified.size == 11, verified.divergence


def test_a_recommendation_changed_again_after_its_cache_entry_made_room_in_one_batch_applies(
    ledger: Ledger,
) -> None:
    """Found by ``verify --deep`` on the integrity benchmark: in one batch, a recommendation
    raised, then pushed out of the projection's cache by others, then changed again, was
    looked for in tables the batch had not written yet (IndexError, the rebuild stopped)."""
    with acting_as_owner("coordinator", "test"):
        ledger.open_plan(OpenPlan(plan_id="p", title="A plan"))
        for n in range(1, 5):
            ledger.raise_recommendation("p", RaiseRecommendation(ref=f"overview/{n}", text="Act"))
        ledger.change(
            "p", "overview/1", RecordProgress(text="Later", effective=FuzzyDate.parse("2014-02-01"))
        )
    small = Runner(
        create_engine("sqlite://", poolclass=StaticPool),
        [Recommendations(cache_size=2)],
        ledger.read_model.key,
    )
    assert small.catch_up(ledger, batch_size=100) == 6
    assert digests(small)["recommendations"] == digests(ledger.read_model)["recommendations"]
