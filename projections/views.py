"""The answers the queries give: frozen records of a recommendation (or sub-action) as at
a day, its updates, an overdue row, a page of them, a change; each with its JSON form.

They hold no rule of their own: ``projections.queries`` and ``projections.changes`` fill
them from the read models and the log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Annotated, Any

from pydantic import Field, computed_field

from domain.kinds import Status
from domain.refs import Placed
from domain.rules import assess
from projections.history import HistoryEntry
from projections.item import Correction, Item
from projections.record import FuzzyDateData, JsonForm, Moment, absent
from projections.timeline import as_shown


@dataclass(frozen=True)
class LastUpdate(JsonForm):
    """An update as a listing shows it: when, and what."""

    effective: FuzzyDateData
    text: str
    correction: Annotated[Correction | None, Field(exclude=True)] = None
    """The latest correction it is read through, if any."""


@dataclass(frozen=True, kw_only=True)
class UpdateView(LastUpdate):
    correction: Annotated[Correction | None, Field(exclude_if=absent)] = None
    actor: str
    recorded_at: Moment
    source: str
    event_id: str = ""
    sequence: int = 0
    """Its number in the recommendation's history."""
    action: Annotated[str | None, Field(exclude=True)] = None
    """The sub-action it is about; None: the recommendation itself."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def corrected(self) -> bool:
        return self.correction is not None

    def last(self) -> LastUpdate:
        return LastUpdate(self.effective, self.text, self.correction)


@dataclass(frozen=True, kw_only=True)
class RecommendationView(Item):
    """A recommendation, or one of its sub-actions (``parent`` set), as at a day: its
    record, its updates as at the day, and whether it is overdue then. Its JSON form
    leaves out ``parent`` for a recommendation, and its evidence and position."""

    parent: Annotated[str | None, Field(exclude_if=absent)] = None
    evidence: Annotated[str | None, Field(exclude=True)] = None
    has_updates: Annotated[bool, Field(exclude=True)] = False
    sub_actions: tuple[RecommendationView, ...] = ()
    corrected: Annotated[
        Mapping[str, Correction], Field(serialization_alias="corrected_fields")
    ] = field(default_factory=dict, hash=False)
    updates: tuple[UpdateView, ...] = ()
    overdue: bool = False
    days_overdue: int | None = None
    rag: str | None = None
    position: Annotated[int, Field(exclude=True)] = 0
    """When it was first recorded (read-model micros): orders plans and sections."""

    section = computed_field(Placed.section)
    number = computed_field(Placed.number)

    @classmethod
    def of(
        cls,
        item: Item,
        updates: list[UpdateView],
        as_at: date,
        position: int,
        recommendation: Item | None = None,
    ) -> RecommendationView:
        """An item's record as at ``as_at``, with the updates written against it (a
        recommendation's sub-actions given theirs), overdue by its own target and status;
        a sub-action's agency and leads, when it has none of its own, its recommendation's."""
        own = {f.name: getattr(item, f.name) for f in fields(Item) if f.name != "sub_actions"}
        if recommendation is not None:
            own["agency"] = as_shown(item.agency, recommendation.agency)
            own["leads"] = as_shown(item.leads, recommendation.leads)
        overdue, days, rag = assess(item.target, item.status, as_at)
        return cls(
            **own,
            sub_actions=tuple(
                cls.of(sub, [u for u in updates if u.action == sub.action], as_at, position, item)
                for sub in item.sub_actions
            ),
            updates=tuple(u for u in updates if u.action == item.action),
            overdue=overdue,
            days_overdue=days,
            rag=rag,
            position=position,
        )

    @property
    def last_update(self) -> UpdateView | None:
        return self.updates[-1] if self.updates else None

    def items(self) -> tuple[RecommendationView, ...]:
        """It, then its sub-actions: each an item with its own status and target."""
        return (self, *self.sub_actions)


@dataclass(frozen=True)
class ChangeView:
    """One event of a plan, with the recommendation it belongs to (None: the plan's own)."""

    plan: str
    ref: str | None
    entry: HistoryEntry

    def to_json(self) -> dict[str, Any]:
        return {"plan": self.plan, "ref": self.ref, **self.entry.to_json()}


@dataclass(frozen=True)
class OverdueRow(JsonForm):
    """An overdue item as a dashboard lists it: no update lists (those are in ``status``),
    only the last update as at the day."""

    plan: str
    ref: str
    parent: str | None
    agency: str
    leads: tuple[str, ...]
    target: FuzzyDateData | None
    status: Status
    days_overdue: int
    last_update: LastUpdate | None
    overdue: Annotated[bool, Field(exclude=True)] = True
    rag: str = "red"
    corrected: Annotated[Mapping[str, Correction], Field(exclude=True)] = field(
        default_factory=dict
    )

    @classmethod
    def of(cls, view: RecommendationView) -> OverdueRow:
        last = view.last_update
        return cls(
            view.plan, view.ref, view.parent, view.agency, view.leads, view.target,
            view.status, view.days_overdue or 0, last.last() if last else None,
            corrected=view.corrected,
        )  # fmt: skip


@dataclass(frozen=True)
class Page(JsonForm):
    """Some rows of a listing, and how many there are in all."""

    total: int
    rows: list[OverdueRow]
    limit: int | None
    offset: int
