"""The record of an item of a plan as at a day: the frozen value the domain's fold gives
(``domain.recommendation.record``), one for a recommendation and one for each of its
sub-actions. The read models keep it (``projections.timeline``) in its JSON form
(pydantic's, ``domain.record``); the queries' answers are it with what the day makes of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.fuzzy_date import FuzzyDate
from domain.kinds import Status
from domain.record import JsonForm, Moment
from domain.refs import Placed


@dataclass(frozen=True)
class Correction:
    """Who amended a value, when it was recorded, why: shown wherever the value is."""

    event_id: str
    actor: str
    recorded_at: Moment
    reason: str | None


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
    target: FuzzyDate | None
    raised: FuzzyDate | None
    """When it was raised (for a sub-action: added)."""
    status: Status
    completed: FuzzyDate | None
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
