"""The events of a recommendation: what befell it, each with the data it carries, what a
correction may amend of it (``amendable``) and how it changes the state (``evolve``).

They are the ``Recommendation`` aggregate's events (``domain.recommendation``), defined here
and named there. Each keeps the topic it has been stored under since it was first written,
``domain.recommendation:Recommendation.<Name>`` (``TOPIC``, eventsourcing's explicit topic),
so the log reads the same whatever module holds their code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate

from domain.events import AuditedEvent, dates_as_values
from domain.fields import Field
from domain.fuzzy_date import FuzzyDate
from domain.kinds import Status
from domain.state import (
    CLOSED,
    ItemState,
    ProgressUpdate,
    Proposal,
    RecommendationState,
    SubActionState,
    mark,
    reopen,
    settle,
    sub_action_ref,
    with_sub_actions,
)

STORED_AS = "domain.recommendation:Recommendation.{}"
"""The topic of each event: where its code stood when the first of its kind was stored."""


class Event(AuditedEvent):
    TOPIC: ClassVar[str] = STORED_AS.format("Event")
    amendable: ClassVar[dict[str, Field]] = {}
    """The fields a correction may amend, and what each holds: the one catalogue."""
    shows: ClassVar[dict[str, str]] = {}
    """Which of the item's fields each of its own fields sets."""

    def evolve(self, state: RecommendationState, data: Mapping[str, Any]) -> ItemState | None:
        """Apply this event's (possibly amended) data to the state; return the item
        (the recommendation or a sub-action) it changed, if any."""
        raise NotImplementedError

    def apply_to(self, state: RecommendationState, data: Mapping[str, Any]) -> None:
        """``evolve``, mark each field it set as corrected or not (``data``'s
        ``corrected``: the corrections of its own fields, by field), then ``settle``."""
        item = self.evolve(state, data)
        if item is not None:
            mark(item, self.shows, data)
            settle(state)

    def apply(self, aggregate: Any) -> None:
        aggregate._apply(self)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.TOPIC = STORED_AS.format(cls.__name__)


class Raised(Event, Aggregate.Created):
    """The recommendation was made by the review and entered in the plan."""

    plan_id: str
    ref: str
    text: str
    agency: str
    leads: list[str]
    target: FuzzyDate | None
    theme: str
    """The theme or section of the plan it sits under ("Theme 2 - Processes"), or ""."""
    amendable: ClassVar[dict[str, Field]] = {
        "text": Field.TEXT,
        "agency": Field.NAME,
        "leads": Field.LEADS,
        "target": Field.DATE,
        "theme": Field.TITLE,
        "effective": Field.DATE,
    }
    shows: ClassVar[dict[str, str]] = {
        "text": "text",
        "agency": "agency",
        "leads": "leads",
        "target": "target",
        "theme": "theme",
        "effective": "raised",
    }

    class_version = 3

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 1 carried no theme."""
        state["theme"] = ""

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """Version 2 kept its dates as plain dicts."""
        dates_as_values(state, "target", "effective")


class SubActionAdded(Event):
    """A numbered action was added under the recommendation, with its own leads and target."""

    text: str
    leads: list[str]
    target: FuzzyDate | None
    number: str | None
    """Its number under the recommendation; None (before version 2): its position."""
    amendable: ClassVar[dict[str, Field]] = {
        "text": Field.TEXT,
        "leads": Field.LEADS,
        "target": Field.DATE,
        "effective": Field.DATE,
    }
    shows: ClassVar[dict[str, str]] = {
        "text": "text",
        "leads": "leads",
        "target": "target",
        "effective": "added",
    }

    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 1 carried no number (a sub-action was known by its position), and
        kept its dates as plain dicts."""
        state["number"] = None
        dates_as_values(state, "target", "effective")

    def evolve(self, state: RecommendationState, data: Mapping[str, Any]) -> ItemState | None:
        number = data["number"] or str(len(state.sub_actions) + 1)
        sub = SubActionState(
            ref=sub_action_ref(state.ref, number),
            action=number,
            text=data["text"],
            agency="",
            leads=tuple(data["leads"]),
            target=data["target"],
            added=data["effective"],
        )
        state.sub_actions.append(sub)
        return sub


