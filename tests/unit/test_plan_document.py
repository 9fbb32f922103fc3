"""Interpreting a parsed plan: inferred dates and conservative status, each with its basis."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from adapters.importing.document import no_later_than, plan_identity, to_plan_document
from adapters.importing.model import ParsedPlan, ParsedRecommendation, ParsedUpdate
from domain.errors import InvalidCommand
from domain.fuzzy_date import FuzzyDate
from domain.kinds import ReviewKind, Status
from service.documents import PlanDocument, RecommendationDocument


def rec(
    *updates: tuple[str | None, str], target: str = "July 2014", rag: str | None = None
) -> ParsedRecommendation:
    return ParsedRecommendation(
        section="overview",
        ref="overview/1",
        number=1,
        number_text="1",
        text="Do the thing",
        agency="West Mercia Police",
        leads=("DCI Smith",),
        target=target,
        sub_actions=(),
        updates=tuple(ParsedUpdate(text, when, 10 + i) for i, (when, text) in enumerate(updates)),
        line=10,
        rag=rag,
    )


def interpret(
    recommendation: ParsedRecommendation,
    version_date: str = "29th May 2014",
    plan_date: FuzzyDate | None = None,
) -> tuple[RecommendationDocument, list[str]]:
    parsed = ParsedPlan("DHR Case No 2", "CSP", "2nd Version", version_date, (recommendation,), ())
    document, warnings = to_plan_document(
        parsed, plan_id="dhr2", file_name="plan.txt", plan_date=plan_date, today=date(2026, 1, 1)
    )
    return document.recommendations[0], [w.message for w in warnings]


def test_written_dates_are_parsed_and_not_inferred() -> None:
    doc, _ = interpret(rec(("August 2013", "Training"), ("Feb 2014", "Review")))
    assert [u.effective for u in doc.updates] == [
        FuzzyDate.parse("August 2013"),
        FuzzyDate.parse("Feb 2014"),
    ]


def test_undated_text_before_a_dated_update_happened_no_later_than_it() -> None:
    doc, _ = interpret(rec((None, "Policy drafted"), ("Feb 2014", "Policy agreed")))
    first = doc.updates[0].effective
    assert first.inferred and first.text == "no later than Feb 2014"
    assert first.end == date(2014, 2, 28)


def test_undated_text_after_the_last_dated_update_is_dated_by_the_version() -> None:
    doc, _ = interpret(rec(("Feb 2014", "Agreed"), (None, "Rolled out")))
    assert doc.updates[1].effective == no_later_than(FuzzyDate.parse("29th May 2014"))


def test_a_recommendation_existed_no_later_than_its_earliest_dated_update() -> None:
    doc, _ = interpret(rec(("Feb 2014", "b"), ("August 2013", "a")))
    assert doc.raised == no_later_than(FuzzyDate.parse("August 2013"))


def test_without_updates_a_recommendation_existed_no_later_than_the_version_date() -> None:
    doc, _ = interpret(rec())
    assert doc.raised.text == "no later than 29th May 2014" and doc.raised.inferred


def test_a_plan_date_is_when_the_plan_was_agreed() -> None:
    agreed = FuzzyDate.parse("14th March 2013")
    document = agreement(rec(("Feb 2014", "b")), plan_date=agreed)
    assert document.agreed == agreed


def test_a_plan_was_agreed_no_later_than_its_earliest_dated_evidence_anywhere() -> None:
    later = replace(rec(("Feb 2014", "b")), ref="overview/1")
    earlier = replace(rec((None, "a"), ("April 2013", "b")), ref="overview/2")
    document = agreement(later, earlier)
    assert document.agreed == no_later_than(FuzzyDate.parse("April 2013"))
    assert document.recommendations[0].raised == no_later_than(FuzzyDate.parse("Feb 2014"))


def test_a_plan_date_after_the_documents_own_evidence_is_refused_naming_it() -> None:
    with pytest.raises(InvalidCommand, match=r"'August 2013' \(overview/1, line 10\)"):
        agreement(rec(("August 2013", "a")), plan_date=FuzzyDate.parse("2014-01-01"))


def agreement(*recommendations: ParsedRecommendation, **options: Any) -> PlanDocument:
    parsed = ParsedPlan("DHR Case No 2", "CSP", "2nd Version", "29th May 2014", recommendations, ())
    return to_plan_document(parsed, plan_id="dhr2", file_name="plan.txt", **options)[0]


def test_without_a_version_date_the_import_day_bounds_undated_facts() -> None:
    doc, warnings = interpret(rec((None, "x")), version_date="")
    assert doc.updates[0].effective.end == date(2026, 1, 1)
    assert any("no version date" in w for w in warnings)


def test_an_update_date_without_a_year_is_warned_and_inferred() -> None:
    doc, warnings = interpret(rec(("1st July", "x"), ("Feb 2014", "y")))
    assert doc.updates[0].effective.text == "no later than Feb 2014"
    assert any("'1st July' has no year" in w for w in warnings)


def test_a_target_off_the_calendar_is_kept_verbatim_and_warned() -> None:
    doc, warnings = interpret(rec(target="1 st July and ongoing"))
    assert doc.target is not None and doc.target.text == "1 st July and ongoing"
    assert any("not on the calendar" in w for w in warnings)


@pytest.mark.parametrize(
    ("updates", "target", "status", "basis"),
    [
        ((), "July 2014", Status.OPEN, None),
        ((("Feb 2014", "Work started."),), "July 2014", Status.IN_PROGRESS, None),
        (
            (("1st April 2013", "Action completed 1st April 2013"),),
            "July 2014",
            Status.COMPLETED,
            "Action completed 1st April 2013",
        ),
        (
            (("May 2014", "Training given. This is now embedded and ongoing."),),
            "July 2014",
            Status.ONGOING,
            "This is now embedded and ongoing.",
        ),
        ((), "Implemented and ongoing.", Status.ONGOING, "Target: Implemented and ongoing."),
        ((("May 2014", "Will be completed by July."),), "July 2014", Status.IN_PROGRESS, None),
        ((("May 2014", "Staff training completed (May 2013)."),), "", Status.IN_PROGRESS, None),
    ],
)
def test_status_is_inferred_conservatively_with_its_sentence(
    updates: tuple[tuple[str, str], ...], target: str, status: Status, basis: str | None
) -> None:
    doc, _ = interpret(rec(*updates, target=target))
    assert (doc.status, doc.status_basis) == (status, basis)


def test_a_completion_takes_the_date_written_in_its_sentence() -> None:
    doc, _ = interpret(rec(("May 2013", "New system live. Action completed 1st April 2013.")))
    assert doc.status_date == FuzzyDate.parse("1st April 2013")


def test_the_documents_rag_ratings_are_reported_not_dropped() -> None:
    _, warnings = interpret(rec(rag="Amber"))
    assert any("overview/1=Amber" in w for w in warnings)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Domestic Homicide Review Case No 2", ("dhr2", ReviewKind.DHR)),
        ("Safeguarding Adults Review 14 Action Plan", ("sar14", ReviewKind.SAR)),
        ("Child Safeguarding Practice Review 3", ("cspr3", ReviewKind.CSPR)),
        ("Internal audit", ("audit-plan-2020", ReviewKind.OTHER)),
    ],
)
def test_plan_identity_from_the_title(title: str, expected: tuple[str, ReviewKind]) -> None:
    assert plan_identity(title, "Audit Plan 2020") == expected


def test_a_status_stated_in_the_target_column_dates_no_later_than_the_version() -> None:
    doc, _ = interpret(rec(target="Implemented and ongoing."))
    assert doc.status == Status.ONGOING
    assert doc.status_date == no_later_than(FuzzyDate.parse("29th May 2014"))


@pytest.mark.parametrize(
    ("cell", "status", "when", "inferred"),
    [
        ("Completed (31/03/2014)", Status.COMPLETED, "31/03/2014", False),  # its own date
        ("Closed - March 2014", Status.COMPLETED, "March 2014", False),
        ("Complete", Status.COMPLETED, "no later than Feb 2014", True),  # the row's latest
        ("Embedded", Status.ONGOING, "no later than Feb 2014", True),
        ("Not started", Status.OPEN, "no later than Feb 2014", True),
    ],
)
def test_a_status_cell_states_the_status_dated_by_itself_or_the_rows_evidence(
    cell: str, status: Status, when: str, inferred: bool
) -> None:
    doc, _ = interpret(
        replace(rec(("August 2013", "Training"), ("Feb 2014", "Review")), status=cell)
    )
    assert doc.status == status and doc.status_basis == f"Status: {cell}"
    assert doc.status_date is not None
    assert (doc.status_date.text, doc.status_date.inferred) == (when, inferred)


def test_a_status_cell_the_ledger_does_not_know_is_warned_and_the_updates_decide() -> None:
    doc, warnings = interpret(replace(rec(("Feb 2014", "Review")), status="Partially complete"))
    assert doc.status == Status.IN_PROGRESS
    assert any("status 'Partially complete' is not one the ledger knows" in w for w in warnings)
