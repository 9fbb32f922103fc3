"""The Recommendation aggregate: one numbered recommendation of a plan and all that befell it.

State is never edited: every command appends an event, and the state is the fold of
the events (``fold``). A correction retracts or amends one earlier event; the
original stays in the log and the fold simply reads it through the correction, so
replaying the log as it stood before the correction still shows the mistake.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from string import ascii_lowercase
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate

from domain import values
from domain.audit import current_actor
from domain.errors import (
    EventNotFound,
    InvalidCommand,
    InvalidDate,
    RuleViolated,
)
from domain.events import AuditedEvent, dates_as_values
from domain.fuzzy_date import FuzzyDate
from domain.kinds import SETTABLE_STATUSES, SignOff, Status
from domain.refs import Ref, recommendation_aggregate_id
from domain.state import (
    CLOSED,
    Correction,
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


def _checked(date: FuzzyDate | None) -> FuzzyDate | None:
    if date is not None:
        values.long_text(date.text, "a date", values.DATE_TEXT_MAX)
    return date


def _required_reason(reason: str | None, what: str) -> str:
    if reason is None or not reason.strip():
        raise InvalidCommand(f"a reason is required to {what}")
    return values.long_text(reason, "the reason")


def _optional_text(text: str | None, what: str) -> str | None:
    if text is None:
        return None
    return values.long_text(text, what) or None


def _required_text(text: str, what: str) -> str:
    if not text.strip():
        raise InvalidCommand(f"{what} must not be empty")
    return values.long_text(text, what)


def _clean_leads(leads: Iterable[str]) -> list[str]:
    cleaned = [values.line(lead, "a lead") for lead in leads if lead.strip()]
    return list(dict.fromkeys(cleaned))


def _dated(date: FuzzyDate | None, what: str) -> FuzzyDate:
    if date is None or not date.is_dated:
        text = "nothing" if date is None else repr(date.text)
        raise InvalidDate(f"{what} needs a date on the calendar, got {text}")
    return date


class Field(StrEnum):
    """The kind of value an amendable field holds, and so how an amendment is checked."""

    TEXT = "text"
    """Long text that must not be empty (a recommendation's or an update's text)."""
    NOTE = "note"
    """Long text that may be empty (evidence)."""
    NAME = "name"
    """One line of at most ``values.NAME_MAX`` characters (an agency)."""
    TITLE = "title"
    """One line of at most ``values.TITLE_MAX`` characters (a theme)."""
    LEADS = "leads"
    """A list of one-line names."""
    DATE = "date"
    """A fuzzy date, on the calendar or not (a target); may be cleared."""
    DATED = "dated"
    """A fuzzy date on the calendar (when an update or a completion happened)."""


class Recommendation(Aggregate):
    """A recommendation of a plan, identified by plan id + ref."""

    class Event(AuditedEvent):
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

        def change(
            self, item: ItemState, state: RecommendationState, data: Mapping[str, Any]
        ) -> None:
            raise NotImplementedError

    class LeadsReassigned(ItemEvent):
        """The people or posts leading the implementation changed."""

        leads: list[str]
        amendable: ClassVar[dict[str, Field]] = {"leads": Field.LEADS, "effective": Field.DATE}
        shows: ClassVar[dict[str, str]] = {"leads": "leads"}

        def change(
            self, item: ItemState, state: RecommendationState, data: Mapping[str, Any]
        ) -> None:
            item.leads = tuple(data["leads"])

    class AgencyReassigned(ItemEvent):
        """Another agency became responsible for the recommendation (or sub-action)."""

        agency: str
        amendable: ClassVar[dict[str, Field]] = {"agency": Field.NAME, "effective": Field.DATE}
        shows: ClassVar[dict[str, str]] = {"agency": "agency"}

        def change(
            self, item: ItemState, state: RecommendationState, data: Mapping[str, Any]
        ) -> None:
            item.agency = data["agency"]

    class TargetDateRevised(ItemEvent):
        """The target date for completion was moved."""

        target: FuzzyDate | None
        amendable: ClassVar[dict[str, Field]] = {"target": Field.DATE, "effective": Field.DATE}
        shows: ClassVar[dict[str, str]] = {"target": "target"}

        def change(
            self, item: ItemState, state: RecommendationState, data: Mapping[str, Any]
        ) -> None:
            item.target = data["target"]

    class ProgressRecorded(ItemEvent):
        """A dated progress update was written against the recommendation (or sub-action)."""

        text: str
        amendable: ClassVar[dict[str, Field]] = {"text": Field.TEXT, "effective": Field.DATED}

        def change(
            self, item: ItemState, state: RecommendationState, data: Mapping[str, Any]
        ) -> None:
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

        def change(
            self, item: ItemState, state: RecommendationState, data: Mapping[str, Any]
        ) -> None:
            item.status = Status(data["status"])
            item.completed, item.evidence = None, None

    class Completed(ItemEvent):
        """The recommendation (or sub-action) was declared implemented; a recommendation's
        open sub-actions are completed with it."""

        evidence: str | None
        amendable: ClassVar[dict[str, Field]] = {"effective": Field.DATED, "evidence": Field.NOTE}
        shows: ClassVar[dict[str, str]] = {"effective": "completed", "evidence": "evidence"}

        def change(
            self, item: ItemState, state: RecommendationState, data: Mapping[str, Any]
        ) -> None:
            for done in with_sub_actions(item, state, lambda s: s.status not in CLOSED):
                done.status = Status.COMPLETED
                done.completed = data["effective"]
                done.evidence = data["evidence"] if done is item else None

    class Reopened(ItemEvent):
        """A completed recommendation (or sub-action) was found not to be implemented after
        all; a recommendation's completed sub-actions are reopened with it."""

        amendable: ClassVar[dict[str, Field]] = {"effective": Field.DATE}

        def change(
            self, item: ItemState, state: RecommendationState, data: Mapping[str, Any]
        ) -> None:
            for undone in with_sub_actions(item, state, lambda s: s.status == Status.COMPLETED):
                reopen(undone, has_updates=bool(undone.updates))

    class Withdrawn(ItemEvent):
        """The recommendation (or sub-action) no longer applies and will not be implemented;
        a recommendation's open sub-actions are withdrawn with it."""

        amendable: ClassVar[dict[str, Field]] = {"effective": Field.DATE}

        def change(
            self, item: ItemState, state: RecommendationState, data: Mapping[str, Any]
        ) -> None:
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

    def __init__(self) -> None:
        self.log: list[Recommendation.Event] = []
        self.state: RecommendationState

    def _apply(self, event: Recommendation.Event) -> None:
        self.log.append(event)
        if isinstance(event, Recommendation.Raised | Recommendation.Corrected):
            self.state = fold(self.log)
        else:
            event.apply_to(self.state, event.data())

    # Commands. Each checks the rules against the current state, then triggers one event.

    @classmethod
    def raise_recommendation(
        cls,
        *,
        plan_id: str,
        ref: str,
        text: str,
        agency: str = "",
        leads: Iterable[str] = (),
        target: FuzzyDate | None = None,
        effective: FuzzyDate | None = None,
        theme: str = "",
    ) -> Recommendation:
        values.plan_id(plan_id)
        canonical_ref = str(Ref.parse(ref))
        return cls._create(
            cls.Raised,
            id=recommendation_aggregate_id(plan_id, canonical_ref),
            plan_id=plan_id,
            ref=canonical_ref,
            text=_required_text(text, "the recommendation's text"),
            agency=values.line(agency, "the agency"),
            leads=_clean_leads(leads),
            target=_checked(target),
            theme=values.line(theme, "the theme", values.TITLE_MAX),
            reason=None,
            effective=_checked(effective),
        )

    def add_sub_action(
        self,
        text: str,
        leads: Iterable[str] = (),
        target: FuzzyDate | None = None,
        effective: FuzzyDate | None = None,
        number: str | None = None,
    ) -> str:
        """Add a numbered action under the recommendation; return its number (by default
        the one after the highest ever used)."""
        self._refuse_if_withdrawn(self.state, "add an action to")
        taken = {sub.action for sub in self.state.sub_actions} | {
            e.number for e in self.log if isinstance(e, Recommendation.SubActionAdded) and e.number
        }  # a retracted sub-action's number is not given again
        if number is None:
            number = str(1 + max((int(n.rstrip(ascii_lowercase)) for n in taken), default=0))
        elif not values.ACTION_NUMBER.fullmatch(number := values.number(number)):
            raise InvalidCommand(f"a sub-action's number is one part, such as 2 or 2a: {number!r}")
        elif number in taken:
            raise RuleViolated(f"{sub_action_ref(self.state.ref, number)} is already taken")
        self.trigger_event(
            self.SubActionAdded,
            text=_required_text(text, "the action's text"),
            leads=_clean_leads(leads),
            target=_checked(target),
            number=number,
            reason=None,
            effective=_checked(effective),
        )
        return number

    def reassign_leads(
        self,
        leads: Iterable[str],
        reason: str,
        effective: FuzzyDate | None = None,
        *,
        action: str | None = None,
    ) -> None:
        item = self.state.item(action)
        new_leads = _clean_leads(leads)
        if not new_leads:
            raise InvalidCommand("name at least one lead")
        if tuple(new_leads) == item.leads:
            raise RuleViolated(f"{item.ref} is already led by {', '.join(new_leads)}")
        self.trigger_event(
            self.LeadsReassigned,
            leads=new_leads,
            action=action,
            reason=_required_reason(reason, "reassign leads"),
            effective=_checked(effective),
        )

    def reassign_agency(
        self,
        agency: str,
        reason: str,
        effective: FuzzyDate | None = None,
        *,
        action: str | None = None,
    ) -> None:
        item = self.state.item(action)
        new_agency = values.line(agency, "the agency")
        if not new_agency:
            raise InvalidCommand("the agency must not be empty")
        if new_agency == (item.agency or self.state.agency):
            raise RuleViolated(f"{item.ref} is already owned by {new_agency}")
        self.trigger_event(
            self.AgencyReassigned,
            agency=new_agency,
            action=action,
            reason=_required_reason(reason, "reassign the agency"),
            effective=_checked(effective),
        )

    def revise_target(
        self,
        target: FuzzyDate,
        reason: str,
        effective: FuzzyDate | None = None,
        *,
        action: str | None = None,
    ) -> None:
        item = self.state.item(action)
        if target == item.target:
            raise RuleViolated(f"{item.ref} already has target {target.text!r}")
        self.trigger_event(
            self.TargetDateRevised,
            target=_checked(target),
            action=action,
            reason=_required_reason(reason, "revise a target date"),
            effective=_checked(effective),
        )

    def record_progress(
        self, text: str, effective: FuzzyDate, *, action: str | None = None
    ) -> None:
        self._refuse_if_withdrawn(self.state.item(action), "record progress on")
        self.trigger_event(
            self.ProgressRecorded,
            text=_required_text(text, "the update's text"),
            action=action,
            reason=None,
            effective=_checked(_dated(effective, "a progress update")),
        )

    def change_status(
        self,
        status: Status,
        reason: str | None = None,
        effective: FuzzyDate | None = None,
        *,
        action: str | None = None,
    ) -> None:
        item = self.state.item(action)
        if status not in SETTABLE_STATUSES:
            raise InvalidCommand(
                f"status {status.value!r} has its own command (complete, reopen, withdraw)"
            )
        if item.status in CLOSED:
            raise RuleViolated(
                f"{item.ref} is {item.status.value}: reopen it before changing status"
                if item.status == Status.COMPLETED
                else f"{item.ref} is withdrawn; its status cannot change"
            )
        if status == item.status:
            raise RuleViolated(f"{item.ref} is already {status.value}")
        self.trigger_event(
            self.StatusChanged,
            status=status.value,
            action=action,
            reason=_optional_text(reason, "the reason"),
            effective=_checked(effective),
        )

    def complete(
        self, effective: FuzzyDate, evidence: str | None = None, *, action: str | None = None
    ) -> None:
        """Complete the recommendation (and its open sub-actions) or one sub-action."""
        item = self.state.item(action)
        self._refuse_if_withdrawn(item, "complete")
        if item.status == Status.COMPLETED:
            raise RuleViolated(f"{item.ref} is already completed")
        self.trigger_event(
            self.Completed,
            evidence=_optional_text(evidence, "the evidence"),
            action=action,
            reason=None,
            effective=_checked(_dated(effective, "a completion")),
        )

    def reopen(
        self, reason: str, effective: FuzzyDate | None = None, *, action: str | None = None
    ) -> None:
        """Reopen the recommendation (and its completed sub-actions) or one sub-action (not
        of a withdrawn recommendation, whose sub-actions all stay closed)."""
        item = self.state.item(action)
        if item is not self.state and self.state.status == Status.WITHDRAWN:
            raise RuleViolated(f"cannot reopen {item.ref}: {self.state.ref} was withdrawn")
        if item.status != Status.COMPLETED:
            raise RuleViolated(
                f"only a completed recommendation or sub-action can be reopened; "
                f"{item.ref} is {item.status.value}"
            )
        self.trigger_event(
            self.Reopened,
            action=action,
            reason=_required_reason(reason, "reopen"),
            effective=_checked(effective),
        )

    def withdraw(
        self, reason: str, effective: FuzzyDate | None = None, *, action: str | None = None
    ) -> None:
        """Withdraw the recommendation (and its open sub-actions) or one sub-action."""
        item = self.state.item(action)
        self._refuse_if_withdrawn(item, "withdraw")
        if item.status == Status.COMPLETED:
            raise RuleViolated(f"{item.ref} is completed: reopen it before withdrawing it")
        self.trigger_event(
            self.Withdrawn,
            action=action,
            reason=_required_reason(reason, "withdraw"),
            effective=_checked(effective),
        )

    def propose(
        self,
        kind: SignOff,
        change: str,
        proposed: dict[str, Any],
        reason: str | None,
        *,
        action: str | None = None,
    ) -> str:
        """Record a change that needs sign-off as a proposal; return its id. Checked as the
        change itself is (``Change.apply`` on a copy) by whoever proposes it."""
        item = self.state.item(action)
        self._refuse_if_withdrawn(item, "propose a change to")
        self.trigger_event(
            self.ChangeProposed,
            kind=SignOff(kind).value,
            change=change,
            proposed=proposed,
            action=action,
            reason=_optional_text(reason, "the reason"),
            effective=None,
        )
        return self.log[-1].event_id

    def decide(self, proposal_id: str, approve: bool, reason: str | None) -> Proposal:
        """Approve or reject a pending proposal; never by the one who proposed it. An
        approval's change is then made by the caller, in the same write."""
        proposal = self.state.proposals.get(proposal_id)
        if proposal is None:
            raise EventNotFound(f"{self.state.ref} has no pending proposal {proposal_id}")
        if current_actor() == proposal.actor:
            raise RuleViolated(
                f"{proposal.actor} proposed this change: someone else must sign it off"
            )
        self.trigger_event(
            self.ProposalApproved if approve else self.ProposalRejected,
            proposal=proposal_id,
            reason=(_optional_text(reason, "the reason") if approve
                    else _required_reason(reason, "reject a proposal")),
            effective=None,
        )  # fmt: skip
        return proposal

    def correct(
        self,
        event_id: str,
        reason: str,
        *,
        retract: bool = False,
        amendment: Mapping[str, Any] | None = None,
        action: str | None = None,
    ) -> None:
        """Retract one earlier event, or amend some of its fields (e.g. its text); the
        event must be about the item named (the recommendation, or its sub-action)."""
        target = self.event(event_id)
        amendment = dict(amendment or {})
        about = item_refs(self.log)[event_id]
        wanted = self.state.item(action).ref
        if about != wanted:
            raise RuleViolated(f"event {event_id} is about {about}, not {wanted}")
        if retract == bool(amendment):
            raise InvalidCommand("a correction either retracts the event or amends its fields")
        if isinstance(target, Recommendation.Corrected):
            raise RuleViolated("a correction cannot be corrected; correct the original event")
        if event_id in retracted(self.log):
            raise RuleViolated(f"event {event_id} is already retracted")
        if retract and isinstance(target, Recommendation.Raised):
            raise RuleViolated("the raising of a recommendation cannot be retracted; withdraw it")
        if isinstance(target, Recommendation.ProposalApproved | Recommendation.ProposalRejected):
            raise RuleViolated("a decision on a proposal stands; propose the change again")
        if (
            isinstance(target, Recommendation.ChangeProposed)
            and event_id not in self.state.proposals
        ):
            raise RuleViolated(f"proposal {event_id} was decided: it can no longer be retracted")
        unknown = [name for name in amendment if name not in target.amendable]
        if unknown:
            allowed = ", ".join(target.amendable) or "none: retract it instead"
            raise InvalidCommand(
                f"a {target.type_name} event has no field {', '.join(unknown)} to amend; "
                f"it allows: {allowed}"
            )
        self.trigger_event(
            self.Corrected,
            corrects=event_id,
            retract=retract,
            amendment=_checked_amendment(target, amendment),
            reason=_required_reason(reason, "correct an event"),
            effective=None,
        )

    def as_stated_by(self, sources: set[str]) -> RecommendationState | None:
        """The state its events from ``sources`` alone make (e.g. what the plan's documents
        have said so far, without the edits made by hand), or None if they did not raise it."""
        events = [event for event in self.log if event.source in sources]
        if not events or not isinstance(events[0], Recommendation.Raised):
            return None
        return fold(events)

    def event(self, event_id: str) -> Recommendation.Event:
        """The event of this recommendation with the given id."""
        for event in self.log:
            if event.event_id == event_id:
                return event
        raise EventNotFound(f"{self.state.ref} has no event {event_id}")

    def _refuse_if_withdrawn(self, item: ItemState, what: str) -> None:
        if item.status == Status.WITHDRAWN:
            raise RuleViolated(f"cannot {what} {item.ref}: it was withdrawn")


