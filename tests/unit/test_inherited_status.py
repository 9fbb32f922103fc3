"""A sub-action that states no status of its own takes the one its recommendation states.

Tables shaped like the seed's Overview rec 3: the Action cell lists numbered sub-actions
with their targets beside them, and the Summary cell says "Completed /Ongoing" for the
recommendation as a whole.
"""

from __future__ import annotations

from datetime import date

from adapters.importing.document import to_plan_document
from adapters.importing.text_table import parse_plan_text
from domain.fuzzy_date import FuzzyDate
from domain.kinds import Status
from service.documents import RecommendationDocument

HEADER = "Recommendation\tLead agency\tLead officer\tTarget date\tProgress update"
VERSION = FuzzyDate.parse("29th May 2014")


def row(*cells: str) -> str:
    return "\t".join(cells)


def read(*rows: str, header: str = HEADER) -> tuple[RecommendationDocument, list[tuple[int, str]]]:
    parsed = parse_plan_text("\n".join(["Domestic Homicide Review Case No 9", header, *rows]))
    document, warnings = to_plan_document(
        parsed, plan_id="dhr9", file_name="plan.txt", version_date=VERSION, today=date(2026, 1, 1)
    )
    return document.recommendations[0], [(w.line, w.message) for w in warnings]


LISTED = (
    "<ol><li>Feature in the newsletter</li><li>Name a lead in each practice</li></ol>",
    "<p>Dr Amy Fox</p><p>Dr Amy Fox</p>",
    "<p>March 2013</p><p>April 2013</p>",
)


def test_listed_sub_actions_take_the_ongoing_status_stated_for_their_recommendation() -> None:
    rec, warnings = read(
        row("Recommendation No 3 GPs to adopt the guidance.", *LISTED,
            "<p>Completed /Ongoing</p><p>Item in June Newsletter</p>"),
    )  # fmt: skip
    assert rec.status == Status.ONGOING and rec.status_basis == "Completed /Ongoing"
    assert rec.status_date is not None and rec.status_date.text == "no later than 29th May 2014"
    for action in rec.sub_actions:
        assert action.status == Status.ONGOING
        assert action.status_date is not None and action.status_date.inferred
        assert (action.status_date.start, action.status_date.end) == (
            rec.status_date.start,
            rec.status_date.end,
        )  # from the same date
        assert action.status_basis == "Completed /Ongoing (as overview/3 states, line 3)"
    assert any(
        line == 3 and "overview/3: sub-action(s) 1, 2 state no status of their own" in message
        for line, message in warnings
    )


def test_a_status_stated_with_its_own_date_is_passed_on_marked_inferred() -> None:
    rec, _ = read(
        row("Recommendation No 3 GPs to adopt the guidance.", *LISTED,
            "Update Feb 2014: this is now embedded and ongoing."),
    )  # fmt: skip
    assert rec.status_date == FuzzyDate.parse("Feb 2014")
    assert {a.status_date for a in rec.sub_actions} == {FuzzyDate.parse("Feb 2014").as_inferred()}


def test_progress_alone_states_no_status_so_the_sub_actions_stay_open() -> None:
    rec, _ = read(
        row("Recommendation No 3 GPs to adopt the guidance.", *LISTED,
            "Update Feb 2014: newsletter item drafted."),
    )  # fmt: skip
    assert rec.status == Status.IN_PROGRESS and rec.status_basis is None
    assert [a.status for a in rec.sub_actions] == [Status.OPEN, Status.OPEN]


def test_a_sub_action_with_a_status_or_updates_of_its_own_keeps_them() -> None:
    rec, _ = read(
        row("Recommendation No 3a Audit referrals.", "Police", "DCI Smith", "July 2014",
            "This is now embedded and ongoing.", "Ongoing"),
        row("Action 3a.1: Sample forty cases.", "", "Dr Amy Fox", "2014/15",
            "Update 2014-02-27: twelve sampled.", ""),
        row("Action 3a.2: Report to the board.", "", "", "March 2014", "", "not started"),
        row("Action 3a.3: Brief the leads.", "", "", "April 2014", "", ""),
        header=HEADER + "\tStatus",
    )  # fmt: skip
    first, second, third = rec.sub_actions
    assert (first.status, first.status_basis) == (Status.IN_PROGRESS, None)  # its updates
    assert (second.status, second.status_basis) == (Status.OPEN, "Status: not started")
    assert third.status == Status.ONGOING  # states nothing: the recommendation's
