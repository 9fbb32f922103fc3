"""Whether the read models hold what the log says: what ``verify`` checks beside the log.

The quick check reads every row of every read model and compares its tables' digests
(``projections.digest``) with those the projection kept as it wrote them, sealed in its
tracking row with a key only the ledger holds: an edit made in the database changes the
first and not the second. The deep check (``verify --deep``, and the quick one where it
finds a difference, to name it) rebuilds the read models from the log into a scratch
database and compares them table by table and item by item. Either way a difference is
named by table and item, and ``recledger rebuild`` puts it right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from projections.digest import by_item, differing_items, item_columns, places, table_digest
from projections.projection import EventSource
from projections.runner import Runner
from projections.tables import tracking
from projections.transactions import read_snapshot
from service.store import Store


@dataclass(frozen=True)
class Difference:
    """Where a read model does not hold what the log says."""

    table: str
    item: str
    """The item whose rows differ (a plan and ref, a lead, an agency, a plan), or ""."""
    detail: str

    def __str__(self) -> str:
        return f"{self.table}: {self.item + ': ' if self.item else ''}{self.detail}"

    def to_json(self) -> dict[str, str]:
        return {"table": self.table, "item": self.item, "detail": self.detail}


def check(ledger: Store, *, deep: bool = False) -> list[Difference]:
    """The read models' differences from the log (none: they hold what it says)."""
    runner = ledger.read_model
    if ledger.projects_inline:
        ledger.project()
    found: list[Difference] = []
    differing: list[Any] = []  # tables
    with runner.engine.connect() as conn, read_snapshot(conn) as snapshot:
        for name, row in runner.tracked(snapshot).items():
            if not row.sealed:
                found.append(
                    Difference(
                        tracking.name,
                        name,
                        "the row that says how far this read model has applied the log, and "
                        "what its tables hold, was changed outside the ledger (its seal does "
                        "not hold)",
                    )
                )
            for table in runner.projection(name).tables:
                kept = (row.digests or {}).get(table.name)
                if deep or kept != table_digest(snapshot, table, runner.key):
                    differing.append(table)
    if differing:
        named = _compare(ledger, runner, differing)
        if not named and not deep:  # the digests differ, yet the rows are the log's
            named = [Difference(t.name, "", _DIGEST_ONLY) for t in differing]
        found += named
    return found


_DIGEST_ONLY = (
    "its rows are those the log gives, but not those its digest was kept for: the digest "
    "in its tracking row was changed"
)


def _compare(ledger: Store, runner: Runner, tables: Sequence[Any]) -> list[Difference]:
    """Rebuild the projections of ``tables`` from the log, up to where the read models
    are, in a scratch database; name each item whose rows differ."""
    names = {
        name for name in runner.read_models for t in tables if t in runner.projection(name).tables
    }
    found: list[Difference] = []
    with runner.engine.connect() as conn, read_snapshot(conn) as snapshot:
        positions = {name: row.position for name, row in runner.tracked(snapshot).items()}
        live = {t.name: by_item(snapshot, t, runner.key, item_columns(t)) for t in tables}
        named = places(snapshot)
    for position in sorted({positions[name] for name in names}):
        at = [name for name in names if positions[name] == position]
        with ledger.scratch_engine() as engine:
            projections = [type(runner.projection(name))() for name in at]
            scratch = Runner(engine, projections, runner.key)
            scratch.catch_up(UpTo(ledger, position), batch_size=20_000)
            with engine.connect() as conn:
                named |= places(conn)
                for projection in projections:
                    for table in projection.tables:
                        if table.name in live:
                            rebuilt = by_item(conn, table, runner.key, item_columns(table))
                            found += [
                                Difference(table.name, item, detail)
                                for item, detail in differing_items(
                                    table, live[table.name], rebuilt, named
                                )
                            ]
    return found


class UpTo:
    """The log as it was at ``last``: the events after it left out."""

    def __init__(self, source: EventSource, last: int) -> None:
        self.source, self.last = source, last

    def notifications_after(self, position: int, limit: int) -> Sequence[tuple[int, str, Any, Any]]:
        found = self.source.notifications_after(position, limit)
        return [n for n in found if n[0] <= self.last]

    def events_of(self, aggregate_id: Any, up_to_version: int) -> Sequence[Any]:
        return self.source.events_of(aggregate_id, up_to_version)

    def log_from(self, position: int, limit: int) -> Sequence[tuple[int, str]]:
        return [n for n in self.source.log_from(position, limit) if n[0] <= self.last]
