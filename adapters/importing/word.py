"""Reading a plan from a Word document (.docx), with python-docx.

The document is read as its text extraction reads (``text_table``): a line for each
paragraph and each table row, from the top, so a warning's line counts both. The plan is
the first table that holds recommendations, with the tables after it that hold more or
continue it (no header row of their own, as many columns); a section row merged across
the columns ("Overview Report Recommendations", "Agency: X") is a one-cell row, a heading;
header rows repeated on each page are dropped as in any table. The paragraphs above the
table (and the rows of any table above it) are the title block, and the page headers and
footers are furniture: both give the title, partnership and version as for the text.
Other tables are reported, never read as the plan. Each cell is an HTML fragment
(``word_text``): a paragraph or list item a line.

A damaged file, something else named .docx, or a document over the limits
(``limits``: decompressed size, parts, rows, cells) is a ``PlanParseError``.
"""

from __future__ import annotations

import html
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from docx.oxml.ns import qn

from adapters.importing.assemble import assemble
from adapters.importing.columns import looks_like_header
from adapters.importing.html_text import html_to_text
from adapters.importing.limits import MAX_COLUMNS, Rows, check_workbook
from adapters.importing.model import ParsedPlan, ParseWarning, PlanParseError
from adapters.importing.text_table import _scan, _title_block, parse_rows
from adapters.importing.word_text import (
    Element,
    Lists,
    cell_fragment,
    number,
    paragraph_text,
    quoted,
    tracked_changes,
    unwrapped,
)

Table = list[tuple[int, list[str]]]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""How an OLE compound file opens: a Word 97-2003 .doc, or an encrypted .docx."""
_UNREADABLE = (
    *(zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError),
    *(zlib.error, EOFError, RuntimeError, NotImplementedError),
)
"""What a damaged package raises: in zipfile, in lxml's parser (a SyntaxError) or in
python-docx (a part missing, a content type that is not Word's: KeyError, ValueError;
its own errors, PackageNotFoundError and the like, are checked for by name)."""


@dataclass
class _Table:
    """A table of the document's body: its rows (line, cells) and what to review in them."""

    rows: Table
    width: int
    notes: list[tuple[int, str]] = field(default_factory=list)

    @cached_property
    def header(self) -> list[str] | None:
        return next((cells for _, cells in self.rows if _is_header(cells)), None)

    @cached_property
    def holds_recommendations(self) -> bool:
        """Whether a recommendation stands under a column header row in it."""
        if self.header is None:
            return False
        try:
            return bool(assemble(self.rows)[0])
        except PlanParseError:
            return False


@dataclass
class _Body:
    """The body in order: a text line for each paragraph, ``None`` where a table row is."""

    lines: list[str | None] = field(default_factory=list)
    tables: list[tuple[int, _Table]] = field(default_factory=list)
    """Each table and the index of the line its first row is on."""
    notes: list[tuple[int, str]] = field(default_factory=list)


def read_docx(raw: bytes, name: str) -> ParsedPlan:
    """The plan in a .docx's bytes; ``name`` (the file's stem) titles a plan whose
    document gives no title."""
    document = _open(raw)
    lists = Lists(_part(document, "numbering"), _part(document, "styles"))
    if document.element.body is None:
        raise PlanParseError("not a readable .docx document (its main part has no body)")
    body = _read_body(document.element.body, lists)
    lines, warnings = _plan_lines(body)
    scan = _scan(lines)
    recommendations, parsed = parse_rows(scan.rows, truncated=False)
    scan.preamble = [(n, html.unescape(text)) for n, text in scan.preamble]
    scan.furniture = [(n, html.unescape(text)) for n, text in scan.furniture]
    furniture, notes = _headers_and_footers(document)
    scan.furniture += [(0, text) for text in furniture]
    block = _title_block(scan)
    found = [*warnings, *notes, *block.warnings, *parsed]
    return ParsedPlan(
        title=block.title or name,
        partnership=block.partnership,
        version_label=block.version_label,
        version_date=block.version_date,
        recommendations=recommendations,
        warnings=tuple(sorted(found, key=lambda warning: warning.line)),
    )


