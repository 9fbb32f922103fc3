"""How much an import reads, at most: the one place for the limits of ``recledger import``
and of the upload alike.

A real plan is a few hundred rows; the limits are far above any, and bound what a hostile
file can make the importer hold (a decompression bomb, millions of tiny rows, one enormous
cell): it is refused in one line naming the limit, before it is read in full, and nothing
is recorded. An XLSX is a zip of XML parts: each part is decompressed here, counting the
bytes that really come out (never the sizes the zip declares), and its XML streamed through
a parser that forbids entities, before openpyxl, which keeps every shared string in memory
and parses some parts whole, sees the workbook.
"""

from __future__ import annotations

import io
import xml.sax
import zipfile
from collections.abc import Callable, Sequence
from typing import TypeVar

from defusedxml import DefusedXmlException
from defusedxml.sax import make_parser

from adapters.importing.model import PlanParseError
from domain.values import LONG_TEXT_MAX

MiB = 1024 * 1024

MAX_DOCUMENT_BYTES = 20 * MiB
"""A document as given, file or upload: text, CSV or XLSX."""
MAX_EXPANDED_BYTES = 50 * MiB
"""An XLSX's parts decompressed, in all."""
MAX_PARTS = 1_000
"""Parts (files) in an XLSX's zip: a workbook of a few sheets has a dozen or two."""
MAX_RATIO = 100
"""How many times its compressed size a part may expand to (past its first MiB): text
compresses some tenfold, a bomb a thousandfold."""
MAX_ROWS = 10_000
"""Rows of a text or CSV file, or of a workbook's sheets in all. So many recommendations, of
a page of text each, take the server some 280 MB to import (measured): the peak any file may
cost it is 300 MB."""
MAX_COLUMNS = 200
"""The last column a row may fill."""
MAX_CELL_CHARS = LONG_TEXT_MAX
"""Characters in one cell: the longest text the ledger stores (50,000)."""
MAX_CELLS = 100_000
"""Filled cells in all, and strings in a workbook's table of shared strings."""

_RATIO_FROM = MiB
_MAX_RUN = MiB
"""Bytes of XML without a ``<``: no cell's text (50,000 characters, escaped) nor any
attribute is longer, and neither the parser here nor openpyxl's ever holds a longer one."""
_MAX_ELEMENTS = 200_000
"""Elements of a part other than a sheet or the shared strings: openpyxl parses those whole
(styles, the workbook, its relationships), as a tree in memory."""
_SHEET_COLUMNS = 16_384
"""Cells in a sheet's row, empty ones included: Excel's own limit (openpyxl builds a row's
cells at once, before they can be counted)."""
_CHUNK = 64 * 1024

T = TypeVar("T")


class Rows:
    """Counts the rows a reader hands on, as it reads them, refusing them past the limits
    (rows and filled cells in all, a row's columns, a cell's length)."""

    def __init__(self) -> None:
        self.rows = 0
        self.cells = 0

    def row(self, line: int, values: Sequence[T], text: Callable[[T], str]) -> list[str]:
        """A row's cells as text, empty cells at its end dropped (a sheet's width is not its
        content); ``text`` turns a value into its text, ``""`` for an empty cell."""
        self.rows += 1
        if self.rows > MAX_ROWS:
            raise PlanParseError(f"more than {MAX_ROWS:,} rows: the limit is {MAX_ROWS:,}", line)
        beyond = values[MAX_COLUMNS:]
        if beyond and beyond.count(None) + beyond.count("") != len(beyond):  # type: ignore[arg-type]
            raise PlanParseError(
                f"a cell filled past column {MAX_COLUMNS}: the limit is {MAX_COLUMNS} columns",
                line,
            )
        cells = [text(value) for value in values[:MAX_COLUMNS]]
        while cells and not cells[-1]:
            cells.pop()
        for cell in cells:
            if len(cell) > MAX_CELL_CHARS:
                raise PlanParseError(_cell_too_long(len(cell)), line)
        self.cells += len(cells) - cells.count("")
        if self.cells > MAX_CELLS:
            raise PlanParseError(
                f"more than {MAX_CELLS:,} filled cells: the limit is {MAX_CELLS:,} cells", line
            )
        return cells


def _cell_too_long(length: int | None = None) -> str:
    size = f"{length:,}" if length else f"more than {MAX_CELL_CHARS:,}"
    return f"a cell of {size} characters: the limit is {MAX_CELL_CHARS:,} characters"


CELL_TOO_LONG = _cell_too_long()


_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
"""Where ``str.splitlines`` breaks a text: counted before it makes a string of each line."""


def check_text(text: str) -> None:
    """A text document's lines and cells (tab-separated) within the limits."""
    breaks = sum(text.count(mark) for mark in _LINE_BREAKS) - text.count("\r\n")
    if breaks > MAX_ROWS:
        raise PlanParseError(f"more than {MAX_ROWS:,} lines: the limit is {MAX_ROWS:,} rows")
    rows = Rows()
    for number, line in enumerate(text.splitlines(), start=1):
        rows.row(number, line.split("\t"), str)


