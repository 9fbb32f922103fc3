"""Reminders: for each person of the directory who wants them, one digest a day of what awaits
them: their items due soon and overdue, the requests for updates on them not yet answered,
and (for the partnership's own people, those of no agency) the proposals awaiting sign-off.

A digest is recorded (``Person.Reminded``) before it is sent, so it is sent at most once a
day whatever happens to the run; one the mail server refused is recorded as such and sent
again by a later run the same day. Sending is the adapters' (``adapters.mail``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from eventsourcing.application import AggregateNotFoundError

from domain.access import Role
from domain.access_token import AccessToken
from domain.audit import current_grant
from domain.errors import AlreadyExists
from domain.refs import token_aggregate_id
from domain.rules import is_open
from domain.spelling import spelling_key
from projections.directory import PersonView, leads_known
from projections.proposals import ProposalView
from projections.requests import RequestView
from projections.views import RecommendationView
from service import access
from service.approvals import Approvals
from service.follow_up import FollowUp

DUE_WITHIN_DAYS = 45
"""An item is due soon when its target's last day is within this many days."""


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


class Reminders(FollowUp, Approvals):
    """The digests of a day, and the record of each one sent."""

    def digests(self, day: date, within: int = DUE_WITHIN_DAYS) -> list[Digest]:
        """Each person's digest for ``day`` (as at that day, as known now): those who want
        reminders, have not had one for the day, and have something waiting."""
        access.check_coordinates(None, "send reminders")
        people = [p for p in self.people() if p.reminders]
        linked = self._query(None, lambda conn, today: leads_known(conn), None)
        items: dict[str, list[RecommendationView]] = {p.email: [] for p in people}
        requests: dict[str, list[RequestView]] = {p.email: [] for p in people}
        pending = self.proposals()
        for item, request in self._work(day):
            for email in {linked.get(spelling_key(lead)) for lead in item.leads}:
                if email in items:
                    items[email].append(item)
                    if request is not None:
                        requests[email].append(request)
        soon = day + timedelta(days=within)
        found = []
        for person in people:
            if self.person(person.email).reminded_on == day.isoformat():
                continue
            mine = items[person.email]
            digest = Digest(
                person,
                day,
                [i for i in mine if _due_between(i, day, soon)],
                [i for i in mine if i.overdue],
                requests[person.email],
                pending if not person.agency else [],
            )
            if digest:
                found.append(digest)
        return found

    def inbox(self, day: date, within: int = DUE_WITHIN_DAYS) -> Digest:
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

        work = [(item, request) for item, request in self._work(day) if mine(item)]
        items = [item for item, _ in work]
        requests = [request for _, request in work if request is not None]
        coordinates = grant.role is Role.COORDINATOR
        waiting = [p for p in self.proposals() if coordinates or p.actor == grant.name]
        shown = person or PersonView("", grant.name, "", "", False, ())
        return Digest(
            shown, day,
            [i for i in items if _due_between(i, day, day + timedelta(days=within))],
            [i for i in items if i.overdue], requests, waiting,
        )  # fmt: skip

    def _work(self, day: date) -> list[tuple[RecommendationView, RequestView | None]]:
        """Every item of every plan the one acting sees, as at ``day``, with its latest
        request for an update where that is not answered."""
        found = []
        for plan in self.plans():
            asked = self.requests(plan.plan_id)
            for view in self.status(plan.plan_id, as_at=day):
                for item in view.items():
                    request = asked.get(item.ref)
                    unanswered = request if request and request.answered_at is None else None
                    found.append((item, unanswered))
        return found

    def _person_of(self, token_name: str) -> PersonView | None:
        """The directory's person a token was issued to, if any."""
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


def _due_between(item: RecommendationView, first: date, last: date) -> bool:
    deadline = item.target.deadline if item.target else None
    return is_open(item.status) and deadline is not None and first <= deadline <= last
