"""CSV rows whose cells do not line up with the header: an unquoted comma in pasted text
splits one cell in two, a hand-made row leaves a cell out.

Such a row is never read as it stands (the cells after the fault would each land one
column off: recommendation text in the Agency column, read as an invented sub-action, and
the agency lost). It is realigned where exactly one repair makes every column hold what
it should, and the repair is reported with the row's line:

* one cell too many: the two neighbouring cells whose join (with the delimiter between
  them, as written) makes every column plausible;
* one cell too few: the column left blank (never the number or the recommendation) that
  does;
* cells too few at the end only, where what is there already fits: read as written (the
  blank cells are reported by the assembler, as before).

Plausible, column by column: the number column holds a number; the agency column a name
that looks like an agency (capitalised, short, not a person, a post, a date or a
sentence); the target column a date, "Ongoing" or the like; a status or RAG cell a few
words with no comma. No cell opens with a space and a lower-case word: that is the rest
of a sentence cut at a comma. Where no repair fits, or more than one does, the row is kept
whole: every cell, in order, joined as written, as the recommendation's text, for a
person to place.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from adapters.importing.assemble import number_in
from adapters.importing.cells import looks_like_prose
from adapters.importing.columns import (
    AGENCY,
    LEADS,
    NUMBER,
    RAG,
    RECOMMENDATION,
    STATUS,
    TARGET,
    looks_like_header,
    match_columns,
)
from adapters.importing.leads import names_a_place, names_a_post, names_person
from adapters.importing.model import ParseWarning
from domain.fuzzy_date import FuzzyDate, Precision

Table = list[tuple[int, list[str]]]

_CUT_TAIL = re.compile(r"^\s+[a-z]")
"""A cell opening with a space and a lower-case word: the rest of a sentence. (A number,
agency, target or status cell opens with no space at all: in a CSV row, a space after the
delimiter is what a comma typed in text leaves.)"""
_MONTHS_AND_SEASONS = (
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april"
    r"|june|july|august|september|october|november|december|spring|summer|autumn|winter"
)
_TARGET_START = re.compile(
    rf"^(?:\d|(?:by|before|end|from|within|during|until|after|{_MONTHS_AND_SEASONS}|q[1-4]"
    r"|on-?\s?going|implemented|immediate(?:ly)?|complete[d]?|tb[ca]|asap|annual(?:ly)?"
    r"|quarterly|monthly|weekly|n/a)\b)",
    re.IGNORECASE,
)
"""How a target that is not a plain date opens: "By end of Q2 2015", "March 2013 onwards"."""


@dataclass(frozen=True)
class _Header:
    cells: list[str]
    columns: dict[str, int]
    delimiter: str

    @property
    def width(self) -> int:
        return len(self.cells)

    def column(self, index: int) -> str:
        name = self.cells[index] if index < len(self.cells) else ""
        return f"column {index + 1} {name!r}" if name else f"column {index + 1}"


def realign(rows: Table, delimiter: str) -> tuple[Table, list[ParseWarning]]:
    """The rows, as the CSV reader split them (blank cells at their ends too: they count),
    with each misaligned one repaired or kept whole, and a warning for each; then blank
    cells past the header's last column dropped (so only a row that is short as written
    reads as short)."""
    header: _Header | None = None
    result: Table = []
    warnings: list[ParseWarning] = []
    for line, cells in rows:
        stripped = [cell.strip() for cell in cells]
        if looks_like_header(stripped):
            header = _Header(stripped, match_columns(stripped), delimiter)
        elif header is not None and len(cells) != header.width and sum(map(bool, stripped)) > 1:
            read, message = (_too_many if len(cells) > header.width else _too_few)(cells, header)
            if message:
                shape = f"row has {len(cells)} cells where the header has {header.width}"
                warnings.append(ParseWarning(line, f"{shape}{message}"))
                cells = read
        keep = header.width if header is not None else 0
        while len(cells) > keep and not cells[-1]:
            cells = cells[:-1]
        result.append((line, cells))
    return result, warnings


def _too_many(cells: list[str], header: _Header) -> tuple[list[str], str | None]:
    """One cell too many: the one join of two neighbours that fits every column."""
    misfits, width = _misfits(header.columns), header.width
    blank_past_the_end = not any(cell.strip() for cell in cells[width:])
    if blank_past_the_end and not misfits(cells[:width]):
        return cells, None  # "a,b,c," : a delimiter at the end of the row, no more
    extra = len(cells) - width
    joins = [i for i in range(width) if extra == 1 and not misfits(_joined(cells, i, header))]
    if len(joins) == 1:
        i = joins[0]
        where = _around(cells[i], header.delimiter, cells[i + 1])
        return _joined(cells, i, header), (
            f": cells {i + 1} and {i + 2} read as one, {header.column(i)}, "
            f"an unquoted {header.delimiter!r} in its text: {where!r}"
        )
    if blank_past_the_end:
        return cells, None  # no join reads better: as written, nothing past the end
    if extra > 1:
        return _kept_whole(cells, header, f"{extra} cells too many to tell which belong together")
    return _kept_whole(cells, header, _which(joins, header, "joins of two neighbouring cells"))


def _too_few(cells: list[str], header: _Header) -> tuple[list[str], str | None]:
    """Cells too few: the one reading with cells left out (blank) that fits every column."""
    misfits = _misfits(header.columns)
    as_written = misfits([*cells, *[""] * (header.width - len(cells))])
    if not as_written:
        return cells, None  # cells left off the end; the assembler reports them blank
    readings = _with_blanks(cells, header)
    if not readings:
        return _kept_whole(cells, header, "too few cells to tell which were left out")
    scores = {blanks: misfits(row) for blanks, row in readings.items()}
    fitting = [blanks for blanks, score in scores.items() if not score]
    if len(fitting) == 1:
        left_out = ", ".join(header.column(i) for i in fitting[0])
        return readings[fitting[0]], (
            f": read with {left_out} left out (blank) and the cells after moved on, "
            "the only reading in which every column holds what it should"
        )
    if as_written <= min(scores.values()):
        return cells, None  # no reading moves a cell to where it reads better
    found = [blanks[0] for blanks in fitting]
    return _kept_whole(cells, header, _which(found, header, "columns that could be left out"))


def _which(found: list[int], header: _Header, what: str) -> str:
    if not found:
        return f"none of its {what} makes every column hold what it should"
    return f"{len(found)} {what} fit ({', '.join(header.column(i) for i in found)})"


def _joined(cells: list[str], index: int, header: _Header) -> list[str]:
    joined = f"{cells[index]}{header.delimiter}{cells[index + 1]}"
    return [*cells[:index], joined, *cells[index + 2 :]]


_MOST_LEFT_OUT = 3


def _with_blanks(cells: list[str], header: _Header) -> dict[tuple[int, ...], list[str]]:
    """Each reading of a short row with blank cells put back (never as its number or its
    text), by the columns left blank."""
    missing, width = header.width - len(cells), header.width
    if missing > _MOST_LEFT_OUT:
        return {}
    text = {header.columns.get(NUMBER), header.columns[RECOMMENDATION]}
    readings = {}
    for blanks in itertools.combinations([i for i in range(width) if i not in text], missing):
        given = iter(cells)
        readings[blanks] = ["" if i in blanks else next(given) for i in range(width)]
    return readings


def _kept_whole(cells: list[str], header: _Header, why: str) -> tuple[list[str], str]:
    """Every cell, in order, as the recommendation's text; the number kept as its number."""
    row = [""] * header.width
    number = header.columns.get(NUMBER, -1)
    keep = 0 <= number < len(cells) and number_in(cells[number]) is not None
    if keep:
        row[number] = cells[number]
    rest = [cell for index, cell in enumerate(cells) if not (keep and index == number)]
    row[header.columns[RECOMMENDATION]] = header.delimiter.join(rest)
    whole = _excerpt(header.delimiter.join(cells))
    return row, (
        f" and {why}; the whole row is kept as the recommendation's text, for a person "
        f"to place: {whole!r}"
    )


