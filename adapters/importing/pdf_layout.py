"""A PDF page as a plan's reader sees it: the rows of its ruled tables, each cell's text
joined back into paragraphs, and the lines of text outside the tables, top to bottom.

A PDF holds no paragraphs, only lines placed on the page. A cell's line ends its paragraph
where the next line's first word would have fitted on it (a line is broken only where the
next word does not fit), or where a wider gap than the page's line spacing follows it (the
space after a paragraph); a line opening with a bullet starts an item. Paragraphs set
close with a last line that fills the cell cannot be told apart, and are read as one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from pdfplumber.page import Page

from adapters.importing.cells import continues_sentence
from adapters.importing.pdf_bounds import check_grid

Box = tuple[float, float, float, float]
Objects = list[dict[str, Any]]

_BULLET = re.compile(r"^[•▪◦●\uf0b7\uf0a7]")
_SPLIT_WORD = re.compile(r"\w-$")
_SAME_LINE = 3.0
"""How far apart (points) the tops of two characters on one line may be."""
_BAND = 20
"""Points: cells are looked up by the band of the page their characters fall in."""
_MARGIN = 0.12
"""The top and bottom of a page, as a share of its height: where a running header or
footer stands."""


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    word: float
    """The width of its first word."""
    space: float
    """The width of a space between its words."""


@dataclass
class Cell:
    paragraphs: list[str] = field(default_factory=list)
    first: Line | None = None
    last: Line | None = None
    limit: float = 0.0
    """How far right its text may reach."""


@dataclass
class Item:
    """A row of a table (``cells``) or a line outside the tables (``text``)."""

    top: float
    cells: list[Cell] | None = None
    text: str = ""
    margin: str = ""
    """Where a line in the top or bottom margin stands: "top" or "bottom"."""


@dataclass
class PageRead:
    number: int
    items: list[Item]
    images: bool = False
    """Whether it shows any image."""


@dataclass
class Drawn:
    """What pdfplumber finds on a page: its characters, and the cells of its tables' rows."""

    number: int
    height: float
    chars: Objects
    rows: list[list[Box | None]]
    images: bool


def drawn(page: Page) -> Drawn:
    """What the page draws: all pdfminer's and pdfplumber's work on it (a damaged page fails
    here, in theirs), within the limits."""
    chars = _unique(page.chars)
    images = bool(page.images)
    if not chars:
        return Drawn(page.page_number, float(page.height), [], [], images)
    edges = page.edges
    check_grid(edges, page.page_number)
    tables = page.find_tables({"explicit_horizontal_lines": _closing_edges(edges)})
    rows = [list(row.cells) for table in tables for row in table.rows]
    return Drawn(page.page_number, float(page.height), chars, rows, images)


def read_page(page: Drawn) -> PageRead:
    """The page's table rows and lines outside its tables, top to bottom."""
    rows = page.rows
    held, outside = _sorted_out(page.chars, rows)
    items = [Item(line.top, text=line.text, margin=_margin(line, page.height))
             for line in _lines(outside)]  # fmt: skip
    laid = [
        [(box, _lines(found)) for box, found in zip(cells, chars_in, strict=True)]
        for cells, chars_in in zip(rows, held, strict=True)
    ]
    spacing = _spacing([lines for row in laid for _, lines in row])
    indents = [lines[0].x0 - box[0] for row in laid for box, lines in row if box and lines]
    pad = max(0.0, min(indents, default=0.0))
    for cells, row in zip(rows, laid, strict=True):
        top = min(box[1] for box in cells if box is not None)
        items.append(Item(top, [_cell(box, lines, pad, spacing) for box, lines in row]))
    return PageRead(page.number, sorted(items, key=lambda item: item.top), page.images)


def _margin(line: Line, height: float) -> str:
    """Whether the line stands in the top or the bottom margin ("top", "bottom", or "")."""
    if line.bottom < _MARGIN * height:
        return "top"
    return "bottom" if line.top > (1 - _MARGIN) * height else ""


