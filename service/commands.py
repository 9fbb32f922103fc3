"""The commands: every change to a plan or a recommendation, one transaction each.

Each runs for the one acting (``domain.audit``) and checks their grant first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from domain import values
from domain.errors import (
    AlreadyExists,
    EventNotFound,
    InvalidCommand,
    InvalidDate,
    StaleVersion,
    VersionConflict,
)
from domain.fuzzy_date import FuzzyDate
from domain.kinds import ReviewKind, Status
from domain.plan import Plan
from domain.recommendation import Recommendation, sub_action_ref
from domain.refs import (
    Ref,
    plan_aggregate_id,
    recommendation_aggregate_id,
)
from service import access
from service.store import Store, today


class Commands(Store):
    """The writes: each loads what it changes, checks the grant, and saves atomically."""

    def open_plan(
        self,
        plan_id: str,
        title: str,
        *,
        partnership: str = "",
        kind: ReviewKind = ReviewKind.DHR,
    ) -> Plan:
        access.check_coordinates(plan_id, "open a plan")
        if self._exists(plan_aggregate_id(values.plan_id(plan_id))):
            raise AlreadyExists(f"plan {plan_id!r} is already open")
        plan = Plan.open(plan_id, title, partnership=partnership, kind=kind)
        self.save_atomically(plan, conflict=f"plan {plan_id!r} was opened concurrently")
        return plan

    def record_document_version(
        self,
        plan_id: str,
        label: str,
        date: FuzzyDate | None = None,
        file_name: str | None = None,
    ) -> None:
        access.check_coordinates(plan_id, "record a version of a plan's document")
        plan = self.plan(plan_id)
        plan.record_document_version(label, date, file_name)
        self.save_atomically(plan, conflict=f"plan {plan_id!r} was changed concurrently; try again")

    def raise_recommendation(
        self,
        plan_id: str,
        ref: str,
        text: str,
        *,
        agency: str = "",
        leads: Iterable[str] = (),
        target: FuzzyDate | None = None,
        effective: FuzzyDate | None = None,
    ) -> Recommendation:
        access.check_coordinates(plan_id, "raise a recommendation")
        self.plan(plan_id)
        canonical_ref = str(Ref.parse(ref))
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
            text=text,
            agency=agency,
            leads=leads,
            target=target,
            effective=effective,
        )
        self.save_atomically(recommendation, conflict=f"{canonical_ref} was raised concurrently")
        return recommendation

    def add_sub_action(
        self,
        plan_id: str,
        ref: str,
        text: str,
        *,
        leads: Iterable[str] = (),
        target: FuzzyDate | None = None,
        effective: FuzzyDate | None = None,
        number: str | None = None,
        expected_version: int | None = None,
    ) -> list[str]:
        """Add a numbered sub-action (an item of its own, ``<ref>.<number>``)."""

        def add(rec: Recommendation, action: str | None) -> None:
            if action is not None:
                raise InvalidCommand(f"{ref} is a sub-action; sub-actions do not nest")
            added = sub_action_ref(
                rec.state.ref, rec.add_sub_action(text, leads, target, effective, number)
            )
            if self._exists(recommendation_aggregate_id(plan_id, added)):
                raise AlreadyExists(f"plan {plan_id!r} already has a recommendation {added}")

        return self._change(plan_id, ref, add, expected_version)

    def reassign(
        self,
        plan_id: str,
        ref: str,
        *,
        reason: str,
        leads: Iterable[str] | None = None,
        agency: str | None = None,
        effective: FuzzyDate | None = None,
        expected_version: int | None = None,
    ) -> list[str]:
        """Reassign leads, agency or both, in one transaction."""
        if leads is None and agency is None:
            raise InvalidCommand("say who takes over: new leads, a new agency, or both")

        def reassign(rec: Recommendation, action: str | None) -> None:
            if leads is not None:
                rec.reassign_leads(leads, reason, effective, action=action)
            if agency is not None:
                rec.reassign_agency(agency, reason, effective, action=action)

        return self._change(plan_id, ref, reassign, expected_version)

    def revise_target(
        self,
        plan_id: str,
        ref: str,
        target: FuzzyDate,
        *,
        reason: str,
        effective: FuzzyDate | None = None,
        expected_version: int | None = None,
    ) -> list[str]:
        return self._change(
            plan_id,
            ref,
            lambda rec, a: rec.revise_target(target, reason, effective, action=a),
            expected_version,
        )

    def record_progress(
        self,
        plan_id: str,
        ref: str,
        text: str,
        effective: FuzzyDate,
        *,
        expected_version: int | None = None,
    ) -> list[str]:
        _already_happened(effective, "a progress update")
        return self._change(
            plan_id,
            ref,
            lambda rec, a: rec.record_progress(text, effective, action=a),
            expected_version,
        )

    def change_status(
        self,
        plan_id: str,
        ref: str,
        status: Status,
        *,
        reason: str | None = None,
        effective: FuzzyDate | None = None,
        expected_version: int | None = None,
    ) -> list[str]:
        return self._change(
            plan_id,
            ref,
            lambda rec, a: rec.change_status(status, reason, effective, action=a),
            expected_version,
        )

    def complete(
        self,
        plan_id: str,
        ref: str,
        effective: FuzzyDate,
        *,
        evidence: str | None = None,
        expected_version: int | None = None,
    ) -> list[str]:
        _already_happened(effective, "a completion")
        return self._change(
            plan_id,
            ref,
            lambda rec, a: rec.complete(effective, evidence, action=a),
            expected_version,
        )

    def reopen(
        self,
        plan_id: str,
        ref: str,
        *,
        reason: str,
        effective: FuzzyDate | None = None,
        expected_version: int | None = None,
    ) -> list[str]:
        return self._change(
            plan_id, ref, lambda rec, a: rec.reopen(reason, effective, action=a), expected_version
        )

    def withdraw(
        self,
        plan_id: str,
        ref: str,
        *,
        reason: str,
        effective: FuzzyDate | None = None,
        expected_version: int | None = None,
    ) -> list[str]:
        return self._change(
            plan_id,
            ref,
            lambda rec, a: rec.withdraw(reason, effective, action=a),
            expected_version,
        )

    def correct(
        self,
        plan_id: str,
        ref: str,
        event: str,
        *,
        reason: str,
        retract: bool = False,
        amendment: dict[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> list[str]:
        """Retract or amend one event, named by its id or its sequence number in the history."""
        return self._change(
            plan_id,
            ref,
            lambda rec, a: rec.correct(
                self._resolve_event_id(rec, event),
                reason,
                retract=retract,
                amendment=amendment,
                action=a,
            ),
            expected_version,
        )

    def _change(
        self,
        plan_id: str,
        ref: str,
        command: Callable[[Recommendation, str | None], None],
        expected_version: int | None = None,
    ) -> list[str]:
        """Load, run one command on the item the ref names (the recommendation, or which
        sub-action of it), save atomically; return the ids of the events recorded.

        ``expected_version``: the recommendation's version the caller saw (its sub-actions
        are in it); if it has moved on, ``VersionConflict`` with the current one."""
        rec, action = self.item(plan_id, ref)
        access.check_writes(plan_id, rec, action)
        if expected_version is not None and expected_version != rec.version:
            raise VersionConflict(
                f"{rec.state.ref} is at version {rec.version}, not {expected_version}: "
                "someone changed it since you read it; nothing was written, read it again",
                rec.version,
            )
        before = len(rec.log)
        command(rec, action)
        try:
            self.save_atomically(rec)
        except StaleVersion:  # a race lost (under ``once``, perhaps to the same key)
            current = self._get(rec.id, Recommendation).version
            raise VersionConflict(
                f"{rec.state.ref} was changed by someone else while this command ran (it is "
                f"at version {current} now); nothing was written, try again",
                current,
            ) from None
        return [event.event_id for event in rec.log[before:]]

    @staticmethod
    def _resolve_event_id(rec: Recommendation, event: str) -> str:
        sequence = values.ascii_number(event, "event")
        if sequence is not None:
            if 1 <= sequence <= len(rec.log):
                return rec.log[sequence - 1].event_id
            raise EventNotFound(f"{rec.state.ref} has events 1..{len(rec.log)}, not {sequence}")
        return rec.event(event).event_id


def _already_happened(effective: FuzzyDate, what: str) -> None:
    """An event that reports what happened cannot have happened after today (UTC)."""
    if effective.start is not None and effective.start > today():
        raise InvalidDate(
            f"{what} reports what already happened: {effective.text!r} starts after today, "
            f"{today().isoformat()}"
        )
