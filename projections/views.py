"""The answers the queries give: frozen records of a recommendation (or sub-action) as at
a day, its updates, an overdue row, a page of them, a change; each with its JSON form.

They hold no rule of their own: ``projections.queries`` and ``projections.changes`` fill
them from the read models and the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.fuzzy_date import FuzzyDate
from domain.kinds import Status
from domain.recommendation import Correction
from domain.refs import Ref
from projections.history import HistoryEntry


@dataclass(frozen=True)
class UpdateView:
    effective: FuzzyDate
    text: str
    actor: str
    recorded_at: datetime
    source: str
    event_id: str = ""
    sequence: int = 0
    """Its number in the recommendation's history."""
    correction: Correction | None = None
    """The latest correction it is read through, if any."""
    action: str | None = None
    """The sub-action it is about; None: the recommendation itself."""

    def to_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "sequence": self.sequence,
            "effective": self.effective.to_data(),
            "text": self.text,
            "actor": self.actor,
            "recorded_at": self.recorded_at.isoformat(),
            "source": self.source,
            "corrected": self.correction is not None,
            **({"correction": self.correction.to_json()} if self.correction else {}),
        }


@dataclass(frozen=True)
class RecommendationView:
    """A recommendation, or one of its sub-actions (``parent`` set), as at a day."""

    plan: str
    ref: str
    text: str
    agency: str
    leads: tuple[str, ...]
    target: FuzzyDate | None
    raised: FuzzyDate | None
    """When it was raised (for a sub-action: added)."""
    status: Status
    completed: FuzzyDate | None
    sub_actions: tuple[RecommendationView, ...]
    updates: tuple[UpdateView, ...]
    overdue: bool
    days_overdue: int | None
    rag: str | None
    theme: str = ""
    position: int = 0
    """When it was first recorded (read-model micros): orders plans and sections."""
    corrected: dict[str, Correction] = field(default_factory=dict)
    """Fields whose value a correction set (``text``, ``leads``, ``target``...), each with
    that correction."""
    parent: str | None = None
    """For a sub-action, its recommendation's ref."""

    @property
    def section(self) -> str:
        return Ref.stored(self.ref).section

    @property
    def number(self) -> str:
        return Ref.stored(self.ref).number

    @property
    def last_update(self) -> UpdateView | None:
        return self.updates[-1] if self.updates else None

    def items(self) -> tuple[RecommendationView, ...]:
        """It, then its sub-actions: each an item with its own status and target."""
        return (self, *self.sub_actions)

    def to_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "ref": self.ref,
            **({"parent": self.parent} if self.parent else {}),
            "section": self.section,
            "theme": self.theme,
            "number": self.number,
            "agency": self.agency,
            "leads": list(self.leads),
            "text": self.text,
            "target": self.target.to_data() if self.target else None,
            "raised": self.raised.to_data() if self.raised else None,
            "status": self.status.value,
            "completed": self.completed.to_data() if self.completed else None,
            "sub_actions": [sub.to_json() for sub in self.sub_actions],
            "updates": [u.to_json() for u in self.updates],
            "overdue": self.overdue,
            "days_overdue": self.days_overdue,
            "rag": self.rag,
            "corrected_fields": {name: by.to_json() for name, by in self.corrected.items()},
        }


@dataclass(frozen=True)
class ChangeView:
    """One event of a plan, with the recommendation it belongs to (None: the plan's own)."""

    plan: str
    ref: str | None
    entry: HistoryEntry

    def to_json(self) -> dict[str, Any]:
        return {"plan": self.plan, "ref": self.ref, **self.entry.to_json()}


@dataclass(frozen=True)
class OverdueRow:
    """An overdue item as a dashboard lists it: no update lists (those are in ``status``),
    only the last update as at the day."""

    plan: str
    ref: str
    parent: str | None
    agency: str
    leads: tuple[str, ...]
    target: FuzzyDate | None
    status: Status
    days_overdue: int
    last_update: UpdateView | None
    overdue: bool = True
    rag: str = "red"
    corrected: dict[str, Correction] = field(default_factory=dict)

    @classmethod
    def of(cls, view: RecommendationView) -> OverdueRow:
        return cls(
            view.plan, view.ref, view.parent, view.agency, view.leads, view.target,
            view.status, view.days_overdue or 0, view.last_update, corrected=view.corrected,
        )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        last = self.last_update
        return {
            "plan": self.plan,
            "ref": self.ref,
            "parent": self.parent,
            "agency": self.agency,
            "leads": list(self.leads),
            "target": self.target.to_data() if self.target else None,
            "status": self.status.value,
            "days_overdue": self.days_overdue,
            "rag": self.rag,
            "last_update": {"effective": last.effective.to_data(), "text": last.text}
            if last
            else None,
        }


@dataclass(frozen=True)
class Page:
    """Some rows of a listing, and how many there are in all."""

    total: int
    rows: list[OverdueRow]
    limit: int | None
    offset: int

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "rows": [row.to_json() for row in self.rows],
        }
