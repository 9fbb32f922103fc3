"""The shape of an action plan's document, shared by the pages and every report format:
its sections, their titles, and a recommendation's cells in the document's columns."""

from __future__ import annotations

import re
from collections.abc import Iterator

from projections.queries import RecommendationView
from service.reports import Stamp

COLUMNS = (
    "Recommendation",
    "Action Required by Agency",
    "Implementation Lead",
    "Target date for Completion",
    "Summary of Action Taken & Date",
    "Status",
    "RAG",
)
CORRECTED = " (corrected)"


def sections(
    views: list[RecommendationView],
) -> Iterator[tuple[str, list[RecommendationView]]]:
    """The recommendations in runs of one section, in document order."""
    current: str | None = None
    group: list[RecommendationView] = []
    for view in views:
        if view.section != current and group:
            yield current or "", group
            group = []
        current = view.section
        group.append(view)
    if group:
        yield current or "", group


def section_title(section: str, views: list[RecommendationView]) -> str:
    """How a plan names its sections: the overview report's, and each agency's review's."""
    if section == "overview":
        return "Overview report recommendations"
    agency = views[0].agency if views else ""
    return f"Individual management review: {agency or section.removeprefix('imr/')}"


def cells(view: RecommendationView, parent: RecommendationView | None = None) -> list[str]:
    """An item's cells in ``COLUMNS`` order; a corrected value says so."""

    def mark(name: str, text: str) -> str:
        return text + CORRECTED if name in view.corrected else text

    updates = "\n".join(
        f"{u.effective.text}: {u.text}" + (CORRECTED if u.correction else "") for u in view.updates
    )
    return [
        f"{view.number} {mark('text', view.text)}",
        mark("agency", view.agency or (parent.agency if parent else "")),
        mark("leads", "; ".join(view.leads)),
        mark("target", view.target.text if view.target else "")
        + (f" ({view.days_overdue} days overdue)" if view.overdue else ""),
        updates,
        view.status.value.replace("_", " ")
        + (f", {view.completed.text}" if view.completed else ""),
        (view.rag or "").capitalize(),
    ]


STAMP = "recledger log position {position}, head {head}"
_STAMP = re.compile(r"recledger log position (\d+), head ([0-9a-f]{64})")


def stamp_line(stamp: Stamp) -> str:
    """The line that ties a report to a state of the log (``verify --report`` reads it)."""
    return STAMP.format(position=stamp.position, head=stamp.head.hex())


def read_stamp(text: str) -> tuple[int, bytes] | None:
    found = _STAMP.search(text)
    return (int(found.group(1)), bytes.fromhex(found.group(2))) if found else None