class ItemEvent(Event):
    """An event about the recommendation itself, or (``action``) one of its sub-actions."""

    action: str | None
    """The sub-action's number; None: the recommendation itself."""

    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 1 was always about the recommendation itself, and kept its dates
        as plain dicts."""
        state["action"] = None
        dates_as_values(state, "target", "effective")

    def payload(self) -> dict[str, Any]:
        """Without ``action``: an auditor reads which item it is about as its ref."""
        return {k: v for k, v in super().payload().items() if k != "action"}

    def evolve(self, state: RecommendationState, data: Mapping[str, Any]) -> ItemState | None:
        item = state.find(data["action"])
        if item is not None:
            self.change(item, state, data)
        return item

    def change(self, item: ItemState, state: RecommendationState, data: Mapping[str, Any]) -> None:
        raise NotImplementedError


class LeadsReassigned(ItemEvent):
    """The people or posts leading the implementation changed."""

    leads: list[str]
    amendable: ClassVar[dict[str, Field]] = {"leads": Field.LEADS, "effective": Field.DATE}
    shows: ClassVar[dict[str, str]] = {"leads": "leads"}

    def change(self, item: ItemState, state: RecommendationState, data: Mapping[str, Any]) -> None:
        item.leads = tuple(data["leads"])


class AgencyReassigned(ItemEvent):
    """Another agency became responsible for the recommendation (or sub-action)."""

    agency: str
    amendable: ClassVar[dict[str, Field]] = {"agency": Field.NAME, "effective": Field.DATE}
    shows: ClassVar[dict[str, str]] = {"agency": "agency"}

    def change(self, item: ItemState, state: RecommendationState, data: Mapping[str, Any]) -> None:
        item.agency = data["agency"]


class TargetDateRevised(ItemEvent):
    """The target date for completion was moved."""

    target: FuzzyDate | None
    amendable: ClassVar[dict[str, Field]] = {"target": Field.DATE, "effective": Field.DATE}
    shows: ClassVar[dict[str, str]] = {"target": "target"}

    def change(self, item: ItemState, state: RecommendationState, data: Mapping[str, Any]) -> None:
        item.target = data["target"]


class ProgressRecorded(ItemEvent):
    """A dated progress update was written against the recommendation (or sub-action)."""

    text: str
    amendable: ClassVar[dict[str, Field]] = {"text": Field.TEXT, "effective": Field.DATED}

    def change(self, item: ItemState, state: RecommendationState, data: Mapping[str, Any]) -> None:
        effective = data["effective"]
        item.updates.append(
            ProgressUpdate(
                self.event_id, effective, data["text"], self.actor, self.timestamp, self.source
            )
        )
        for changed in (item, state):  # progress on a sub-action is progress on it
            if changed.status == Status.OPEN:
                changed.status = Status.IN_PROGRESS


class StatusChanged(ItemEvent):
    """The status was set to open, in progress or ongoing (business as usual).

    None of these is completed, so any completion is gone: an item is never completed
    when the status is set, but "as at" a date before its reopening, a status change
    recorded after it is replayed on the completion."""

    status: str
    amendable: ClassVar[dict[str, Field]] = {"effective": Field.DATE}

    def change(self, item: ItemState, state: RecommendationState, data: Mapping[str, Any]) -> None:
        item.status = Status(data["status"])
        item.completed, item.evidence = None, None


class Completed(ItemEvent):
    """The recommendation (or sub-action) was declared implemented; a recommendation's
    open sub-actions are completed with it."""

    evidence: str | None
    amendable: ClassVar[dict[str, Field]] = {"effective": Field.DATED, "evidence": Field.NOTE}
    shows: ClassVar[dict[str, str]] = {"effective": "completed", "evidence": "evidence"}

    def change(self, item: ItemState, state: RecommendationState, data: Mapping[str, Any]) -> None:
        for done in with_sub_actions(item, state, lambda s: s.status not in CLOSED):
            done.status = Status.COMPLETED
            done.completed = data["effective"]
            done.evidence = data["evidence"] if done is item else None


class Reopened(ItemEvent):
    """A completed recommendation (or sub-action) was found not to be implemented after
    all; a recommendation's completed sub-actions are reopened with it."""

    amendable: ClassVar[dict[str, Field]] = {"effective": Field.DATE}

    def change(self, item: ItemState, state: RecommendationState, data: Mapping[str, Any]) -> None:
        for undone in with_sub_actions(item, state, lambda s: s.status == Status.COMPLETED):
            reopen(undone, has_updates=bool(undone.updates))


class Withdrawn(ItemEvent):
    """The recommendation (or sub-action) no longer applies and will not be implemented;
    a recommendation's open sub-actions are withdrawn with it."""

    amendable: ClassVar[dict[str, Field]] = {"effective": Field.DATE}

    def change(self, item: ItemState, state: RecommendationState, data: Mapping[str, Any]) -> None:
        for gone in with_sub_actions(item, state, lambda s: s.status not in CLOSED):
            gone.status = Status.WITHDRAWN
            gone.completed, gone.evidence = None, None  # see StatusChanged


class ChangeProposed(Event):
    """A change that needs sign-off was proposed (with why, and its evidence in its
    fields): not a fact until a coordinator approves it."""

    kind: str
    """What needs the sign-off (``domain.kinds.SignOff``)."""
    change: str
    proposed: dict[str, Any]
    """The change's fields (its ``effective`` is when it takes effect once approved)."""
    action: str | None

    def evolve(self, state: RecommendationState, data: Mapping[str, Any]) -> ItemState | None:
        state.proposals[self.event_id] = Proposal(
            self.event_id, data["kind"], data["change"], dict(data["proposed"]),
            data["action"], self.actor, self.timestamp, data["reason"],
        )  # fmt: skip
        return None


class ProposalApproved(Event):
    """A coordinator approved a proposed change: the change's own events follow it, in the
    same write, recorded now and effective as proposed."""

    proposal: str

    def evolve(self, state: RecommendationState, data: Mapping[str, Any]) -> ItemState | None:
        state.proposals.pop(data["proposal"], None)
        return None


class ProposalRejected(Event):
    """A coordinator rejected a proposed change: nothing of it takes effect."""

    proposal: str

    def evolve(self, state: RecommendationState, data: Mapping[str, Any]) -> ItemState | None:
        state.proposals.pop(data["proposal"], None)
        return None


class Corrected(Event):
    """An earlier event was retracted or amended; the original stays in the log."""

    corrects: str
    retract: bool
    amendment: dict[str, Any]

    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 1 kept the dates it amended as plain dicts."""
        dates_as_values(state["amendment"], "target", "effective")

    def evolve(self, state: RecommendationState, data: Mapping[str, Any]) -> ItemState | None:
        """Corrections act through ``fold``, on the event they name."""
        return None
