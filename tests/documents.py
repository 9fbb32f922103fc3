"""Plan documents made in the tests, shaped like the ones coordinators hold.

A ``PlanShape`` says what a plan's document shows, in no file format: the title block
above the table, the table's rows (column headers, repeated where a page breaks; section
rows merged across the columns; recommendation rows whose cells hold paragraphs and list
items) and the running page header and footer. ``write_docx`` writes it as a Word document
with python-docx; a PDF writer can take the same shape. ``seed_shape`` is the seed plan's
shape, read from its text extraction, so the seed's Word form can be compared with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any, Literal

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from adapters.importing.html_text import _BULLETS, _Lines, html_to_lines


@dataclass(frozen=True)
class Para:
    """A paragraph of a cell: text, a bulleted list item, or a numbered one (its number
    is the document's to show: Word numbers it, a PDF writer writes it)."""

    text: str
    kind: Literal["text", "bullet", "number"] = "text"


Cell = tuple[Para, ...]


@dataclass(frozen=True)
class Row:
    """A table row; a row of one cell is merged across the table (a section heading)."""

    cells: tuple[Cell, ...]

    @property
    def merged(self) -> bool:
        return len(self.cells) == 1


@dataclass(frozen=True)
class PlanShape:
    title: tuple[str, ...]
    """The title block: the lines above the table."""
    rows: tuple[Row | Between, ...]
    footer: tuple[str, ...] = ()
    """The running footer, on every page."""
    header: tuple[str, ...] = ()
    """The running page header."""

    @property
    def width(self) -> int:
        return max(len(row.cells) for row in self.rows if isinstance(row, Row))


def cell(*paragraphs: str | Para) -> Cell:
    return tuple(p if isinstance(p, Para) else Para(p) for p in paragraphs)


def row(*cells: str | Cell) -> Row:
    """A row from its cells: a string is a cell of one paragraph ("" an empty cell)."""
    return Row(tuple((cell(c) if c else ()) if isinstance(c, str) else c for c in cells))


def section(heading: str) -> Row:
    return Row((cell(heading),))


@dataclass(frozen=True)
class Between:
    """Paragraphs between two tables: the table ends here and another begins after them
    (a plan that starts each section on a new page under the title block again)."""

    lines: tuple[str, ...]


# A plan of its own: sections, lists, headers repeated, a footer with the version ------

HEADER = row(
    "No", "Recommendation", "Actions", "Lead agency", "Lead officer", "Target date",
    "Progress update",
)  # fmt: skip
POLICE_SECTION = section("Agency: Riverton Police")
RIVERTON = PlanShape(
    title=(
        "Riverton Community Safety Partnership",
        "Domestic Homicide Review 7 (Adult A)",
        "ACTION PLAN",
    ),
    rows=(
        section("Overview Report Recommendations"),
        HEADER,
        row(
            "1",
            "The Partnership should publish a domestic abuse strategy.",
            "",
            "Riverton CSP",
            "Strategy Manager",
            "March 2019",
            cell(
                "June 2018. Draft strategy circulated to partners for comment.",
                "Update January 2019: Strategy agreed by the board and published.",
            ),
        ),
        row(
            "2",
            "Agencies should train front line staff in routine enquiry.",
            cell(
                Para("Agree a training plan with each agency", "number"),
                Para("Deliver the training to front line staff", "number"),
            ),
            "Riverton CSP",
            cell("Training Lead", "Named Nurse Safeguarding"),
            "",
            cell("October 2018. Training plan agreed with four agencies."),
        ),
        HEADER,  # a page break: the headers repeat
        row(
            *("", "", "", "", "", ""),
            cell(
                Para("health visitors and school nurses trained first", "bullet"),
                "Update March 2019: 40 staff trained so far.",
            ),
        ),
        POLICE_SECTION,
        HEADER,
        row(
            "1",
            "Officers should record the children present at every incident.",
            "",
            "Riverton Police",
            "Det Supt Public Protection",
            "December 2018",
            cell("Action completed 1st February 2019: new incident form in use."),
        ),
    ),
    footer=("Riverton CSP \u2013 DHR 7 \u2013 Confidential", "Version 3 dated 14th March 2019"),
)
"""An invented DHR plan in the seed's family: a number and an Actions column, a numbered
list of actions (Word numbers it), a Summary cell of dated paragraphs, a recommendation
continued after the headers repeat (opening with a bullet), an agency section, a footer
naming the version. What it imports as: tests/e2e/test_import_word.py."""

# The seed's text extraction -> its shape ---------------------------------------------------

_SECTION = re.compile(
    r"^(?:Overview Report Recommendations|Individual Management Report Recommendations"
    r"|Agency: .+)$"
)
_DASHES = re.compile(r"^[-\s]*$")


class _Listed(_Lines):
    """The text reader's lines of a cell, each marked: does it come from a list?"""

    def __init__(self) -> None:
        super().__init__()
        self.listed: list[bool] = []

    def flush(self) -> None:
        inside = bool(self._lists) or bool(_BULLETS.match("".join(self._buffer)))
        before = len(self.lines)
        super().flush()
        self.listed += [inside] * (len(self.lines) - before)


def paragraphs(fragment: str) -> Cell:
    """A text extraction's cell (an HTML fragment) as the paragraphs Word held: one per
    line the text reader reads, those from a list (or after a bullet) as list items."""
    parser = _Listed()
    parser.feed(fragment)
    parser.close()
    parser.flush()
    lines = html_to_lines(fragment)  # the same lines, double numbers mended
    assert len(lines) == len(parser.listed), fragment
    return tuple(
        Para(line, "bullet" if listed else "text")
        for line, listed in zip(lines, parser.listed, strict=True)
    )


def seed_shape(text: str) -> PlanShape:
    """The seed plan as a Word document would hold it: its first lines the title block, its
    section lines merged rows of the table, its table rows as extracted (a row a page
    break split stays two rows; the column headers repeat), the page footer once."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title = tuple(lines[:3])
    rows: list[Row] = []
    footer: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line in title:
            continue
        if "\t" in raw:
            cells = raw.split("\t")
            if not all(_DASHES.match(c) for c in cells):
                rows.append(Row(tuple(paragraphs(c) for c in cells)))
        elif _SECTION.match(line):
            rows.append(section(line))
        elif line not in footer:
            footer.append(line)
    return PlanShape(title, tuple(rows), tuple(footer))


# Word -------------------------------------------------------------------------------------

_STYLES = {"text": None, "bullet": "List Bullet", "number": "List Number"}


def write_docx(shape: PlanShape, path: Path) -> Path:
    """The shape as a Word document: the title block as paragraphs, a table (section rows
    merged across it; a new one after paragraphs between), the header and footer on every
    page."""
    document = Document()
    for line in shape.title:
        document.add_paragraph(line)
    table = document.add_table(rows=0, cols=shape.width)
    table.style = "Table Grid"
    for row in shape.rows:
        if isinstance(row, Between):
            for line in row.lines:
                document.add_paragraph(line)
            table = document.add_table(rows=0, cols=shape.width)
            table.style = "Table Grid"
            continue
        cells = table.add_row().cells
        if row.merged:
            _fill(cells[0].merge(cells[-1]), row.cells[0])
        else:
            for target, paras in zip(cells, row.cells, strict=False):
                _fill(target, paras)
    section = document.sections[0]
    for part, lines in ((section.footer, shape.footer), (section.header, shape.header)):
        for index, line in enumerate(lines):
            paragraph = part.paragraphs[0] if index == 0 else part.add_paragraph()
            paragraph.text = line
    document.save(str(path))
    return path


def _fill(target: Any, paras: Cell) -> None:
    """A cell's paragraphs; each numbered list restarts at 1, as Word's "Restart at 1"
    makes it (a list of its own, overriding the style's start)."""
    first = True
    restart: str | None = None
    for para in paras:
        paragraph = target.paragraphs[0] if first else target.add_paragraph()
        first = False
        paragraph.text = para.text
        if para.kind != "text":
            paragraph.style = _STYLES[para.kind]
        if para.kind == "number":
            restart = restart or _restarted_list(target.part)
            paragraph._p.get_or_add_pPr().insert(0, _num_pr(restart))
        else:
            restart = None


def _restarted_list(part: Any) -> str:
    """A new list on the "List Number" style's definition, starting again at 1."""
    numbering = part.numbering_part.element
    style_num = part.document.styles["List Number"].element.pPr.numPr.numId.val
    abstract = numbering.num_having_numId(style_num).abstractNumId.val
    num_id = str(max(int(n.numId) for n in numbering.num_lst) + 1)
    numbering.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>'
            '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
        )
    )
    return num_id


def _num_pr(num_id: str) -> Any:
    return parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'
    )


def track_change(target: Any, deleted: str, inserted: str) -> None:
    """Append to a cell's last paragraph a tracked change: ``deleted`` struck out,
    ``inserted`` put in its place, neither accepted yet."""
    paragraph = target.paragraphs[-1]._p
    stamp = 'w:author="Coordinator" w:date="2014-05-29T09:00:00Z"'
    paragraph.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="101" {stamp}><w:r><w:delText xml:space="preserve">'
            f"{escape(deleted)}</w:delText></w:r></w:del>"
        )
    )
    paragraph.append(
        parse_xml(
            f'<w:ins {nsdecls("w")} w:id="102" {stamp}><w:r><w:t xml:space="preserve">'
            f"{escape(inserted)}</w:t></w:r></w:ins>"
        )
    )


def cells_of(document: Any, number: int) -> list[Any]:
    """The cells (python-docx's) of the first table's row ``number``, counted from 1."""
    return list(document.tables[0].rows[number - 1].cells)
