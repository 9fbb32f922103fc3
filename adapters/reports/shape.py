"""The shape of an action plan's document, shared by the pages and every report format:
its sections, their titles, and a recommendation's cells in the document's columns."""

from __future__ import annotations

import re
from collections.abc import Iterator

from adapters.importing.refs import slugify
from adapters.importing.updates import Segment, split_updates
from domain.fuzzy_date import FuzzyDate
from projections.views import RecommendationView, UpdateView
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


def section_heading(section: str, views: list[RecommendationView]) -> str:
    """The one-cell row that opens a section in the document ("Overview Report
    Recommendations", "Agency: West Mercia Police"): the importer reads it back to the same
    section, so an agency named otherwise since (a reassignment) is named by the section's."""
    if section == "overview":
        return "Overview Report Recommendations"
    slug = section.removeprefix("imr/")
    named = [view.agency for view in views if slugify(view.agency) == slug]
    return f"Agency: {named[0] if named else slug.replace('-', ' ')}"


def themed(views: list[RecommendationView]) -> bool:
    return any(view.theme for view in views)


def cells(
    view: RecommendationView, parent: RecommendationView | None = None, *, marked: bool = True
) -> list[str]:
    """An item's cells in ``COLUMNS`` order, as the document writes them ("Recommendation No
    3 ...", "Action 3.2: ...", an "Update <date>: ..." line per update), so the importer
    reads them back. ``marked``: a corrected value says so and an overdue target says by
    how much (for reading; the importable shapes leave the values bare)."""

    def mark(name: str, text: str) -> str:
        return text + CORRECTED if marked and name in view.corrected else text

    def update(u: UpdateView) -> str:
        line = f"Update {written(u.effective)}: {u.text}"
        return line + CORRECTED if marked and u.correction else line

    number = view.number.partition("#")[0]
    if view.parent is None:
        first = f"Recommendation No {number} {mark('text', view.text)}"
    else:
        first = f"Action {number}: {mark('text', view.text)}"
    overdue = f" ({view.days_overdue} days overdue)" if marked and view.overdue else ""
    return [
        first,
        mark("agency", view.agency or (parent.agency if parent else "")),
        mark("leads", "; ".join(view.leads)),
        mark("target", view.target.text if view.target else "") + overdue,
        "\n".join(update(u) for u in view.updates),
        view.status.value.replace("_", " ")
        + (f", {view.completed.text}" if view.completed else ""),
        (view.rag or "").capitalize(),
    ]


def written(when: FuzzyDate) -> str:
    """A date as an update's header writes it: as recorded if the importer reads it back
    so, else the same interval in a form it reads ("2014-03-05", "March 2014", "Q1 2014");
    an inferred one (read from inside a sentence, say) so that it reads back inferred."""
    text = " ".join(when.text.split())
    reads_back = split_updates(f"Update {text}: x")[:1] == [Segment("x", text, 0)]
    if reads_back and FuzzyDate.parse(text).inferred == when.inferred:
        return text
    return when.plain()


STAMP = "recledger log position {position}, head {head}"
_STAMP = re.compile(r"recledger log position (\d+), head ([0-9a-f]{64})")


WITHHELD = "recledger log position and head withheld: made for a token limited to plans"


def stamp_line(stamp: Stamp) -> str:
    """The line that ties a report to a state of the log, and its claim (``verify
    --report`` reads them); for a token limited to plans, the position and head withheld
    (the claim carries them sealed with the ledger's key)."""
    if stamp.position is None or stamp.head is None:
        line = WITHHELD
    else:
        line = STAMP.format(position=stamp.position, head=stamp.head.hex())
    return f"{line}; {stamp.claim}" if stamp.claim else line


def read_stamp(text: str) -> tuple[int, bytes] | None:
    found = _STAMP.search(text)
    return (int(found.group(1)), bytes.fromhex(found.group(2))) if found else None