def _open(raw: bytes) -> Any:
    from docx import Document  # only for .docx
    from docx.exceptions import PythonDocxError
    from docx.opc.exceptions import OpcError

    if raw.startswith(_OLE):
        raise PlanParseError(
            "an OLE file (a Word 97-2003 .doc, or a password-protected document), not a "
            ".docx: save it from Word as a .docx without a password"
        )
    try:
        check_workbook(raw)  # the limits of any zip of XML parts
    except PlanParseError as error:
        message = error.message.replace(".xlsx workbook", ".docx document")
        raise PlanParseError(message.replace("workbook", "document")) from None
    except _UNREADABLE as error:
        raise PlanParseError(f"not a readable .docx document ({error})") from None
    try:
        document = Document(io.BytesIO(raw))
    except ValueError as error:
        if "is not a Word file" in str(error):
            kind = str(error).rpartition("content type is ")[2]
            raise PlanParseError(f"not a Word document: its main part is {kind}") from None
        raise PlanParseError(f"not a readable .docx document ({error})") from None
    except (*_UNREADABLE, OpcError, PythonDocxError) as error:
        raise PlanParseError(f"not a readable .docx document ({error})") from None
    return document


def _part(document: Any, kind: str) -> Element | None:
    """The document's numbering or styles part (its XML), if it has one."""
    for rel in document.part.rels.values():
        if not rel.is_external and rel.reltype.endswith(f"/{kind}"):
            return getattr(rel.target_part, "element", None)
    return None


def _read_body(body: Element, lists: Lists) -> _Body:
    found = _Body()
    within = Rows()
    for block in unwrapped(body):
        if block.tag == qn("w:p"):
            line = len(found.lines) + 1
            boxes: list[str] = []
            text = html.escape(" ".join(paragraph_text(block, boxes).split()), quote=False)
            label = lists.label(block)
            found.lines.append(f"{label} {text}" if label and text else text)
            change = tracked_changes(block)
            if change is not None:
                found.notes.append((line, f"paragraph: {change}"))
            if any(boxes):
                found.notes.append((line, f"a text box, not read: {quoted(boxes)}"))
        elif block.tag == qn("w:tbl"):
            table = _read_table(block, len(found.lines) + 1, lists, within)
            found.tables.append((len(found.lines), table))
            found.lines += [None] * len(table.rows)
    return found


def _read_table(table: Element, first: int, lists: Lists, within: Rows) -> _Table:
    """A table's rows: each cell at its column of the table's grid (a merged cell at the
    first of its columns, the columns it spans blank), a row merged across the whole table
    as one cell; a cell continuing a vertical merge is blank."""
    grid = table.find(qn("w:tblGrid"))
    rows = [row for row in unwrapped(table) if row.tag == qn("w:tr")]
    width = len(grid.findall(qn("w:gridCol"))) if grid is not None else 0
    width = max(width, *(_span(row) for row in rows), 1) if rows else max(width, 1)
    width = min(width, MAX_COLUMNS + 1)  # past it, a filled cell is refused (``Rows``)
    read = _Table([], width)
    header: list[str] | None = None
    for index, row in enumerate(rows):
        line = first + index
        cells, notes, deleted = _row_cells(row, width, lists)
        if deleted is not None:
            read.rows.append((line, []))
            read.notes.append((line, deleted))
            continue
        within.row(line, cells, str)  # the limits, counted as rows are read
        read.rows.append((line, cells))
        if _is_header(cells):
            header = cells
        for column, note in notes:
            named = (
                f" ({html_to_text(header[column])!r})" if header and column < len(header) else ""
            )
            read.notes.append((line, f"cell {column + 1}{named}: {note}"))
    return read


def _span(row: Element) -> int:
    before = _properties_value(row, "w:trPr", "w:gridBefore")
    return before + sum(
        _properties_value(cell, "w:tcPr", "w:gridSpan") or 1
        for cell in unwrapped(row)
        if cell.tag == qn("w:tc")
    )


def _properties_value(element: Element, properties: str, name: str) -> int:
    found = element.find(f"{qn(properties)}/{qn(name)}")
    value = found.get(qn("w:val")) if found is not None else None
    return number(value, 0, MAX_COLUMNS + 1)


