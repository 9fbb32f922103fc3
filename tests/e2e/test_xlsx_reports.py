"""XLSX reports as a spreadsheet reads them: numbers as numbers, dates as dates, sheet
names that fit Excel's 31 characters by design; and still genuine to ``verify --report``
(issue 31, item 6.4: '90' was text, and a sheet was named "Overdue at the end of the
perio")."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from tests.conftest import seeded
from tests.e2e.in_process import Recledger

OWN = "imr/west-mercia-police/6"
BOARD_SHEETS = {
    "Counts": "Counts",
    "Updates": "New progress updates",
    "Dated no later than": "Updates dated only no later than a day in the period",
    "Completions": "Completions",
    "Revised targets": "Revised targets",
    "Reassignments": "Reassignments",
    "Corrections": "Corrections recorded",
    "Newly overdue": "Newly overdue",
    "Overdue": "Overdue at the end of the period",
    "Responses": "Responses to requests for updates made in the period",
}
"""Each table's sheet, and the title its first row holds."""


@pytest.fixture(scope="module")
def recledger(tmp_path_factory: pytest.TempPathFactory) -> Recledger:
    seed = Path(__file__).resolve().parents[3] / "shared" / "data" / "dhr-case-2-action-plan.txt"
    shell = Recledger(seeded(str(tmp_path_factory.mktemp("xlsx") / "ledger.db"), seed))
    shell("correct", "dhr2", OWN, "1", "--text", "Fixed wording", "--reason", "typo")
    return shell


def board(recledger: Recledger) -> bytes:
    since = ("--since", "2014-01-01")  # to today: the correction recorded today is in it
    return recledger("board-report", "dhr2", *since, "--format", "xlsx", "-o", "-").stdout_bytes


def plan(recledger: Recledger, *known_at: str) -> bytes:
    command = ("export", "dhr2", "--as-at", "2014-03-31", *known_at, "--format", "xlsx")
    return recledger(*command, "-o", "-").stdout_bytes


def cover(content: bytes) -> dict[str, object]:
    sheet = load_workbook(io.BytesIO(content))["Report"]
    return {str(name): value for name, value in sheet.iter_rows(max_col=2, values_only=True)}


def column(sheet: Worksheet, heading: str) -> list[object]:
    """A table's column, under its heading in row 2."""
    [index] = [cell.column for cell in sheet[2] if cell.value == heading]
    return [row[index - 1].value for row in sheet.iter_rows(min_row=3)]


def test_the_board_reports_sheets_have_the_names_meant_and_their_titles_in_a_cell(
    recledger: Recledger,
) -> None:
    book = load_workbook(io.BytesIO(board(recledger)))
    assert book.sheetnames == ["Report", *BOARD_SHEETS]
    assert all(len(name) <= 31 for name in book.sheetnames)
    for name, title in BOARD_SHEETS.items():
        assert book[name]["A1"].value == title and book[name]["A1"].font.bold
        assert book[name].freeze_panes == "A3"


def test_the_board_reports_counts_and_days_overdue_are_numbers(recledger: Recledger) -> None:
    book = load_workbook(io.BytesIO(board(recledger)))
    counts = [value for row in book["Counts"].iter_rows(min_row=3, min_col=2) for value in row]
    assert counts and all(isinstance(cell.value, int) for cell in counts)
    days = column(book["Overdue"], "Days overdue")
    assert days and all(isinstance(value, int) and value > 0 for value in days)


def test_the_board_reports_dates_are_dates_with_a_date_format(recledger: Recledger) -> None:
    content = board(recledger)
    found = cover(content)
    assert found["Changes from"] == datetime(2014, 1, 1)
    assert found["Changes to"] == datetime.combine(date.today(), datetime.min.time())
    assert isinstance(found["Generated at"], datetime)
    book = load_workbook(io.BytesIO(content))
    assert book["Report"]["B2"].number_format == "yyyy-mm-dd"
    assert "hh:mm:ss" in book["Report"]["B4"].number_format
    [recorded] = column(book["Corrections"], "Recorded")
    assert recorded == datetime.combine(date.today(), datetime.min.time())


def test_the_plans_cover_holds_its_dates_as_dates(recledger: Recledger) -> None:
    found = cover(plan(recledger, "--known-at", "2030-01-01T12:30:00+01:00"))
    assert found["As at"] == datetime(2014, 3, 31)
    assert found["As known at"] == datetime(2030, 1, 1, 11, 30)  # UTC, as the format says
    assert isinstance(found["Generated at"], datetime)
    assert cover(plan(recledger))["As known at"] == "now (when generated)"


@pytest.mark.parametrize("made", [board, plan])
def test_an_xlsx_report_with_numbers_and_dates_verifies_as_genuine(
    recledger: Recledger, tmp_path: Path, made: Callable[[Recledger], bytes]
) -> None:
    out = tmp_path / "report.xlsx"
    out.write_bytes(made(recledger))
    checked = recledger("verify", "--report", str(out)).stdout
    assert ": genuine: it is what the log said at position" in checked


def test_a_sheet_for_an_agency_with_a_long_name_is_cut_after_a_whole_word(
    tmp_path: Path,
) -> None:
    shell = Recledger(str(tmp_path / "ledger.db"))
    shell("plan", "open", "sar1", "--title", "SAR 1")
    for number, agency in enumerate(
        (
            "Herefordshire and Worcestershire Health and Care NHS Trust",
            "Herefordshire and Worcestershire Health and Care Foundation",
        )
    ):
        ref = f"imr/{agency.lower().replace(' ', '-')}/{number + 1}"
        shell("raise", "sar1", ref, "--text", "Act", "--agency", agency)
    content = shell("export", "sar1", "--format", "xlsx", "-o", "-").stdout_bytes
    names = load_workbook(io.BytesIO(content)).sheetnames
    assert names == [
        "Report",
        "IMR Herefordshire and…",
        "IMR Herefordshire and… (2)",
    ]
