"""An item's standing as at a day: open, due, overdue, and its RAG. Written once here;
the projections store the columns these rules need (an item's status, and the day it is
due by) and their SQL only compares them, so a rule changes in one place.

An item is a recommendation or one of its sub-actions, each with its own target and status.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol

from domain.fuzzy_date import FuzzyDate
from domain.kinds import Status

AMBER_DAYS = 30
"""An item due within this many days of D (and not overdue) is amber as at D."""
OPEN_STATUSES = frozenset({Status.OPEN, Status.IN_PROGRESS})
"""The statuses counted as open: work still to do (ongoing work is done as a practice)."""
NOT_DUE = frozenset({Status.COMPLETED, Status.WITHDRAWN, Status.ONGOING})
"""The statuses of an item that is due by no day, whatever its target."""
REMINDER_DAYS = 45
"""An open item is due soon, for reminders and the inbox, when its target's last day is
within this many days; a plan may set its own window (``Plan.ReminderWindowSet``)."""
REMINDER_DAYS_MAX = 366
NO_LEAD = "(none)"
"""Where the counts per lead count an item that names no lead."""


class Item(Protocol):
    """What the rules read of an item."""

    @property
    def target(self) -> FuzzyDate | None: ...

    @property
    def status(self) -> Status: ...


def is_open(status: Status) -> bool:
    return status in OPEN_STATUSES


def deadline_due(target: FuzzyDate | None, status: Status) -> date | None:
    """The day an item is due by: its target's last day, unless it is not due at all."""
    if status in NOT_DUE or target is None:
        return None
    return target.deadline


def due_by(items: Iterable[Item]) -> date | None:
    """The earliest deadline among items still due (a recommendation and its sub-actions)."""
    deadlines = [deadline_due(item.target, item.status) for item in items]
    return min((d for d in deadlines if d is not None), default=None)


def counts_from(effective: FuzzyDate | None, recorded: datetime) -> date:
    """The first day as at which an event counts: the end of its effective date, or the day
    it was recorded when that date has no end on the calendar (or there is none)."""
    return effective.end if effective and effective.end else recorded.date()


def is_overdue(due: date | None, as_at: date) -> bool:
    """Overdue as at D exactly when the day it is due by is before D."""
    return due is not None and due < as_at


def assess(
    target: FuzzyDate | None, status: Status, as_at: date
) -> tuple[bool, int | None, str | None]:
    """(overdue, days overdue, RAG) of an item as at a day."""
    if status in (Status.COMPLETED, Status.ONGOING):
        return False, None, "green"
    deadline = deadline_due(target, status)
    if deadline is None:
        return False, None, None
    if is_overdue(deadline, as_at):
        return True, (as_at - deadline).days, "red"
    if (deadline - as_at).days <= AMBER_DAYS:
        return False, None, "amber"
    return False, None, None


def is_due_soon(item: Item, day: date, within: int) -> bool:
    """Open, and due by a day from ``day`` to ``within`` days after it."""
    deadline = item.target.deadline if item.target else None
    return is_open(item.status) and deadline is not None and 0 <= (deadline - day).days <= within
