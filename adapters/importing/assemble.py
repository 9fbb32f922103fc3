"""Rows -> recommendations still in raw form: sections, themes, headers, page-split rows
rejoined.

A recommendation starts at a row whose number cell holds a number (``1``, ``21.10.1``,
``Rec 3``), or, in a table with no number column, whose recommendation cell reads
"Recommendation No N". Every following row that does not start one is a page-break
continuation and its cells are appended, column by column, to the open recommendation,
except a row with recommendation text but no number, which is reported, never glued on.
A row with text in its first cell only ("Theme 2 - Processes") names the theme of the
recommendations below it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from adapters.importing.cells import continues_sentence
from adapters.importing.columns import (
    AGENCY,
    EXPECTED,
    NUMBER,
    RECOMMENDATION,
    ROLES,
    looks_like_header,
    match_columns,
)
from adapters.importing.html_text import (
    has_unclosed_block,
    html_to_lines,
    html_to_text,
    starts_new_item,
)
from adapters.importing.model import ParseWarning, PlanParseError
from adapters.importing.refs import slugify
from domain import values
from domain.errors import InvalidCommand

REC_START = re.compile(
    r"^\s*(?:Recommendation|Rec\.?)\s*(?:No\.?|Number|#)?\s*"
    r"(?P<num>\d+(?:\.\d+)*(?:[a-z](?![a-z]))?)(?!\d)"
    r"\.?\s*[:.\u2013\u2014-]?\s*",
    re.IGNORECASE,
)
ACTION_START = re.compile(
    r"^\s*(?:sub-?\s?)?action\s+(?:no\.?\s*)?(?P<num>\d+(?:\.\d+)*[a-z]?(?:\.\d+[a-z]?)?)"
    r"\s*[:.\u2013\u2014-]\s*",
    re.IGNORECASE,
)
"""A row for one action of the recommendation above it, numbered under it: "Action 3.2: ..."
under "Recommendation No 3" (as ``recledger export`` writes a sub-action)."""
NUMBERED_TEXT = re.compile(
    r"^\s*(?P<num>\d{1,3}[a-z]?(?=[.):])|\d{1,3}(?:\.\d{1,3})+[a-z]?)[.):]?\s+(?=[A-Z])"
)
"""Recommendation text that starts with its number ("1. The Board...", "21.10.1 Train..."):
read as its number only in a table with no number column where no row starts
"Recommendation No N"."""
_OVERVIEW = re.compile(r"^overview(?:\s+report)?(?:\s+recommendations?)?\s*:?$", re.IGNORECASE)
_IMR_GROUP = re.compile(
    r"^(?:individual management reports?|imrs?)(?:\s*\(imr\))?(?:\s+recommendations?)?\s*:?$",
    re.IGNORECASE,
)
_AGENCY = re.compile(r"^agency\s*[:\u2013\u2014-]\s*(?P<name>.+?)\s*$", re.IGNORECASE)
_NUMBER_CELL = re.compile(
    r"^(?:(?:recommendation|rec)\.?\s*(?:no\.?|number|#)?\s*|r\s*)?"
    r"(?P<num>\d+(?:\.\d+)*)\s*(?:\(?(?P<letter>[a-z])\)?)?\s*[.):]?$",
    re.IGNORECASE,
)
_THEME = re.compile(
    r"^(?:theme|section|priority|strand|workstream|objective|outcome|part"
    r"|key\s+(?:theme|priority|area|line of enquiry))\b",
    re.IGNORECASE,
)
_DASHES = re.compile(r"^[-\u2013\u2014_=\s]*$")


@dataclass
class Cell:
    """A cell's text as lines, plus which source line each stretch of it came from."""

    text: str = ""
    marks: list[tuple[int, int]] = field(default_factory=list)  # (offset, source line)
    raw: list[str] = field(default_factory=list)

    def add(self, line: int, raw: str, lines: list[str] | None = None) -> None:
        lines = html_to_lines(raw) if lines is None else lines
        self.raw.append(raw)
        if not lines:
            return
        last = self.text.rsplit("\n", 1)[-1]
        if self.text and not starts_new_item(raw) and continues_sentence(last, lines[0]):
            self.text += " "
        elif self.text:
            self.text += "\n"
        self.marks.append((len(self.text), line))
        self.text += "\n".join(lines)

    def line_at(self, offset: int, default: int) -> int:
        found = default
        for start, line in self.marks:
            if start > offset:
                break
            found = line
        return found

    def paragraphs(self, default: int) -> list[tuple[int, str]]:
        """(source line, text) for each line of the cell."""
        result, offset = [], 0
        for text in self.text.split("\n"):
            if text.strip():
                result.append((self.line_at(offset, default), text.strip()))
            offset += len(text) + 1
        return result