def _checked_amendment(target: Recommendation.Event, amendment: dict[str, Any]) -> dict[str, Any]:
    """The amended fields, each checked by the kind its event declares."""
    checked: dict[str, Any] = {}
    for name, value in amendment.items():
        kind, what = target.amendable[name], f"the amended {name}"
        if kind in (Field.DATE, Field.DATED):
            if value is not None and not isinstance(value, FuzzyDate):
                raise InvalidCommand(f"{what} must be a date")
            if kind == Field.DATED:
                value = _dated(value, f"a {target.type_name} event")
            checked[name] = _checked(value)
        elif kind == Field.LEADS:
            if isinstance(value, str) or not all(isinstance(lead, str) for lead in value):
                raise InvalidCommand(f"{what} must be a list of leads")
            checked[name] = _clean_leads(value)
        elif not isinstance(value, str):
            raise InvalidCommand(f"{what} must be text")
        elif kind == Field.TEXT:
            checked[name] = _required_text(value, what)
        elif kind == Field.NOTE:
            checked[name] = _optional_text(value, what)
        else:
            limit = values.TITLE_MAX if kind == Field.TITLE else values.NAME_MAX
            checked[name] = values.line(value, what, limit)
    return checked


def retracted(events: Iterable[Recommendation.Event]) -> set[str]:
    return {e.corrects for e in events if isinstance(e, Recommendation.Corrected) and e.retract}


