"""The Recommendation aggregate: one numbered recommendation of a plan and all that befell it.

State is never edited: every command checks the rules against the current state, then
triggers one event; the state is the fold of the events (``domain.fold``). The events are
defined in ``domain.recommendation_events`` and named here; what their fields may hold is
in ``domain.fields``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from string import ascii_lowercase
from typing import Any, TypeAlias

from eventsourcing.domain import Aggregate

from domain import recommendation_events as events
from domain import values
from domain.audit import current_actor
from domain.errors import EventNotFound, InvalidCommand, RuleViolated
from domain.fields import (
    checked_amendment,
    checked_date,
    clean_leads,
    dated,
    optional_text,
    required_reason,
    required_text,
)
from domain.fold import fold, item_refs, retracted
from domain.fuzzy_date import FuzzyDate
from domain.kinds import SETTABLE_STATUSES, SignOff, Status
from domain.refs import Ref, recommendation_aggregate_id
from domain.state import CLOSED, ItemState, Proposal, RecommendationState, sub_action_ref


class Recommendation(Aggregate):
    """A recommendation of a plan, identified by plan id + ref."""

    Event: TypeAlias = events.Event
    Raised: TypeAlias = events.Raised
    SubActionAdded: TypeAlias = events.SubActionAdded
    ItemEvent: TypeAlias = events.ItemEvent
    LeadsReassigned: TypeAlias = events.LeadsReassigned
    AgencyReassigned: TypeAlias = events.AgencyReassigned
    TargetDateRevised: TypeAlias = events.TargetDateRevised
    ProgressRecorded: TypeAlias = events.ProgressRecorded
    StatusChanged: TypeAlias = events.StatusChanged
    Completed: TypeAlias = events.Completed
    Reopened: TypeAlias = events.Reopened
    Withdrawn: TypeAlias = events.Withdrawn
    ChangeProposed: TypeAlias = events.ChangeProposed
    ProposalApproved: TypeAlias = events.ProposalApproved
    ProposalRejected: TypeAlias = events.ProposalRejected
    Corrected: TypeAlias = events.Corrected

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
            text=required_text(text, "the recommendation's text"),
            agency=values.line(agency, "the agency"),
            leads=clean_leads(leads),
            target=checked_date(target),
            theme=values.line(theme, "the theme", values.TITLE_MAX),
            reason=None,
            effective=checked_date(effective),
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
            text=required_text(text, "the action's text"),
            leads=clean_leads(leads),
            target=checked_date(target),
            number=number,
            reason=None,
            effective=checked_date(effective),
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
        new_leads = clean_leads(leads)
        if not new_leads:
            raise InvalidCommand("name at least one lead")
        if tuple(new_leads) == item.leads:
            raise RuleViolated(f"{item.ref} is already led by {', '.join(new_leads)}")
        self.trigger_event(
            self.LeadsReassigned,
            leads=new_leads,
            action=action,
            reason=required_reason(reason, "reassign leads"),
            effective=checked_date(effective),
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
            reason=required_reason(reason, "reassign the agency"),
            effective=checked_date(effective),
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
            target=checked_date(target),
            action=action,
            reason=required_reason(reason, "revise a target date"),
            effective=checked_date(effective),
        )

    def record_progress(
        self, text: str, effective: FuzzyDate, *, action: str | None = None
    ) -> None:
        self._refuse_if_withdrawn(self.state.item(action), "record progress on")
        self.trigger_event(
            self.ProgressRecorded,
            text=required_text(text, "the update's text"),
            action=action,
            reason=None,
            effective=checked_date(dated(effective, "a progress update")),
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
            reason=optional_text(reason, "the reason"),
            effective=checked_date(effective),
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
            evidence=optional_text(evidence, "the evidence"),
            action=action,
            reason=None,
            effective=checked_date(dated(effective, "a completion")),
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
            reason=required_reason(reason, "reopen"),
            effective=checked_date(effective),
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
            reason=required_reason(reason, "withdraw"),
            effective=checked_date(effective),
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
            reason=optional_text(reason, "the reason"),
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
            reason=(optional_text(reason, "the reason") if approve
                    else required_reason(reason, "reject a proposal")),
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
            amendment=checked_amendment(target, amendment),
            reason=required_reason(reason, "correct an event"),
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