@dataclass
class Section:
    key: str  # "overview" or "imr/<slug>"
    heading: str  # the agency as written in its heading ("" for the overview)
    agency: str  # display name: the Agency cells' capitalisation when only case differs
    spelling_settled: bool = False

    @property
    def label(self) -> str:
        return "Overview" if self.key == "overview" else self.agency


@dataclass
class ActionRow:
    """A row holding one action of a recommendation: its number under it, its text, and
    the row's other cells by role."""

    line: int
    number: str
    text: str
    cells: dict[str, str]


@dataclass
class RawRecommendation:
    section: Section
    number_text: str
    line: int
    cells: dict[str, Cell]
    column_names: dict[str, str]
    theme: str = ""
    cut_off_line: int | None = None
    rows: list[dict[str, str]] = field(default_factory=list)
    """Each row's cells by role, as written: a table with one row per action pairs them."""
    actions: list[ActionRow] = field(default_factory=list)
    """Rows that each hold one of its actions ("Action 3.2: ..."), in order."""

    @property
    def label(self) -> str:
        return f"{self.section.label} rec {self.number_text}"


@dataclass
class _State:
    columns: dict[str, int] | None
    column_names: dict[str, str]
    width: int
    section: Section = field(default_factory=lambda: Section("overview", "", ""))
    theme: str = ""
    starts: re.Pattern[str] = REC_START
    current: RawRecommendation | None = None
    found: list[RawRecommendation] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(ParseWarning(line, message))


def _heading(cells: list[str]) -> tuple[str, str] | None:
    """("overview", "") / ("imr-group", "") / ("agency", name) for a one-cell heading row."""
    filled = [cell.strip() for cell in cells if cell.strip()]
    if len(filled) != 1:
        return None
    text = re.sub(r"\s+", " ", html_to_text(filled[0]))
    if _OVERVIEW.match(text):
        return ("overview", "")
    if _IMR_GROUP.match(text):
        return ("imr-group", "")
    match = _AGENCY.match(text)
    return ("agency", match["name"].rstrip(" .:")) if match else None


def _enter_section(state: _State, kind: str, name: str) -> None:
    if kind == "imr-group":
        return
    key = "overview" if kind == "overview" else f"imr/{slugify(name)}"
    if key != state.section.key:
        state.section = Section(key, name, name)
        state.current, state.theme = None, ""


def number_in(cell: str) -> str | None:
    """The recommendation number a number cell holds (``3``, ``21.10.1``, ``Rec 3``, ``1a``,
    ``1(b)``), canonical as the domain writes it; None if it holds none."""
    match = _NUMBER_CELL.match(" ".join(cell.split()))
    if match is None:
        return None
    try:
        return values.number(match["num"] + (match["letter"] or ""))
    except InvalidCommand:
        return None


def _theme(state: _State, cells: list[str]) -> str | None:
    """The theme a row names: text in its first cell only, in a table of several columns,
    that is not a number and - where recommendations start in the first column - reads as
    one ("Theme 2 - Processes - Cumbria wide")."""
    if state.columns is None or state.width < 2 or not cells or not cells[0].strip():
        return None
    if any(cell.strip() for cell in cells[1:]):
        return None
    text = " ".join(html_to_text(cells[0]).split())
    if REC_START.match(text) or number_in(text) is not None:
        return None
    starts_here = NUMBER not in state.columns and state.columns[RECOMMENDATION] == 0
    return text if _THEME.match(text) or not starts_here else None