def amendments(events: Iterable[Recommendation.Event]) -> dict[str, dict[str, Any]]:
    amendments: dict[str, dict[str, Any]] = {}
    for e in events:
        if isinstance(e, Recommendation.Corrected) and not e.retract:
            amendments.setdefault(e.corrects, {}).update(e.amendment)
    return amendments


def corrections(events: Iterable[Recommendation.Event]) -> dict[str, dict[str, Correction]]:
    """For each amended event, by field: the latest correction that amended it."""
    found: dict[str, dict[str, Correction]] = {}
    for e in events:
        if isinstance(e, Recommendation.Corrected) and not e.retract:
            by = Correction(e.event_id, e.actor, e.timestamp, e.reason)
            found.setdefault(e.corrects, {}).update(dict.fromkeys(e.amendment, by))
    return found


def read_through(
    event: Recommendation.Event,
    amended: Mapping[str, dict[str, Any]],
    corrected: Mapping[str, dict[str, Correction]],
) -> dict[str, Any]:
    """An event's data as its corrections amend it, with ``corrected``: which of its fields
    they amended, and by which correction."""
    key = event.event_id
    return {**event.data(), **amended.get(key, {}), "corrected": corrected.get(key, {})}


def item_refs(events: Sequence[Recommendation.Event]) -> dict[str, str]:
    """The ref of the item (the recommendation or one of its sub-actions) each event is
    about, by event id; a correction is about what the event it corrects is about."""
    raised = events[0]
    if not isinstance(raised, Recommendation.Raised):
        raise ValueError("a recommendation's events must start with Raised")
    found: dict[str, str] = {}
    for index, event in enumerate(events):
        ref = raised.ref
        if isinstance(event, Recommendation.SubActionAdded):
            number = event.number or _legacy_number(events[: index + 1])
            ref = sub_action_ref(raised.ref, number)
        elif isinstance(event, Recommendation.ItemEvent) and event.action is not None:
            ref = sub_action_ref(raised.ref, event.action)
        elif isinstance(event, Recommendation.Corrected):
            ref = found.get(event.corrects, raised.ref)
        found[event.event_id] = ref
    return found


