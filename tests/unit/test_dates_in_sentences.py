"""An update dated only inside its sentence is dated by it; a target never is.

Small tables shaped like the plans coordinators keep: a Summary cell whose update states
no date of its own but says in a sentence when the work was done.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from adapters.importing.document import to_plan_document
from adapters.importing.model import ParsedPlan, ParsedUpdate
from adapters.importing.text_table import parse_rows
from domain.fuzzy_date import FuzzyDate
from domain.kinds import Status
from service.documents import PlanDocument, RecommendationDocument

HEADER = ["Recommendation", "Lead agency", "Lead officer", "Target date", "Progress", "Status"]


def read(*rows: list[str], version_date: str = "1st October 2019") -> tuple[PlanDocument, list]:
    recommendations, warnings = parse_rows([(1, HEADER), *enumerate(rows, start=2)])
    parsed = ParsedPlan("SAR 7", "Riverton SAB", "v3", version_date, recommendations, warnings)
    document, notes = to_plan_document(
        parsed, plan_id="sar7", file_name="plan.csv", today=date(2026, 1, 1)
    )
    return document, notes


def only(progress: str, *, target: str = "March 2019", status: str = "") -> RecommendationDocument:
    document, _ = read(
        ["Recommendation 1 Share the guidance.", "Riverton Homes", "Mel Ortiz", target, progress,
         status]
    )  # fmt: skip
    return document.recommendations[0]


def day(text: str) -> FuzzyDate:
    return FuzzyDate.parse(text).as_inferred()


@pytest.mark.parametrize(
    ("progress", "dated"),
    [
        ("Guidance circulated 26.11.2018", "26.11.2018"),  # UK day-first, dotted
        ("Training reviewed 05/08/2019.", "05/08/2019"),  # 5 August 2019, not 8 May
        ("Guidance re-issued March 2015 and the audit completed June 2015.", "June 2015"),
    ],
)
def test_an_update_dated_only_inside_its_sentence_is_dated_by_it_marked_inferred(
    progress: str, dated: str
) -> None:
    [update] = only(progress).updates
    assert update.effective == day(dated)
    assert update.effective.inferred and not update.effective.text.startswith("no later")


def test_a_day_first_numeric_date_is_read_as_the_uk_writes_it() -> None:
    [update] = only("Training reviewed 05/08/2019.").updates
    assert update.effective.start == date(2019, 8, 5)


def test_a_sentence_with_two_done_dates_dates_its_update_by_the_later() -> None:
    [update] = only("Guidance re-issued March 2015 ... completed June 2015").updates
    assert (update.effective.start, update.effective.end) == (date(2015, 6, 1), date(2015, 6, 30))


def test_the_date_read_from_a_sentence_is_reported_on_the_updates_line() -> None:
    _, warnings = read(
        ["Recommendation 1 Share it.", "Riverton Homes", "Mel Ortiz", "March 2019",
         "Guidance circulated 26.11.2018", ""]
    )  # fmt: skip
    [note] = [w for w in warnings if "as its sentence states" in w.message]
    assert note.line == 2
    assert note.message.startswith("overview/1: ")
    assert "dated 26.11.2018 (inferred)" in note.message
    assert "'Guidance circulated 26.11.2018'" in note.message


@pytest.mark.parametrize(
    "progress",
    [
        "Guidance to be circulated by December 2014.",  # a target
        "Training will be completed by December 2014.",
        "Audit due 31/03/2020.",
        "Revised target 31/03/2020.",
        "Practices were reminded of the March 2013 guidance.",  # a reference to the past
        "Practices reminded of the guidance issued in March 2013.",
        "The pilot has run since January 2013.",
        "Planned for June 2019.",
    ],
)
def test_a_target_or_a_reference_in_a_sentence_never_dates_the_update(progress: str) -> None:
    [update] = only(progress).updates
    assert update.effective.text == "no later than 1st October 2019"


def test_a_date_read_from_a_sentence_bounds_the_undated_updates_before_it() -> None:
    recommendations, _ = parse_rows([(1, HEADER), (2, ["Recommendation 1 Share it."])])
    two = (ParsedUpdate("Policy drafted.", None, 3), ParsedUpdate("Guidance sent 5.8.19", None, 4))
    parsed = ParsedPlan("SAR 7", "SAB", "v3", "1st October 2019",
                        (replace(recommendations[0], updates=two),), ())  # fmt: skip
    document, _ = to_plan_document(parsed, plan_id="sar7", file_name="plan.csv")
    [first, second] = document.recommendations[0].updates
    assert second.effective == day("5.8.19") and second.effective.start == date(2019, 8, 5)
    assert first.effective.text == "no later than 5.8.19"


def test_a_sentence_date_after_the_version_date_is_not_used_and_is_reported() -> None:
    document, warnings = read(
        ["Recommendation 1 Share it.", "Riverton Homes", "Mel Ortiz", "March 2019",
         "Guidance circulated 26.11.2020", ""]
    )  # fmt: skip
    [update] = document.recommendations[0].updates
    assert update.effective.text == "no later than 1st October 2019"
    assert any("later than it can be dated" in w.message for w in warnings)


def test_the_recommendation_existed_no_later_than_the_date_its_sentence_states() -> None:
    rec = only("Guidance circulated 26.11.2018")
    assert rec.raised.text == "no later than 26.11.2018" and rec.raised.end == date(2018, 11, 26)


def test_a_complete_status_is_dated_by_the_latest_date_anywhere_in_the_row() -> None:
    rec = only(
        "Guidance re-issued March 2015. Audit of practices found good use.",
        target="June 2015",
        status="Complete",
    )
    assert rec.status == Status.COMPLETED and rec.status_basis == "Status: Complete"
    assert rec.status_date is not None
    assert (rec.status_date.text, rec.status_date.end) == ("no later than June 2015",
                                                           date(2015, 6, 30))  # fmt: skip


def test_a_complete_status_counts_a_date_in_the_recommendations_own_text() -> None:
    document, _ = read(
        ["Recommendation 1 Agree the protocol (agreed at the July 2016 board).",
         "Riverton Homes", "Mel Ortiz", "", "Protocol circulated.", "Complete"]
    )  # fmt: skip
    when = document.recommendations[0].status_date
    assert when is not None and when.text == "no later than July 2016"


def test_a_complete_status_ignores_a_row_date_after_the_version_date() -> None:
    rec = only("Update May 2019: audit done.", target="December 2019", status="Complete")
    assert rec.status_date is not None and rec.status_date.text == "no later than May 2019"


def test_a_completion_sentence_is_dated_by_its_done_date_not_its_target() -> None:
    rec = only("Update May 2019: Action completed by December 2019.")
    assert rec.status == Status.COMPLETED
    assert rec.status_date == FuzzyDate.parse("May 2019")  # the update's, not "by" a target