def _take_header(state: _State, line: int, cells: list[str]) -> None:
    columns = match_columns(cells)
    if columns == state.columns:
        return
    state.columns, state.width = columns, len(cells)
    state.column_names = {role: cells[index] for role, index in columns.items()}
    missing = [role for role in EXPECTED if role not in columns]
    if missing:
        unknown = "; the agency of each recommendation is left unknown" if AGENCY in missing else ""
        state.warn(line, f"header row has no column for: {', '.join(missing)}{unknown}")
    for index, cell in enumerate(cells):
        if cell and index not in columns.values():
            state.warn(
                line, f"column {index + 1} {cell!r} not recognised; its cells are kept in warnings"
            )


def _stray(state: _State, line: int, cells: list[str], why: str) -> None:
    text = " | ".join(html_to_text(c).replace("\n", " / ") for c in cells if c.strip())
    state.warn(line, f"{why}; text kept here: {text!r}")


def _add_cells(
    state: _State, rec: RawRecommendation, line: int, cells: list[str], first: list[str] | None
) -> None:
    assert state.columns is not None
    mapped = set(state.columns.values())
    row = {
        role: cells[index] if index < len(cells) else "" for role, index in state.columns.items()
    }
    rec.rows.append(row)
    for role, raw in row.items():
        lines = first if role == RECOMMENDATION and first is not None else None
        rec.cells[role].add(line, raw, lines)
    _prefer_cell_spelling(rec)
    if len(cells) < state.width:
        state.warn(
            line,
            f"{rec.label}: row has {len(cells)} cells where the header has {state.width};"
            " missing cells read as blank",
        )
    for index, raw in enumerate(cells):
        if index not in mapped and raw.strip():
            _stray(state, line, [raw], f"{rec.label}: cell {index + 1} is in no known column")


def _prefer_cell_spelling(rec: RawRecommendation) -> None:
    """Heading "Agency: West Mercia police", cells "West Mercia Police": use the cells'.

    The first Agency cell naming the heading's agency decides, so the name stays stable.
    """
    section = rec.section
    value = rec.cells[AGENCY].text.strip()
    if section.key == "overview" or section.spelling_settled:
        return
    if value.casefold() == section.heading.casefold():
        section.agency, section.spelling_settled = value, True


def _place_row(state: _State, line: int, cells: list[str]) -> bool:
    """Start or continue a recommendation with this row; False if it could not be placed."""
    if state.columns is None:
        if any(REC_START.match(html_to_text(cell)) for cell in cells):
            raise PlanParseError("a recommendation row comes before any column header row", line)
        _stray(state, line, cells, "text before the first column header row cannot be placed")
        return False
    rec_index = state.columns[RECOMMENDATION]
    rec_lines = html_to_lines(cells[rec_index]) if rec_index < len(cells) else []
    if state.current is not None and _is_action_row(state, line, cells, rec_lines):
        return True
    start = state.starts.match(rec_lines[0]) if rec_lines else None
    number = _start_number(state, line, cells, start)
    if number == "":
        return False
    if number is None and len(cells) == 1 and state.width > 1:
        _stray(state, line, cells, "line outside the table cannot be placed")
        return False
    if number is not None:
        if start is not None:
            rec_lines[0] = rec_lines[0][start.end() :]
        state.current = RawRecommendation(
            state.section,
            number,
            line,
            {role: Cell() for role in ROLES},
            dict(state.column_names),
            state.theme,
        )
        state.found.append(state.current)
        _add_cells(state, state.current, line, cells, [text for text in rec_lines if text])
        return True
    if state.current is None:
        _stray(state, line, cells, "row continues no recommendation")
        return False
    if state.current.actions:  # a page break inside an action's row
        _continue_action(state, state.current.actions[-1], cells)
        return True
    repeated = _repeats_text(state.current, cells, rec_index)
    _add_cells(state, state.current, line, cells, [] if repeated else None)
    return True


