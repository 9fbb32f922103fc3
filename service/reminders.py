"""Reminders: for each person of the directory who wants them, one digest a day of what awaits
them: their items due soon and overdue, the requests for updates on them not yet answered,
and (for the partnership's own people, those of no agency) the proposals awaiting sign-off.

A digest is recorded (``Person.Reminded``) before it is sent, so it is sent at most once a
day whatever happens to the run; one the mail server refused is recorded as such and sent
again by a later run the same day. Sending is the adapters' (``adapters.mail``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from domain.access import Role
from domain.audit import current_grant
from domain.errors import AlreadyExists
from domain.refs import token_aggregate_id
from domain.rules import is_due_soon
from domain.spelling import spelling_key
from projections.directory import PersonView, leads_known
from projections.proposals import ProposalView
from projections.requests import RequestView
from projections.views import RecommendationView
from service import access
from service.approvals import Approvals
from service.follow_up import FollowUp


@dataclass(frozen=True)
class Digest:
    person: PersonView
    day: date
    due_soon: list[RecommendationView]
    overdue: list[RecommendationView]
    requests: list[RequestView]
    proposals: list[ProposalView]

    def listed(self) -> list[str]:
        """What it lists, each as "plan ref" (kept with the event that records it)."""
        items = [*self.due_soon, *self.overdue]
        return [
            *(f"{item.plan} {item.ref}" for item in items),
            *(f"request {r.plan} {r.ref}" for r in self.requests),
            *(f"proposal {p.proposal}" for p in self.proposals),
        ]

    def __bool__(self) -> bool:
        return bool(self.due_soon or self.overdue or self.requests or self.proposals)


@dataclass(frozen=True)
class Work:
    """An item as at a day, whether it is due soon, and its latest request not answered."""

    item: RecommendationView
    request: RequestView | None
    due_soon: bool


@dataclass(frozen=True)
class Standing:
    """An item's latest request for an update, and the changes to it awaiting sign-off."""

    request: RequestView | None
    awaiting: tuple[ProposalView, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "request": self.request.to_json() if self.request else None,
            "awaiting": [p.to_json() for p in self.awaiting],
        }


NOTHING_PENDING = Standing(None, ())


def with_standing(
    shown: dict[str, Any], standing: Mapping[tuple[str, str], Standing]
) -> dict[str, Any]:
    """An item's JSON, and its sub-actions', with where each stands now (``follow_up``)."""
    found = standing.get((shown["plan"], shown["ref"]), NOTHING_PENDING)
    subs = [with_standing(sub, standing) for sub in shown.get("sub_actions", ())]
    return {**shown, "follow_up": found.to_json(), "sub_actions": subs}


class Reminders(FollowUp, Approvals):
    """The digests of a day, and the record of each one sent."""

    def digests(self, day: date, within: int | None = None) -> list[Digest]:
        """Each person's digest for ``day`` (as at that day, as known now): those who want
        reminders, have not had one for the day, and have something waiting. Due soon:
        within each plan's reminder window, or ``within`` days for every plan."""
        access.check_coordinates(None, "send reminders")
        people = [p for p in self.people() if p.reminders]
        linked = self._query(None, lambda conn, today: leads_known(conn), None)
        work: dict[str, list[Work]] = {p.email: [] for p in people}
        pending = self.proposals()
        for found in self._work(day, within):
            for email in {linked.get(spelling_key(lead)) for lead in found.item.leads}:
                if email in work:
                    work[email].append(found)
        digests = []
        for person in people:
            if self.person(person.email).reminded_on == day.isoformat():
                continue
            digest = _digest(person, day, work[person.email], pending if not person.agency else [])
            if digest:
                digests.append(digest)
        return digests

    def inbox(self, day: date) -> Digest:
        """What awaits the one acting, as their digest would say: the items of the person
        their token was issued to (or, without one, of their agencies), due soon and
        overdue, requests on them not answered, and the proposals waiting: a coordinator's
        to decide, an agency lead's own."""
        grant = current_grant()
        person = self._person_of(grant.name)
        linked = self._query(None, lambda conn, today: leads_known(conn), None)

        def mine(item: RecommendationView) -> bool:
            if person is not None:
                return person.email in {linked.get(spelling_key(lead)) for lead in item.leads}
            return bool(access.owners(item.agency, item.parent or item.ref) & grant.agencies)

        coordinates = grant.role is Role.COORDINATOR
        waiting = [p for p in self.proposals() if coordinates or p.actor == grant.name]
        shown = person or PersonView("", grant.name, "", "", False, ())
        return _digest(shown, day, [w for w in self._work(day) if mine(w.item)], waiting)

    def standing(self, plan_id: str | None = None) -> dict[tuple[str, str], Standing]:
        """Where each item of a plan (or of every plan the one acting sees) stands now in the
        follow-up cycle, by plan and ref: its latest request for an update, and the changes
        to it awaiting sign-off. Items with neither are left out."""
        plans = [plan_id] if plan_id is not None else [p.plan_id for p in self.plans()]
        requests = {(plan, ref): r for plan in plans for ref, r in self.requests(plan).items()}
        pending: dict[tuple[str, str], list[ProposalView]] = {}
        for proposal in self.proposals(plan_id):
            pending.setdefault((proposal.plan, proposal.ref), []).append(proposal)
        return {
            key: Standing(requests.get(key), tuple(pending.get(key, ())))
            for key in requests.keys() | pending.keys()
        }

    def _work(self, day: date, within: int | None = None) -> list[Work]:
        """Every item of every plan the one acting sees, as at ``day``: whether it is due
        soon (within its plan's window, or ``within`` days), and its latest request for an
        update where that is not answered."""
        found = []
        for plan in self.plans():
            window = self.plan(plan.plan_id).reminder_days if within is None else within
            asked = self.requests(plan.plan_id)
            for view in self.status(plan.plan_id, as_at=day):
                for item in view.items():
                    request = asked.get(item.ref)
                    unanswered = request if request and request.answered_at is None else None
                    found.append(Work(item, unanswered, is_due_soon(item, day, window)))
        return found

    def _person_of(self, token_name: str) -> PersonView | None:
        """The directory's person a token was issued to, if any."""
        from domain.access_token import AccessToken

        try:
            token = self._get(token_aggregate_id(token_name), AccessToken)
        except AggregateNotFoundError:  # the owner at the terminal: no token
            return None
        email = getattr(token, "person", None)
        return next((p for p in self.people() if p.email == email), None) if email else None

    def record_reminder(self, digest: Digest) -> bool:
        """Record the digest as sent (before sending it); False when one was already
        recorded for its person and day (another run sent it)."""
        access.check_coordinates(None, "send reminders")
        person = self.person(digest.person.email)
        try:
            person.remind(digest.day, digest.listed())
            self.save_atomically(person, conflict="reminded concurrently")
        except AlreadyExists:
            return False
        return True

    def record_reminder_failed(self, digest: Digest, why: str) -> None:
        access.check_coordinates(None, "send reminders")
        person = self.person(digest.person.email)
        person.reminder_failed(digest.day, why)
        self.save_atomically(person, conflict="reminded concurrently")


def _digest(
    person: PersonView, day: date, work: list[Work], proposals: list[ProposalView]
) -> Digest:
    return Digest(
        person,
        day,
        [w.item for w in work if w.due_soon],
        [w.item for w in work if w.item.overdue],
        [w.request for w in work if w.request is not None],
        proposals,
    )
