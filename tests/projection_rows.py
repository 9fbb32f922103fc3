"""Every row a runner's projections hold, to compare two read models of the same log; and an
event source that fails part way, to interrupt a catch-up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from projections.digest import table_digest
from projections.runner import Runner

SURROGATE = {"id"}
"""Columns numbered by the database, which differ between equal read models."""


def rows(runner: Runner) -> dict[str, list[tuple[Any, ...]]]:
    """Each read model table's rows but surrogate ids, in a stable order, by table (not the
    seals, which are evidence: kept once, never rebuilt)."""
    found = {}
    with runner.engine.connect() as conn:
        for projection in runner.projections.values():
            if projection.evidence:
                continue
            for table in projection.tables:
                columns = [c for c in table.c if c.name not in SURROGATE]
                found[table.name] = sorted(
                    (tuple(r) for r in conn.execute(select(*columns))), key=repr
                )
    return found


def digests(runner: Runner) -> dict[str, dict[str, int] | None]:
    """Each read model's digests as kept in its tracking row, checked first against the
    digests of the rows its tables hold (``projections.digest``) and its row's seal."""
    with runner.engine.connect() as conn:
        tracked = runner.tracked(conn)
        for name, row in tracked.items():
            assert row.sealed, name
            held = {
                t.name: table_digest(conn, t, runner.key) for t in runner.projection(name).tables
            }
            assert row.digests == held, name
    return {name: row.digests for name, row in tracked.items()}


class Interrupted(Exception):
    pass


class FailingAfter:
    """An event source that fails once it has handed out ``budget`` notifications."""

    def __init__(self, source: Any, budget: int) -> None:
        self.source, self.budget = source, budget

    def notifications_after(self, position: int, limit: int) -> list[tuple[int, str, Any, Any]]:
        if self.budget <= 0:
            raise Interrupted
        found: list[tuple[int, str, Any, Any]] = self.source.notifications_after(
            position, min(limit, self.budget)
        )
        self.budget -= len(found)
        return found

    def events_of(self, aggregate_id: Any, up_to_version: int) -> Sequence[Any]:
        found: Sequence[Any] = self.source.events_of(aggregate_id, up_to_version)
        return found

    def log_from(self, position: int, limit: int) -> Sequence[tuple[int, str]]:
        found: Sequence[tuple[int, str]] = self.source.log_from(position, limit)
        return found