def _legacy_number(events: Sequence[Recommendation.Event]) -> str:
    """The number a version-1 sub-action (the last of ``events``) is known by: its position
    in the fold, as ``SubActionAdded.evolve`` gives it."""
    return fold(events).sub_actions[-1].action


def initial_state(raised: Mapping[str, Any]) -> RecommendationState:
    """The state a Raised event's (possibly amended) data starts."""
    return _marked(
        RecommendationState(
            plan_id=raised["plan_id"],
            ref=raised["ref"],
            text=raised["text"],
            agency=raised["agency"],
            leads=tuple(raised["leads"]),
            target=raised["target"],
            raised=raised["effective"],
            theme=raised["theme"],
        ),
        raised,
    )


def _marked(state: RecommendationState, raised: Mapping[str, Any]) -> RecommendationState:
    mark(state, Recommendation.Raised.shows, raised)
    return state


def fold(events: Iterable[Recommendation.Event]) -> RecommendationState:
    """The state after ``events`` (in log order), read through their corrections.

    The one definition of what a sequence of events means. Projections answering
    "as at" call it with only the events that qualify.
    """
    events = list(events)
    retracted_ids = retracted(events)
    amended, corrected = amendments(events), corrections(events)
    state: RecommendationState | None = None
    for event in events:
        if event.event_id in retracted_ids or isinstance(event, Recommendation.Corrected):
            continue
        data = read_through(event, amended, corrected)
        if isinstance(event, Recommendation.Raised):
            state = initial_state(data)
        elif state is None:
            raise ValueError("a recommendation's events must start with Raised")
        else:
            event.apply_to(state, data)
    if state is None:
        raise ValueError("a recommendation's events must start with Raised")
    return state