def _row_cells(
    row: Element, width: int, lists: Lists
) -> tuple[list[str], list[tuple[int, str]], str | None]:
    """The row's cells, the notes on them by column, and what a warning says of the row
    if it was deleted with tracked changes (then it is not read)."""
    if row.find(f"{qn('w:trPr')}/{qn('w:del')}") is not None:
        text = " | ".join(
            " ".join("".join(t.text or "" for t in cell.iter(qn("w:delText"))).split())
            for cell in unwrapped(row)
            if cell.tag == qn("w:tc")
        )
        return [], [], f"a row deleted with tracked changes, not read: {text.strip(' |')!r}"
    cells = [""] * width
    notes: list[tuple[int, str]] = []
    column = _properties_value(row, "w:trPr", "w:gridBefore")
    tcs = [cell for cell in unwrapped(row) if cell.tag == qn("w:tc")]
    for cell in tcs:
        merge = cell.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
        continues = merge is not None and merge.get(qn("w:val")) != "restart"
        fragment, found = ("", []) if continues else cell_fragment(cell, lists)
        if column >= len(cells):
            cells.append("")
            column = len(cells) - 1
        cells[column] = fragment
        notes += [(column, note) for note in found]
        column += _properties_value(cell, "w:tcPr", "w:gridSpan") or 1
    if len(tcs) == 1 and width > 1 and column >= width:
        return [cells[0]], notes, None  # merged across the table: a heading or theme row
    return cells, notes, None


def _is_header(cells: list[str]) -> bool:
    return len(cells) > 1 and looks_like_header([html_to_text(cell).strip() for cell in cells])


def _plan_lines(body: _Body) -> tuple[list[str], list[ParseWarning]]:
    """The document as the lines of a text extraction: the plan's tables' rows as
    tab-separated cells; a table above them as its rows' text (the title block); a table
    below them that is not the plan's as blank lines, reported."""
    plan = next(
        (index for index, (_, table) in enumerate(body.tables) if table.holds_recommendations),
        None,
    )
    if plan is None:
        plan = next(
            (index for index, (_, table) in enumerate(body.tables) if table.header is not None),
            None,
        )
    if plan is None:
        raise PlanParseError(
            "no table in the document holds a plan: none has a column header row naming "
            "its Recommendation column and another (Agency, Lead, Target date, Summary)"
            if body.tables
            else "the document has no table: a plan's recommendations are read from a table"
        )
    lines = [line or "" for line in body.lines]
    notes = list(body.notes)
    width = body.tables[plan][1].width
    for index, (start, table) in enumerate(body.tables):
        read = index == plan or (
            index > plan
            and (table.holds_recommendations or (table.header is None and table.width == width))
        )
        for offset, (_, cells) in enumerate(table.rows):
            if index < plan:
                text = " ".join(" ".join(html_to_text(cell).split()) for cell in cells)
                lines[start + offset] = html.escape(" ".join(text.split()), quote=False)
            elif read:
                lines[start + offset] = "\t".join(cells)
        if read or index < plan:
            notes += table.notes
            width = table.width if read else width
        else:
            notes += _not_read(table)
    return lines, [ParseWarning(line, message) for line, message in notes]


def _not_read(table: _Table) -> list[tuple[int, str]]:
    """A warning for a table that is not the plan's, quoting its first row with text."""
    first = next((cells for _, cells in table.rows if any(map(str.strip, cells))), None)
    if first is None:
        return []
    text = " | ".join(html_to_text(cell).replace("\n", " / ") for cell in first if cell)
    return [
        (
            table.rows[0][0],
            f"a table of {len(table.rows)} rows that is not the plan's was not read (no "
            f"recommendations under a header row); its first row: {text!r}",
        )
    ]


def _headers_and_footers(document: Any) -> tuple[list[str], list[ParseWarning]]:
    """The page headers' and footers' paragraphs (every section's, first-page and even
    pages' too), and their tracked changes."""
    lines: list[str] = []
    notes: list[ParseWarning] = []
    parts = sorted(
        (
            rel.target_part
            for rel in document.part.rels.values()
            if not rel.is_external and rel.reltype.endswith(("/header", "/footer"))
        ),
        key=lambda part: str(part.partname),
    )
    for part in parts:
        kind = str(part.partname).rsplit("/", 1)[-1]
        element = getattr(part, "element", None)
        if element is None:
            continue
        for paragraph in element.iter(qn("w:p")):
            text = " ".join(paragraph_text(paragraph).split())
            if text and text not in lines:
                lines.append(text)
        change = tracked_changes(element)
        if change is not None:
            notes.append(ParseWarning(1, f"page header or footer ({kind}): {change}"))
    return lines, notes
