"""What changed in a plan between two bounds, on either time axis: computed from the
plan's own events (given per ref by the caller; a plan holds a few hundred), not from the
read models.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time

from domain.errors import InvalidCommand
from domain.events import AuditedEvent
from projections.history import as_corrected, history
from projections.views import ChangeView

Bound = date | datetime
"""A bound of a period: a day (the whole day), or, on the recorded axis, a moment."""


def changes_in(
    plan_id: str,
    aggregates: Iterable[tuple[str | None, Sequence[AuditedEvent]]],
    since: Bound,
    until: Bound,
    *,
    recorded: bool,
    corrected: bool = False,
) -> list[ChangeView]:
    """The events of a plan (given per ref) that took effect (or, ``recorded``, were
    recorded) from ``since`` to ``until``, both included, in the order they were recorded;
    ``corrected``: as the ledger now knows them (``history.as_corrected``).

    On the effective axis an event counts on the last day it may have happened; one with
    no effective date, on the day it was recorded."""
    if _moment(until, 1) < _moment(since, 0):
        raise InvalidCommand(
            f"the period ends ({until.isoformat()}) before it starts ({since.isoformat()})"
        )
    found = []
    for ref, events in aggregates:
        for entry in (as_corrected if corrected else history)(events):
            if recorded:
                within = _moment(since, 0) <= entry.recorded_at <= _moment(until, 1)
            else:
                end = entry.effective.end if entry.effective else None
                day = end or entry.recorded_at.date()
                within = _day(since) <= day <= _day(until)
            if within:
                found.append(ChangeView(plan_id, ref, entry))
    return sorted(found, key=lambda change: change.entry.recorded_at)


def _day(bound: Bound) -> date:
    return bound.date() if isinstance(bound, datetime) else bound


def _moment(bound: Bound, end: int) -> datetime:
    """A moment as given; a day from its first moment (``end`` 0) or to its last (1), UTC."""
    if isinstance(bound, datetime):
        return bound
    return datetime.combine(bound, time.max if end else time.min, tzinfo=UTC)
