"""The follow-up cycle's requests: a coordinator asks the leads of a plan's open items for a
progress update; a progress update on an item recorded after the request answers it; the
response rate per agency over a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.rules import is_open
from domain.spelling import spelling_key
from projections.directory import canonical
from projections.requests import RequestView, latest_requests, requests_between
from projections.tables import micros
from service import access
from service.queries import Queries

if TYPE_CHECKING:  # the commands as values and the write model: a query loads neither
    from domain.plan import Plan
    from service.command_models import RequestUpdates, SetReminderWindow


@dataclass(frozen=True)
class ResponseRate:
    agency: str
    asked: int
    answered: int

    def to_json(self) -> dict[str, Any]:
        rate = round(self.answered / self.asked, 3) if self.asked else None
        return {"agency": self.agency, "asked": self.asked, "answered": self.answered,
                "rate": rate}  # fmt: skip


class FollowUp(Queries):
    """Requests for updates, and what answered them."""

    def request_updates(self, plan_id: str, command: RequestUpdates) -> tuple[Plan, int]:
        """Record a request to every lead of the plan's open items (of ``command.agency``,
        any spelling the directory gives it, or all); return the plan and how many items."""
        access.check_coordinates(plan_id, "request updates")
        plan = self.plan(plan_id)
        names = self.agency_names()
        wanted = canonical(names, command.agency) if command.agency else None
        items = [
            (view.ref, item.action)
            for view in self.status(plan_id)
            for item in view.items()
            if is_open(item.status)
            and (
                wanted is None
                or spelling_key(canonical(names, item.agency)) == spelling_key(wanted)
            )
        ]
        plan.request_updates(items, agency=command.agency, due=command.due, message=command.message)
        self.save_atomically(plan, conflict=f"plan {plan_id!r} was changed concurrently; try again")
        return plan, len(items)

    def set_reminder_window(self, plan_id: str, command: SetReminderWindow) -> Plan:
        access.check_coordinates(plan_id, "set the plan's reminder window")
        plan = self.plan(plan_id)
        plan.set_reminder_window(command.days)
        self.save_atomically(plan, conflict=f"plan {plan_id!r} was changed concurrently; try again")
        return plan

    def requests(self, plan_id: str) -> dict[str, RequestView]:
        """Each item of the plan asked about, with its latest request and whether answered."""
        return self._query(plan_id, lambda conn, day: latest_requests(conn, plan_id), None)

    def response_rates(self, plan_id: str, since: datetime, until: datetime) -> list[ResponseRate]:
        """Per agency (as the directory files them): the items asked about in requests
        recorded in the period, and how many of those were answered (by now)."""
        period = micros(since), micros(until)
        asked = self._query(
            plan_id, lambda conn, day: requests_between(conn, plan_id, *period), None
        )
        names = self.agency_names()
        agency_of = {
            item.ref: canonical(names, item.agency)
            for view in self.status(plan_id) for item in view.items()
        }  # fmt: skip
        counts: dict[str, list[int]] = {}
        for request in asked:
            count = counts.setdefault(agency_of.get(request.ref, ""), [0, 0])
            count[0] += 1
            count[1] += request.answered_at is not None
        return [ResponseRate(a, c[0], c[1]) for a, c in sorted(counts.items())]