def _sorted_out(
    chars: Objects, rows: list[list[Box | None]]
) -> tuple[list[list[Objects]], Objects]:
    """The characters of each cell of each row, and those outside every cell."""
    held: list[list[Objects]] = [[[] for _ in cells] for cells in rows]
    bands: dict[int, list[tuple[int, int, Box]]] = {}
    for r, cells in enumerate(rows):
        for c, box in enumerate(cells):
            if box is not None:
                for band in range(int(box[1] // _BAND), int(box[3] // _BAND) + 1):
                    bands.setdefault(band, []).append((r, c, box))
    outside: Objects = []
    for char in chars:
        x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        found = bands.get(int(y // _BAND), [])
        spot = next(((r, c) for r, c, b in found if b[0] <= x < b[2] and b[1] <= y < b[3]), None)
        (outside if spot is None else held[spot[0]][spot[1]]).append(char)
    return held, outside


def _unique(chars: Objects) -> Objects:
    """The characters, each drawn once: a word processor's bold may draw a glyph twice."""
    seen: set[tuple[str, int, int]] = set()
    unique = []
    for char in chars:
        key = (char["text"], round(char["x0"]), round(char["top"]))
        if key not in seen:
            seen.add(key)
            unique.append(char)
    return unique


def _lines(chars: Objects) -> list[Line]:
    """Characters grouped into lines, top to bottom."""
    groups: list[Objects] = []
    for char in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if groups and abs(char["top"] - groups[-1][0]["top"]) <= _SAME_LINE:
            groups[-1].append(char)
        else:
            groups.append([char])
    return [line for group in groups if (line := _line(group)) is not None]


def _line(chars: Objects) -> Line | None:
    """A line's text, with a space where the line has one or a gap says so."""
    chars = sorted(chars, key=lambda c: c["x0"])
    solid = [c for c in chars if not c["text"].isspace()]
    if not solid:
        return None
    size = sorted(c["size"] for c in solid)[len(solid) // 2]
    text, word_end, previous, spaced = "", None, None, False
    for char in chars:
        if char["text"].isspace():
            spaced = previous is not None
            continue
        if previous is not None and (spaced or char["x0"] - previous["x1"] > 0.15 * size):
            text += " "
            word_end = previous["x1"] if word_end is None else word_end
        text, previous, spaced = text + char["text"], char, False
    widths = sorted(c["x1"] - c["x0"] for c in chars if c["text"] == " ")
    x0 = solid[0]["x0"]
    return Line(
        text, x0, solid[-1]["x1"], min(c["top"] for c in solid), max(c["bottom"] for c in solid),
        size, (solid[-1]["x1"] if word_end is None else word_end) - x0,
        widths[len(widths) // 2] if widths else 0.25 * size,
    )  # fmt: skip


def _spacing(cells: list[list[Line]]) -> float | None:
    """The page's commonest gap between a line of a cell and the next."""
    gaps = Counter(round(b.top - a.bottom) for lines in cells for a, b in pairwise(lines))
    return float(gaps.most_common(1)[0][0]) if gaps else None


def _cell(box: Box | None, lines: list[Line], pad: float, spacing: float | None) -> Cell:
    if box is None or not lines:
        return Cell()
    cell = Cell([lines[0].text], lines[0], lines[0], max(box[2] - pad, *(x.x1 for x in lines)))
    for line in lines[1:]:
        _add(cell, line, spacing)
    return cell


def _add(cell: Cell, line: Line, spacing: float | None, text: str = "", *,
         across: bool = False) -> None:  # fmt: skip
    """``line`` (or ``text``, the paragraph it opens) onto the cell's last paragraph, or as
    a new one. Across a page break, text that carries on the sentence (``continues_sentence``,
    as the text reader joins a row's parts) continues the paragraph whatever the lines."""
    text = text or line.text
    last = cell.last
    if last is None:
        cell.paragraphs, cell.first, cell.last = [text], line, line
        return
    gap = spacing is not None and line.top - last.bottom > spacing + 0.35 * last.size
    carries = across and continues_sentence(cell.paragraphs[-1], text)
    if _BULLET.match(text) or ((gap or fits(last, line, cell.limit)) and not carries):
        cell.paragraphs.append(text)
    elif _SPLIT_WORD.search(cell.paragraphs[-1]):
        cell.paragraphs[-1] += text  # "co-" / "ordinate"
    else:
        cell.paragraphs[-1] += " " + text
    cell.last = line


def fits(last: Line, line: Line, limit: float) -> bool:
    """Would ``line``'s first word have fitted at the end of ``last``? Then ``last`` ended
    its paragraph."""
    return last.x1 + last.space + line.word <= limit + 0.1


def join_rows(row: list[Cell], more: list[Cell]) -> None:
    """The part of a row on the next page onto the part before the break, cell by cell."""
    for cell, extra in zip(row, more, strict=True):
        if extra.first is None or extra.last is None:
            continue
        if cell.last is None:
            cell.paragraphs, cell.first, cell.limit = extra.paragraphs, extra.first, extra.limit
        else:
            _add(cell, extra.first, None, extra.paragraphs[0], across=True)
            cell.paragraphs += extra.paragraphs[1:]
            cell.limit = extra.limit
        cell.last = extra.last


def _closing_edges(edges: Objects) -> Objects:
    """Horizontal edges where a table's vertical edges stop but none is drawn: where a row
    is split by the page, reportlab draws none (pdfplumber needs one to see a cell)."""
    drawn: dict[int, Objects] = {}
    ends: dict[int, list[float]] = {}
    for edge in edges:
        if edge["orientation"] == "h":
            drawn.setdefault(round(edge["top"]), []).append(edge)
        else:
            for y in (edge["top"], edge["bottom"]):
                ends.setdefault(round(y), []).append(edge["x0"])
    closing = []
    for y, xs in ends.items():
        x0, x1 = min(xs), max(xs)
        near = (h for dy in range(-2, 3) for h in drawn.get(y + dy, []))
        if len({round(x) for x in xs}) > 1 and not any(h["x0"] < x1 and h["x1"] > x0 for h in near):
            closing.append({"object_type": "line", "x0": x0, "x1": x1, "top": y, "bottom": y,
                            "width": x1 - x0, "height": 0})  # fmt: skip
    return closing
