"""Recommendations to national bodies (issue 29): every item of every plan addressed to an
agency the directory marks national (by any of its spellings), with its status, its age and
its response as at a day. Oversight bodies ask what became of them; no single plan says."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.fuzzy_date import FuzzyDate
from projections.directory import canonical
from projections.views import LastUpdate, RecommendationView


@dataclass(frozen=True)
class NationalItem:
    plan: str
    ref: str
    agency: str
    """The national body, by the directory's name for it."""
    status: str
    raised: date | None
    """The day its recommendation was raised (its first day, where only a month is known)."""
    days: int | None
    """Its age as at the day asked: from raised to then, or to its completion."""
    overdue: bool
    response: LastUpdate | None
    """Its latest progress update as at the day: what the body said it did."""

    def to_json(self) -> dict[str, Any]:
        last = self.response
        return {
            "plan": self.plan, "ref": self.ref, "agency": self.agency, "status": self.status,
            "raised": self.raised.isoformat() if self.raised else None, "days": self.days,
            "overdue": self.overdue,
            "response": None if last is None else
            {"effective": last.effective.text, "text": last.text},
        }  # fmt: skip


def national_items(
    views: Iterable[RecommendationView], names: dict[str, str], bodies: set[str], day: date
) -> list[NationalItem]:
    """The items of ``views`` (as at ``day``) whose agency, as shown, names one of the
    national ``bodies`` by the directory's ``names``; oldest first."""
    found = []
    for view in views:
        raised = first_day(view.raised)
        for item in view.items():
            body = canonical(names, item.agency)
            if body not in bodies:
                continue
            end = first_day(item.completed) or day
            last = item.last_update
            found.append(
                NationalItem(
                    plan=item.plan,
                    ref=item.ref,
                    agency=body,
                    status=item.status.value,
                    raised=raised,
                    days=None if raised is None else (end - raised).days,
                    overdue=item.overdue,
                    response=None if last is None else last.last(),
                )
            )
    return sorted(found, key=lambda n: (n.raised or date.max, n.plan, n.ref))


def first_day(when: FuzzyDate | None) -> date | None:
    """The first day a fuzzy date covers (its last, where only that is known): how an age
    in days is counted, here and by said before."""
    return None if when is None else when.start or when.end
