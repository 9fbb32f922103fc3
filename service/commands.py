"""The commands: every change to a plan or a recommendation, one transaction each.

Each runs for the one acting (``domain.audit``) and checks their grant first.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from typing import TYPE_CHECKING

from domain import values
from domain.audit import current_grant
from domain.errors import AlreadyExists, StaleVersion, VersionConflict
from domain.refs import (
    Ref,
    plan_aggregate_id,
    recommendation_aggregate_id,
)
from domain.state import sub_action_ref
from service import access
from service.store import Store

if TYPE_CHECKING:  # the commands as values and the write model: a query loads neither
    from domain.plan import Plan
    from domain.recommendation import Recommendation
    from service.command_models import (
        Change,
        OpenPlan,
        RaiseRecommendation,
        RecordDocumentVersion,
    )


@dataclass(frozen=True)
class Recorded:
    """What a change recorded: its events' ids, and the proposal's id when it awaits a
    coordinator's sign-off instead of taking effect."""

    event_ids: list[str]
    proposal: str | None = None


class Commands(Store):
    """The writes: each loads what it changes, checks the grant, and saves atomically."""

    def open_plan(self, command: OpenPlan) -> Plan:
        from domain.plan import Plan

        plan_id = command.plan_id
        access.check_coordinates(plan_id, "open a plan")
        if self._exists(plan_aggregate_id(values.plan_id(plan_id))):
            raise AlreadyExists(f"plan {plan_id!r} is already open")
        plan = Plan.open(plan_id, command.title, partnership=command.partnership, kind=command.kind)
        self.save_atomically(plan, conflict=f"plan {plan_id!r} was opened concurrently")
        return plan

    def record_document_version(self, plan_id: str, command: RecordDocumentVersion) -> Plan:
        access.check_coordinates(plan_id, "record a version of a plan's document")
        plan = self.plan(plan_id)
        plan.record_document_version(command.label, command.date, command.file_name)
        self.save_atomically(plan, conflict=f"plan {plan_id!r} was changed concurrently; try again")
        return plan

    def raise_recommendation(self, plan_id: str, command: RaiseRecommendation) -> Recommendation:
        from domain.recommendation import Recommendation

        access.check_coordinates(plan_id, "raise a recommendation")
        self.plan(plan_id)
        canonical_ref = str(Ref.parse(command.ref))
        if self._exists(recommendation_aggregate_id(plan_id, canonical_ref)):
            raise AlreadyExists(f"plan {plan_id!r} already has a recommendation {canonical_ref}")
        parent, dot, action = canonical_ref.rpartition(".")
        if (
            dot
            and self._exists(recommendation_aggregate_id(plan_id, parent))
            and any(
                s.action == action for s in self.recommendation(plan_id, parent).state.sub_actions
            )
        ):
            raise AlreadyExists(f"plan {plan_id!r} already has a sub-action {canonical_ref}")
        recommendation = Recommendation.raise_recommendation(
            plan_id=plan_id,
            ref=canonical_ref,
            text=command.text,
            agency=command.agency,
            leads=command.leads,
            target=command.target,
            effective=command.effective,
        )
        self.save_atomically(recommendation, conflict=f"{canonical_ref} was raised concurrently")
        return recommendation

    def change(self, plan_id: str, ref: str, command: Change) -> Recorded:
        """Load the item the ref names (the recommendation, or which sub-action of it), run
        ``command`` on it, save atomically; return the ids of the events recorded. A change
        the plan requires sign-off for (``Plan.needs_sign_off``) is recorded as a proposal.

        ``command.expected_version``: the recommendation's version the caller saw (its
        sub-actions are in it); if it has moved on, ``VersionConflict`` with the current one."""
        rec, action = self.item(plan_id, ref)
        access.check_writes(plan_id, rec, action)
        expected = command.expected_version
        if expected is not None and expected != rec.version:
            raise VersionConflict(
                f"{rec.state.ref} is at version {rec.version}, not {expected}: "
                "someone changed it since you read it; nothing was written, read it again",
                rec.version,
            )
        before, actions = len(rec.log), {s.action for s in rec.state.sub_actions}
        kind = command.sign_off(rec, action)
        proposal = None
        if kind is not None and self.plan(plan_id).needs_sign_off(kind, current_grant().role):
            command.apply(deepcopy(rec), action)  # refused now as the change itself would be
            reason = getattr(command, "reason", None)
            proposal = rec.propose(kind, command.verb(), command.proposed(), reason, action=action)
        else:
            command.apply(rec, action)
        for added in {s.action for s in rec.state.sub_actions} - actions:
            added_ref = sub_action_ref(rec.state.ref, added)
            if self._exists(recommendation_aggregate_id(plan_id, added_ref)):
                raise AlreadyExists(f"plan {plan_id!r} already has a recommendation {added_ref}")
        try:
            self.save_atomically(rec)
        except StaleVersion:  # a race lost (under ``once``, perhaps to the same key)
            current = self._get(rec.id, type(rec)).version
            raise VersionConflict(
                f"{rec.state.ref} was changed by someone else while this command ran (it is "
                f"at version {current} now); nothing was written, try again",
                current,
            ) from None
        return Recorded([event.event_id for event in rec.log[before:]], proposal)
