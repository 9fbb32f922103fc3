"""What is true of a recommendation and its sub-actions after a sequence of events: the
state the fold (``domain.fold.fold``) builds, and the one rule that settles a
recommendation by its sub-actions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.errors import RecommendationNotFound
from domain.fuzzy_date import FuzzyDate
from domain.kinds import Status
from domain.refs import Placed


@dataclass(frozen=True)
class Correction:
    """Who amended a value, when it was recorded, why: shown wherever the value is."""

    event_id: str
    actor: str
    recorded_at: datetime
    reason: str | None


@dataclass(frozen=True)
class ProgressUpdate:
    event_id: str
    effective: FuzzyDate
    text: str
    actor: str
    recorded_at: datetime
    source: str


@dataclass(frozen=True)
class Proposal:
    """A change that awaits a coordinator's sign-off: not a fact until approved."""

    event_id: str
    kind: str
    """What needs the sign-off (``domain.kinds.SignOff``)."""
    change: str
    """Which change it is (the name the commands know it by) and its fields."""
    proposed: dict[str, Any]
    action: str | None
    actor: str
    recorded_at: datetime
    reason: str | None


@dataclass(kw_only=True)
class ItemState(Placed):
    """What is true of one item of a plan after a sequence of events: a recommendation,
    or one of its numbered sub-actions (an item of its own, with the same fields)."""

    ref: str
    text: str
    agency: str
    """For a sub-action, "" when it is its recommendation's."""
    leads: tuple[str, ...]
    target: FuzzyDate | None
    status: Status = Status.OPEN
    updates: list[ProgressUpdate] = field(default_factory=list)
    completed: FuzzyDate | None = None
    evidence: str | None = None
    corrected: dict[str, Correction] = field(default_factory=dict)
    """For each field whose value comes from a correction: that correction, so a
    corrected value is shown as corrected."""


@dataclass(kw_only=True)
class SubActionState(ItemState):
    """A numbered action under a recommendation; its ref is the recommendation's and its
    number, dotted (``overview/3.2``)."""

    action: str
    """Its number under the recommendation (``2``)."""
    added: FuzzyDate | None = None


@dataclass(kw_only=True)
class RecommendationState(ItemState):
    """A recommendation after a sequence of events, with its sub-actions."""

    plan_id: str
    raised: FuzzyDate | None
    theme: str = ""
    sub_actions: list[SubActionState] = field(default_factory=list)
    proposals: dict[str, Proposal] = field(default_factory=dict)
    """The changes proposed and not yet decided, by the id of their proposal."""

    def item(self, action: str | None) -> ItemState:
        """The recommendation itself (``action`` None), or its sub-action of that number."""
        found = self.find(action)
        if found is None:
            raise RecommendationNotFound(f"{self.ref} has no sub-action {action}")
        return found

    def find(self, action: str | None) -> ItemState | None:
        """As ``item``; None when it has no such sub-action (as at a day before it was added,
        events about it have no effect yet: a sub-action exists once its adding counts)."""
        if action is None:
            return self
        return next((sub for sub in self.sub_actions if sub.action == action), None)


def sub_action_ref(ref: str, action: str) -> str:
    """The ref of a recommendation's sub-action: one grammar with refs (``overview/3.2``)."""
    return f"{ref}.{action}"


CLOSED = (Status.COMPLETED, Status.WITHDRAWN)


def settle(state: RecommendationState) -> None:
    """The one rule for a recommendation with sub-actions: it is completed exactly when every
    sub-action is completed or withdrawn and at least one completed, and then no earlier than
    the last of them (its completion date is the latest of theirs and its own). A sub-action
    reopened or added later makes it no longer completed. (Completing, reopening or
    withdrawing the recommendation does the same to its sub-actions first: the events'
    ``change``.) A withdrawn recommendation stays withdrawn."""
    subs = state.sub_actions
    if not subs or state.status == Status.WITHDRAWN:
        return
    closed = all(sub.status in CLOSED for sub in subs)
    done = [sub.completed for sub in subs if sub.status == Status.COMPLETED and sub.completed]
    if closed and done:
        own = [state.completed] if state.status == Status.COMPLETED and state.completed else []
        state.status = Status.COMPLETED
        state.completed = max([*done, *own], key=_last_day)
    elif state.status == Status.COMPLETED and not closed:
        reopen(state, has_updates=bool(state.updates or any(s.updates for s in subs)))


def _last_day(day: FuzzyDate) -> date:
    return day.end or date.min


def reopen(item: ItemState, *, has_updates: bool) -> None:
    """The item is no longer completed: in progress if it has updates, else open."""
    item.status = Status.IN_PROGRESS if has_updates else Status.OPEN
    item.completed = None
    item.evidence = None


def mark(item: ItemState, shows: Mapping[str, str], data: Mapping[str, Any]) -> None:
    """Mark each field of the item an event set (``shows``: its field -> the item's) as
    corrected by the correction ``data`` names for it, or as not corrected."""
    by_field = data.get("corrected", {})
    for own, shown in shows.items():
        if own in by_field and getattr(item, shown) not in (None, "", ()):
            item.corrected[shown] = by_field[own]
        else:
            item.corrected.pop(shown, None)
    for shown in [name for name in item.corrected if getattr(item, name) in (None, "")]:
        del item.corrected[shown]  # e.g. a completion undone by a reopening


def with_sub_actions(
    item: ItemState, state: RecommendationState, which: Callable[[SubActionState], bool]
) -> list[ItemState]:
    """The item, and when it is the recommendation itself, ``which`` of its sub-actions."""
    return [item, *(sub for sub in state.sub_actions if which(sub))] if item is state else [item]
