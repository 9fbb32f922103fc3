"""A report's workbook, written as a spreadsheet reads it: text shown as written (never
run as a formula), counts as numbers, days and moments as dates with a date format, and
sheet names within Excel's 31 characters, cut after a whole word where they must be."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from adapters.output import cell_text

Cell = str | int | date | datetime
"""A report's cell: the same values in every format (HTML and Markdown show them as text)."""

DAY_FORMAT = "yyyy-mm-dd"
MOMENT_FORMAT = 'yyyy-mm-dd hh:mm:ss "UTC"'
SHEET_NAME_MAX = 31
"""Excel's limit; a longer name is cut by openpyxl's readers or refused by Excel."""
_NOT_IN_SHEET_NAMES = "[]:*?/\\"


def workbook(cover: Sequence[tuple[str, Cell]]) -> Workbook:
    """A workbook whose first sheet, "Report", says what the report is: a name and a value
    a row."""
    book = Workbook()
    front = book.active
    assert front is not None  # a new workbook has its sheet
    front.title = "Report"
    for name, value in cover:
        append(front, [name, value])
    front.column_dimensions["A"].width, front.column_dimensions["B"].width = 16, 100
    return book


def titled_sheet(book: Workbook, name: str, title: str, head: Sequence[str]) -> Worksheet:
    """A table's sheet: ``title`` in bold in its first row (the name on its tab is short),
    then its column headings, in bold."""
    sheet = book.create_sheet(name)
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    append(sheet, head)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    return sheet


def append(sheet: Worksheet, row: Sequence[Cell]) -> None:
    """Append a row: text as written, never a formula; a number as a number; a day or a
    moment (in UTC, to the second) as a date with its format."""
    sheet.append([_stored(value) for value in row])
    for cell, value in zip(sheet[sheet.max_row], row, strict=False):
        if cell.data_type == "f":  # openpyxl takes "=..." for a formula
            cell.data_type = "s"
        if isinstance(value, datetime):
            cell.number_format = MOMENT_FORMAT
        elif isinstance(value, date):
            cell.number_format = DAY_FORMAT


def _stored(value: Cell) -> Cell:
    if isinstance(value, str):
        return cell_text(value)
    if isinstance(value, datetime):  # Excel has no time zones
        return value.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    return value


def sheet_name(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in the book
    (as Excel compares them, ignoring case): ``title``, or cut after a whole word and
    marked "…", then numbered " (2)", " (3)"... if taken."""
    clean = "".join("-" if c in _NOT_IN_SHEET_NAMES else c for c in title).strip()
    name, number = _fit(clean, SHEET_NAME_MAX), 1
    while name.casefold() in used:
        number += 1
        suffix = f" ({number})"
        name = _fit(clean, SHEET_NAME_MAX - len(suffix)) + suffix
    used.add(name.casefold())
    return name


def _fit(text: str, room: int) -> str:
    """``text`` in ``room`` characters: whole, or cut after a word and marked "…"."""
    if len(text) <= room:
        return text
    cut = text[: room - 1]
    if text[room - 1] != " " and " " in cut:  # a word is cut: leave it out
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" -,;") + "…"