def check_workbook(raw: bytes) -> None:
    """Decompress every part of an XLSX, bounded: its parts, their real size in all and each
    one's expansion, and, in its XML, each string's and cell's length, the shared strings,
    a row's cells and other parts' elements. Limits are ``PlanParseError``s; a damaged zip
    raises what ``zipfile`` raises."""
    if raw.count(b"PK\x01\x02") > MAX_PARTS:  # the zip's directory entries, at most
        raise PlanParseError(
            f"the workbook has more than {MAX_PARTS:,} parts: the limit is {MAX_PARTS:,}"
        )
    expanded = 0
    with zipfile.ZipFile(io.BytesIO(raw)) as book:
        for info in book.infolist():
            expanded = _check_part(book, info, expanded)


def _check_part(book: zipfile.ZipFile, info: zipfile.ZipInfo, expanded: int) -> int:
    """Stream one part; the workbook's bytes expanded so far, this part's included."""
    name = info.filename
    parser = _parser(name) if name.endswith((".xml", ".rels")) else None
    size = run = 0
    with book.open(info) as part:
        while chunk := part.read(_CHUNK):
            size += len(chunk)
            expanded += len(chunk)
            if expanded > MAX_EXPANDED_BYTES:
                raise PlanParseError(
                    f"the workbook expands to more than {MAX_EXPANDED_BYTES // MiB} MiB (at "
                    f"{name}): the limit is {MAX_EXPANDED_BYTES // MiB} MiB uncompressed in all"
                )
            if size > _RATIO_FROM and size > MAX_RATIO * max(info.compress_size, 1):
                raise PlanParseError(
                    f"{name} expands more than {MAX_RATIO} times its compressed size, the "
                    "limit: a decompression bomb, not a workbook"
                )
            if parser is not None:
                run = _run_after(run, chunk, name)
                _feed(parser, chunk, name)
    if parser is not None:
        _feed(parser, b"", name, final=True)
    return expanded


def _run_after(run: int, chunk: bytes, name: str) -> int:
    """Bytes since the last ``<``, after ``chunk`` (``run`` before it); refused past the
    limit."""
    first = chunk.find(b"<")
    if (run + len(chunk) if first < 0 else run + first) > _MAX_RUN:
        raise PlanParseError(f"{name}: a text of more than 1 MiB: {CELL_TOO_LONG}")
    return run + len(chunk) if first < 0 else len(chunk) - chunk.rfind(b"<") - 1


def _parser(name: str) -> xml.sax.xmlreader.IncrementalParser:
    parser = make_parser()  # defusedxml's: refuses entities, external or not
    parser.setContentHandler(_Part(name))
    return parser  # type: ignore[no-any-return]


def _feed(
    parser: xml.sax.xmlreader.IncrementalParser, chunk: bytes, name: str, final: bool = False
) -> None:
    try:
        parser.close() if final else parser.feed(chunk)
    except DefusedXmlException:
        raise PlanParseError(f"{name} declares XML entities, which a workbook never does") from None
    except xml.sax.SAXParseException as error:
        raise PlanParseError(f"not a readable .xlsx workbook ({name}: {error})") from None


class _Part(xml.sax.ContentHandler):
    """Counts what openpyxl would hold of one part, refusing it past the limits."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.strings = name.endswith("sharedStrings.xml")
        self.sheet = "worksheets/" in name
        self.texts: list[int] = []
        """Characters so far in each string or cell being read (a string in a cell)."""
        self.elements = self.shared = self.in_row = 0

    def startElement(self, name: str, attrs: object) -> None:  # noqa: N802 (SAX's name)
        tag = name.rpartition(":")[2]
        self.elements += 1
        if not (self.strings or self.sheet) and self.elements > _MAX_ELEMENTS:
            self._refuse(
                f"more than {_MAX_ELEMENTS:,} XML elements: the limit is {_MAX_ELEMENTS:,} "
                "for a part read whole"
            )
        if tag == "si" or (tag == "c" and self.sheet):
            self.texts.append(0)
        if tag == "si":
            self.shared += 1
            if self.shared > MAX_CELLS:
                self._refuse(f"more than {MAX_CELLS:,} shared strings: the limit is {MAX_CELLS:,}")
        elif tag == "row":
            self.in_row = 0
        elif tag == "c" and self.sheet:
            self.in_row += 1
            if self.in_row > _SHEET_COLUMNS:
                self._refuse(
                    f"a row of more than {_SHEET_COLUMNS:,} cells: the limit is Excel's, "
                    f"{_SHEET_COLUMNS:,}"
                )

    def endElement(self, name: str) -> None:  # noqa: N802
        tag = name.rpartition(":")[2]
        if self.texts and (tag == "si" or (tag == "c" and self.sheet)):
            self.texts.pop()

    def characters(self, content: str) -> None:
        if self.texts:
            self.texts[-1] += len(content)
            if self.texts[-1] > MAX_CELL_CHARS:
                self._refuse(CELL_TOO_LONG)

    def _refuse(self, what: str) -> None:
        raise PlanParseError(f"{self.name}: {what}")
