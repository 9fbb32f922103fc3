"""The record of an item of a plan as at a day, one for a recommendation and one for each
of its sub-actions: the frozen value made from the domain's fold (``record``). The read
models keep it (``projections.timeline``) in its JSON form (``projections.record``); the
queries' answers are it with what the day makes of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from domain import state as domain
from domain.kinds import Status
from domain.refs import Placed
from domain.state import ItemState, RecommendationState, SubActionState
from projections.record import FuzzyDateData, JsonForm, Moment


@dataclass(frozen=True, eq=False)
class Correction(domain.Correction):
    """A correction as a record holds it: its moment as Python writes it (``+00:00``).
    It equals the domain's correction it was made from (a dataclass's own ``==`` would
    tell them apart by their classes)."""

    recorded_at: Moment

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, domain.Correction):
            return NotImplemented
        return vars(self) == vars(other)

    __hash__ = domain.Correction.__hash__


@dataclass(frozen=True, kw_only=True)
class Item(Placed, JsonForm):
    """A recommendation, or one of its numbered sub-actions (``parent`` set: the ref of
    its recommendation), as at a day; without its updates, only whether it has any."""

    plan: str
    ref: str
    parent: str | None = None
    theme: str = ""
    """The theme or section of the plan its recommendation sits under, or ""."""
    agency: str
    """For a sub-action, "" when it is its recommendation's."""
    leads: tuple[str, ...]
    text: str
    target: FuzzyDateData | None
    raised: FuzzyDateData | None
    """When it was raised (for a sub-action: added)."""
    status: Status
    completed: FuzzyDateData | None
    evidence: str | None = None
    has_updates: bool = False
    sub_actions: tuple[Item, ...] = ()
    corrected: Mapping[str, Correction] = field(default_factory=dict, hash=False)
    """For each field whose value comes from a correction: that correction, so a
    corrected value is shown as corrected."""

    @property
    def action(self) -> str | None:
        """A sub-action's number under its recommendation (``2``); None for a recommendation."""
        return None if self.parent is None else self.ref[len(self.parent) + 1 :]

    def items(self) -> tuple[Item, ...]:
        """It, then its sub-actions: each an item with its own status and target."""
        return (self, *self.sub_actions)


def record(state: RecommendationState) -> Item:
    """The frozen record of a recommendation's state, with its sub-actions': the one
    place it is made."""
    return Item(
        **_shared(state),
        plan=state.plan_id,
        theme=state.theme,
        raised=state.raised,
        sub_actions=tuple(
            Item(**_shared(sub), plan=state.plan_id, parent=state.ref, theme=state.theme,
                 raised=sub.added)
            for sub in state.sub_actions
        ),
    )  # fmt: skip


def state_of(item: Item) -> RecommendationState:
    """The state a record was made from (its updates only as their presence): to fold on."""
    return RecommendationState(
        **_unshared(item),
        plan_id=item.plan,
        theme=item.theme,
        raised=item.raised,
        sub_actions=[
            SubActionState(**_unshared(sub), action=sub.action or "", added=sub.raised)
            for sub in item.sub_actions
        ],
    )


_SHARED = ("ref", "text", "agency", "leads", "target", "status", "completed", "evidence")
"""The fields an item's state and its record have alike."""


def _shared(state: ItemState) -> dict[str, Any]:
    return {
        **{name: getattr(state, name) for name in _SHARED},
        "has_updates": bool(state.updates),
        "corrected": {name: Correction(**vars(c)) for name, c in sorted(state.corrected.items())},
    }


def _unshared(item: Item) -> dict[str, Any]:
    return {
        **{name: getattr(item, name) for name in _SHARED},
        "updates": [None] * item.has_updates,  # only their presence is recorded
        "corrected": dict(item.corrected),
    }