def _around(left: str, delimiter: str, right: str, words: int = 6) -> str:
    """The words either side of a join: "...staff in DASH, including reception staff..."."""
    before, after = left.split(), right.split()
    head = ("\u2026" if len(before) > words else "") + " ".join(before[-words:])
    tail = " ".join(after[:words]) + ("\u2026" if len(after) > words else "")
    space = " " if right[:1].isspace() else ""
    return f"{head}{delimiter}{space}{tail}"


def _excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"


def _misfits(columns: dict[str, int]) -> Callable[[list[str]], int]:
    """How many of a reading's cells do not hold what their column should."""
    checks = {role: _PLAUSIBLE[role] for role in columns if role in _PLAUSIBLE}

    def misfits(cells: list[str]) -> int:
        written = {role: cells[i] if i < len(cells) else "" for role, i in columns.items()}
        text = {role: cell.strip() for role, cell in written.items()}
        count = sum(bool(_CUT_TAIL.match(cell)) for cell in cells)
        count += sum(written[role][:1].isspace() for role in checks if role != LEADS)
        if NUMBER in columns and text[NUMBER] and not text.get(RECOMMENDATION):
            count += 1  # a numbered row has its text
        return count + sum(not check(text[role]) for role, check in checks.items())

    return misfits


def _number(text: str) -> bool:
    return not text or number_in(text) is not None


def _agency(text: str) -> bool:
    """Blank, or each name in it looks like an agency's."""
    return all(_one_agency(part.strip()) for part in re.split(r"[,;\n]", text) if part.strip())


def _one_agency(name: str) -> bool:
    if not name[:1].isupper() and not name[:1].isdigit():
        return False
    if len(name.split()) > 10 or looks_like_prose(name) or _is_date(name):
        return False
    if names_a_place(name):
        return True  # "Police and Crime Commissioner", "Adult Social Care"
    return not names_person(name) and not names_a_post(name)


def _is_date(text: str) -> bool:
    return FuzzyDate.parse(text, year=2000).precision != Precision.UNKNOWN


def _target(text: str) -> bool:
    """Blank, or a date the calendar or a plan knows ("July 2014", "Ongoing", "By end of
    Q2 2015"): never a dated update ("Update Dec 2014: sent")."""
    if not text or _is_date(text):
        return True
    return len(text.split()) <= 8 and ":" not in text and bool(_TARGET_START.match(text))


def _lead(text: str) -> bool:
    """Blank, or anything but a date or a number (a lead cell may hold action text)."""
    return not text or not (_is_date(text) or number_in(text) is not None)


def _short(text: str) -> bool:
    """Blank, or a few words with no comma: "Complete", "In progress", "Green"."""
    return not text or ("," not in text and len(text.split()) <= 5 and not looks_like_prose(text))


_PLAUSIBLE: dict[str, Callable[[str], bool]] = {
    NUMBER: _number,
    AGENCY: _agency,
    LEADS: _lead,
    TARGET: _target,
    STATUS: _short,
    RAG: _short,
}