def _is_action_row(state: _State, line: int, cells: list[str], rec_lines: list[str]) -> bool:
    """Take the row as one of the open recommendation's actions if its recommendation cell
    says so: "Action 3.2: ..." under recommendation 3 (the number continues the
    recommendation's)."""
    rec, columns = state.current, state.columns
    assert rec is not None and columns is not None
    start = ACTION_START.match(rec_lines[0]) if rec_lines else None
    prefix = f"{rec.number_text.partition('#')[0]}."
    if start is None or not start["num"].lower().startswith(prefix):
        return False
    number = start["num"].lower().removeprefix(prefix)
    text = "\n".join([rec_lines[0][start.end() :], *rec_lines[1:]]).strip()
    by_role = {
        role: cells[index]
        for role, index in columns.items()
        if role != RECOMMENDATION
        if index < len(cells)
    }
    rec.actions.append(ActionRow(line, number, text, by_role))
    return True


def _continue_action(state: _State, action: ActionRow, cells: list[str]) -> None:
    assert state.columns is not None
    for role, index in state.columns.items():
        if index >= len(cells) or not cells[index].strip():
            continue
        if role == RECOMMENDATION:
            action.text = f"{action.text} {html_to_text(cells[index])}".strip()
        else:
            action.cells[role] = f"{action.cells.get(role, '')}\n{cells[index]}"


def _repeats_text(rec: RawRecommendation, cells: list[str], rec_index: int) -> bool:
    """Does this row repeat the recommendation's text (a table with a row per action)?"""
    text = html_to_text(cells[rec_index]).strip() if rec_index < len(cells) else ""
    return bool(text) and " ".join(text.split()) == " ".join(rec.cells[RECOMMENDATION].text.split())


def _start_number(
    state: _State, line: int, cells: list[str], start: re.Match[str] | None
) -> str | None:
    """The number of the recommendation this row starts; None if it starts none; "" if it
    cannot be placed (reported here)."""
    assert state.columns is not None
    index = state.columns.get(NUMBER)
    if index is None:
        return None if start is None else number_in(start["num"]) or start["num"]
    written = html_to_text(cells[index]).strip() if index < len(cells) else ""
    number = number_in(written)
    rec_index = state.columns[RECOMMENDATION]
    text = html_to_text(cells[rec_index]).strip() if rec_index < len(cells) else ""
    current = state.current
    if (
        current is not None
        and number == current.number_text
        and (not text or _repeats_text(current, cells, rec_index))
    ):
        return None  # one row per action, the number repeated: the same recommendation
    if number is not None:
        return number
    if written or text:
        what = f"its number cell reads {written!r}" if written else "it has no number"
        _stray(state, line, cells, f"row cannot be placed: {what}")
        return ""
    return None


def _looks_cut_off(state: _State, cells: list[str]) -> bool:
    return len(cells) < state.width or any(has_unclosed_block(cell) for cell in cells)


def assemble(
    rows: list[tuple[int, list[str]]],
    columns: dict[str, int] | None = None,
    truncated: bool | None = None,
) -> tuple[list[RawRecommendation], list[ParseWarning]]:
    """Group rows into raw recommendations; see ``parse_rows`` for the contract."""
    width = max(columns.values()) + 1 if columns else 0
    names = {role: role for role in columns} if columns else {}
    state = _State(columns=columns, column_names=names, width=width)
    if not any(REC_START.match(html_to_text(cell)) for _, cells in rows for cell in cells):
        state.starts = NUMBERED_TEXT
    last: tuple[int, list[str]] | None = None
    for line, cells in rows:
        if all(_DASHES.match(cell) for cell in cells):
            continue
        heading = _heading(cells)
        if heading is not None:
            _enter_section(state, *heading)
            continue
        clean = [html_to_text(cell).replace("\n", " ") for cell in cells]
        if looks_like_header(clean):
            _take_header(state, line, clean)
            continue
        theme = _theme(state, cells)
        if theme is not None:
            state.theme, state.current, last = theme, None, None
            continue
        last = (line, cells) if _place_row(state, line, cells) else None
    if last is not None and state.current is not None:
        cut = truncated if truncated is not None else _looks_cut_off(state, last[1])
        if cut:
            state.current.cut_off_line = last[0]
    return state.found, state.warnings


def is_heading(text: str) -> bool:
    """Is this plain line a section heading ("Overview Report Recommendations", "Agency: X")?"""
    return _heading([text]) is not None
