"""The ledger's two time axes, in the words every answer names them by (DOMAIN.md, "Time:
two axes, never one"): *as at* a day on the effective axis, when a thing happened in the
world; *as known at* a moment on the recorded axis, when the ledger learned it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime


@dataclass(frozen=True)
class Axis:
    name: str
    """What the axis is: "effective" or "recorded"."""
    asked: str
    """How a question names a point on it: "as at", "as known at"."""

    def at(self, when: date | datetime) -> str:
        """A point on this axis, named with it: "as at (effective) 2014-02-28"."""
        return f"{self.asked} ({self.name}) {_written(when)}"


EFFECTIVE = Axis("effective", "as at")
RECORDED = Axis("recorded", "as known at")


def asked_at(as_at: date | None, known_at: datetime | None) -> str:
    """Where on the axes a question was asked, each time given named with its axis
    ("as at (effective) 2014-02-28, as known at (recorded) 2014-06-01 23:59:59 UTC");
    "now" where neither was given."""
    points = [axis.at(when) for axis, when in ((EFFECTIVE, as_at), (RECORDED, known_at)) if when]
    return ", ".join(points) or "now"


def _written(when: date | datetime) -> str:
    if isinstance(when, datetime):
        try:
            return f"{when.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
        except OverflowError:  # the calendar's first or last hours, at an offset from UTC
            return when.isoformat(sep=" ")
    return when.isoformat()
