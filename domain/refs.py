"""Identifiers: plan ids, recommendation refs, and the aggregate and event ids derived from them.

A recommendation is identified by plan + section + number, never by number alone:
``overview/3`` in the Overview Report, ``imr/west-mercia-police/2`` in an agency's
Individual Management Report. Aggregate ids are derived deterministically from
these, so raising the same ref twice in a plan is caught by the event store itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from uuid import UUID, uuid5

from domain.errors import InvalidCommand

_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_PLAN_ID = re.compile(rf"^{_SLUG}$")
_REF = re.compile(rf"^(?P<section>overview|imr/(?P<agency>{_SLUG}))/(?P<number>\d+(?:\.\d+)*)$")

NAMESPACE = UUID("5d0c6f4e-2b1a-4c55-9f0e-7e4b3d9a1c20")
"""Fixed namespace of every recledger id; changing it would orphan every stored plan."""


def check_plan_id(plan_id: str) -> str:
    if not _PLAN_ID.match(plan_id):
        raise InvalidCommand(
            f"plan id {plan_id!r} must be a lower-case slug such as 'dhr2' or 'sar-2021-3'"
        )
    return plan_id


@dataclass(frozen=True)
class Ref:
    """``overview/<n>`` or ``imr/<agency-slug>/<n>``; n may be dotted (``21.10.1``)."""

    section: str
    number: str

    @classmethod
    def parse(cls, text: str) -> Ref:
        match = _REF.match(text)
        if match is None:
            raise InvalidCommand(
                f"ref {text!r} must look like 'overview/3' or 'imr/west-mercia-police/2'"
            )
        return cls(section=match["section"], number=match["number"])

    @property
    def agency_slug(self) -> str | None:
        return self.section.removeprefix("imr/") if self.section != "overview" else None

    @property
    def sort_key(self) -> tuple[int, str, tuple[int, ...]]:
        """Overview first, then agencies by name; numbers compared as numbers (2 < 10)."""
        return (self.section != "overview", self.section, tuple(map(int, self.number.split("."))))

    def __str__(self) -> str:
        return f"{self.section}/{self.number}"


def plan_aggregate_id(plan_id: str) -> UUID:
    return uuid5(NAMESPACE, f"plan:{plan_id}")


def recommendation_aggregate_id(plan_id: str, ref: str) -> UUID:
    return uuid5(NAMESPACE, f"recommendation:{plan_id}:{ref}")


@lru_cache(maxsize=1 << 16)
def event_id(originator_id: UUID, version: int) -> str:
    """The id by which an inspector or a correction names one stored event."""
    return str(uuid5(originator_id, str(version)))
