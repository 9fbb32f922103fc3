"""CSV rows whose cells do not line up with the header (issue 28, item 5): an unquoted comma
in pasted text, a cell left out. Never an invented item, never a lost cell: realigned where
one repair fits every column, else kept whole; either way reported with the row's line."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.importing.model import ParsedPlan, ParsedRecommendation
from adapters.importing.reader import read_plan

HEADER = "No.,Recommendation,Agency,Lead,Target,Progress,Status"
GOOD = (
    "1,Review the risk form,West Mercia Police,DCI Smith,July 2014,Update Feb 2014: done,Complete"
)


def plan_of(tmp_path: Path, *rows: str) -> ParsedPlan:
    path = tmp_path / "plan.csv"
    path.write_text("\n".join([HEADER, GOOD, *rows]) + "\n", encoding="utf-8")
    return read_plan(path)


def rec(plan: ParsedPlan, ref: str) -> ParsedRecommendation:
    return next(found for found in plan.recommendations if found.ref == ref)


def warned(plan: ParsedPlan, line: int) -> list[str]:
    return [warning.message for warning in plan.warnings if warning.line == line]


def test_a_comma_in_the_recommendation_text_is_joined_back_with_a_warning_naming_its_line(
    tmp_path: Path,
) -> None:
    plan = plan_of(
        tmp_path,
        "2,Train all frontline staff in DASH, including reception staff and those working in "
        "outreach,Worcestershire Health and Care NHS Trust,Head of Safeguarding,March 2015,"
        "Update Jan 2015: 40 staff trained,In progress",
    )
    found = rec(plan, "overview/2")
    assert found.text == (
        "Train all frontline staff in DASH, including reception staff and those working in outreach"
    )
    assert found.agency == "Worcestershire Health and Care NHS Trust"  # not lost
    assert found.sub_actions == ()  # nothing invented from the text's tail
    assert (found.leads, found.target, found.status) == (
        ("Head of Safeguarding",),
        "March 2015",
        "In progress",
    )
    assert [(u.date_text, u.text) for u in found.updates] == [("Jan 2015", "40 staff trained")]
    assert warned(plan, 3) == [
        "row has 8 cells where the header has 7: cells 2 and 3 read as one, column 2 "
        "'Recommendation', an unquoted ',' in its text: 'Train all frontline staff in DASH, "
        "including reception staff and those working\u2026'"
    ]


@pytest.mark.parametrize("status", ["In progress", ""])
def test_a_comma_in_the_progress_text_keeps_the_status_in_its_column(
    tmp_path: Path, status: str
) -> None:
    plan = plan_of(
        tmp_path,
        "2,Share the protocol with GPs,NHS Worcestershire CCG,Named GP,Autumn 2014,"
        f"Update Dec 2014: sent to all practices, replies awaited from six,{status}",
    )
    found = rec(plan, "overview/2")
    assert [(u.date_text, u.text) for u in found.updates] == [
        ("Dec 2014", "sent to all practices, replies awaited from six")
    ]
    assert found.status == (status or None)
    [message] = warned(plan, 3)
    assert "cells 6 and 7 read as one, column 6 'Progress'" in message


def test_a_row_two_joins_could_repair_is_kept_whole_on_its_recommendation(
    tmp_path: Path,
) -> None:
    # "Riverton Council,Riverton Homes" could be two agencies, or an agency and a lead, or
    # the recommendation's last words and an agency: no one join is the answer.
    row = "2,Brief staff,Riverton Council,Riverton Homes,Ann Cole,June 2015,,Open"
    plan = plan_of(tmp_path, row)
    found = rec(plan, "overview/2")
    assert found.text == row.removeprefix("2,")  # every cell, in order, as written
    assert (found.agency, found.leads, found.target, found.updates, found.sub_actions) == (
        "",
        (),
        "",
        (),
        (),
    )
    [kept, *blanks] = warned(plan, 3)
    assert kept == (
        "row has 8 cells where the header has 7 and 3 joins of two neighbouring cells fit "
        "(column 2 'Recommendation', column 3 'Agency', column 4 'Lead'); the whole row is kept "
        f"as the recommendation's text, for a person to place: {row!r}"
    )
    assert all("cell is blank" in message for message in blanks)


def test_two_cells_too_many_are_kept_whole_never_invented_into_an_action(
    tmp_path: Path,
) -> None:
    row = (
        "2,Review policy, procedures and guidance,Riverton Council,Ann Cole,June 2015,"
        "Update May 2015: drafted, consulted,Open"
    )
    plan = plan_of(tmp_path, row)
    found = rec(plan, "overview/2")
    assert found.text == row.removeprefix("2,")
    assert found.sub_actions == ()
    assert "2 cells too many to tell which belong together" in warned(plan, 3)[0]


def test_a_row_with_its_agency_left_out_is_read_with_that_cell_blank(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, "2,Audit referrals,Jane Doe,June 2015,Update May 2015: done,Complete")
    found = rec(plan, "overview/2")
    assert (found.agency, found.leads, found.target, found.status) == (
        "",
        ("Jane Doe",),
        "June 2015",
        "Complete",
    )
    assert warned(plan, 3)[0] == (
        "row has 6 cells where the header has 7: read with column 3 'Agency' left out (blank) "
        "and the cells after moved on, the only reading in which every column holds what it "
        "should"
    )


def test_a_short_row_no_reading_fits_is_kept_whole_not_read_as_an_action(
    tmp_path: Path,
) -> None:
    plan = plan_of(tmp_path, "2,Review the pathway,Update Jan 2015: pathway reviewed")
    found = rec(plan, "overview/2")
    assert found.text == "Review the pathway,Update Jan 2015: pathway reviewed"
    assert found.sub_actions == ()
    assert "the whole row is kept as the recommendation's text" in warned(plan, 3)[0]


def test_rows_that_line_up_are_read_as_written_with_no_warning(tmp_path: Path) -> None:
    plan = plan_of(
        tmp_path,
        # blank cells at the end, as Excel writes them; a delimiter after the last cell;
        # a quoted comma; an odd target
        "2,Brief the board,Riverton CSP,All agency leads,Action plan to be updated,,",
        "3,Brief staff,Riverton Council,Ann Cole,June 2015,Update May 2015: done,Complete,",
        '4,"Train staff, and volunteers",Riverton Council,Ann Cole,June 2015,,',
    )
    assert [(w.line, w.message) for w in plan.warnings if "cells" in w.message] == []
    assert rec(plan, "overview/3").status == "Complete"
    assert rec(plan, "overview/4").text == "Train staff, and volunteers"


def test_cells_left_off_the_end_are_still_reported_blank(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, "2,Brief practices,Riverton CCG,Named GP,May 2015")
    assert rec(plan, "overview/2").target == "May 2015"
    assert warned(plan, 3)[0] == (
        "Overview rec 2: row has 5 cells where the header has 7; missing cells read as blank"
    )


def test_a_semicolon_delimited_row_is_joined_with_its_semicolon(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(
        "No.;Recommendation;Agency;Lead;Target;Progress;Status\n"
        "1;Review the form; the leaflet and the letter;West Mercia Police;DCI Smith;July 2014;;\n",
        encoding="utf-8",
    )
    plan = read_plan(path)
    found = plan.recommendations[0]
    assert (found.text, found.agency) == (
        "Review the form; the leaflet and the letter",
        "West Mercia Police",
    )
    assert "an unquoted ';' in its text" in plan.warnings[0].message
