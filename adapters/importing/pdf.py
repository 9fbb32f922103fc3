"""Reading a plan from a PDF: the ruled tables pdfplumber finds on its pages, as rows for
the pipeline a spreadsheet's rows go through (``reader._from_rows``), with the title block.

- Each cell's lines are joined back into its paragraphs, a paragraph a line of the cell
  (the Summary cell's paragraphs are its updates): see ``pdf_layout``.
- A row split by a page break is joined back: the first row on a page (under the repeated
  header) that starts no recommendation continues the last row of the page before.
- The header row repeated on each page is dropped, and so are running headers and footers:
  lines outside the tables that recur on more than one page (page numbers aside).
- The lines above the first table are the title block, read as in extracted text
  (``text_table``), the footers' version included.
- Line numbers count the lines of text outside the tables and the rows of the tables, from
  the top of the first page: a warning's line is its place read top to bottom.
- A PDF with no text at all (a scan) is refused: recledger does not OCR. A damaged or
  encrypted file, or one past the limits (``pdf_bounds``), is refused in one line.
"""

from __future__ import annotations

import io
import logging
import re
import struct
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice

import pdfplumber
from pdfminer.pdfpage import PDFPage
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from adapters.importing.assemble import REC_START, is_heading, number_in
from adapters.importing.cells import continues_sentence
from adapters.importing.columns import NUMBER, RECOMMENDATION, looks_like_header, match_columns
from adapters.importing.limits import Rows
from adapters.importing.model import ParseWarning, PlanParseError
from adapters.importing.pdf_bounds import MAX_PAGES, BoundedPage, Budget, check_streams
from adapters.importing.pdf_layout import (
    Cell,
    Item,
    PageRead,
    drawn,
    fits,
    join_rows,
    read_page,
)
from adapters.importing.text_table import (
    _ACTION_PLAN,
    _FURNITURE,
    _GENERATED,
    _VERSION,
    _Scan,
    _title_block,
)

logging.getLogger("pdfminer").addHandler(logging.NullHandler())  # damage is reported here

NO_TEXT = "no text to read: a scanned PDF? recledger does not OCR"
_DAMAGED = (
    *(PSException, PdfminerException, MalformedPDFException, ValueError, KeyError),
    *(TypeError, IndexError, AttributeError, AssertionError, struct.error, zlib.error),
    *(RecursionError, EOFError, NotImplementedError, ArithmeticError),
)
"""What pdfminer and pdfplumber raise on a damaged file (found by damaging real ones: a
page tree's entry that is not a reference raises an AttributeError in pdfminer)."""
_DIGITS = re.compile(r"\d+")


Table = list[tuple[int, list[str]]]


@dataclass(frozen=True)
class PdfTable:
    """What a PDF holds of a plan: its table's rows (line, cells), what its title block and
    footers say (title, partnership, version label and date) and what reading it warned of."""

    rows: Table
    cover: dict[str, str]
    notes: list[ParseWarning]


def read_pdf(raw: bytes) -> PdfTable:
    """The plan's table in the PDF ``raw``; a ``PlanParseError`` if there is none to read."""
    if b"%PDF-" not in raw[:1024]:
        raise PlanParseError("not a PDF: it does not start with %PDF-")
    if b"%%EOF" not in raw[-1024:]:
        raise PlanParseError("the PDF is cut short: it does not end with %%EOF")
    check_streams(raw)
    pages = _pages(raw)
    if not any(page.items for page in pages):
        raise PlanParseError(NO_TEXT)
    return _plan(pages)


def _pages(raw: bytes) -> list[PageRead]:
    budget, read = Budget(), []
    # Never pdfplumber's ``PDF.close``: it makes every page of the file, however many.
    # The file is bytes in memory; each page's objects are let go once read.
    with _refused_if_damaged():
        pdf = pdfplumber.open(io.BytesIO(raw))
        found = list(islice(PDFPage.create_pages(pdf.doc), MAX_PAGES + 1))
    if len(found) > MAX_PAGES:
        raise PlanParseError(f"more than {MAX_PAGES} pages: the limit is {MAX_PAGES} pages")
    for number, page_obj in enumerate(found, start=1):
        with _refused_if_damaged():
            page = BoundedPage(pdf, page_obj, number, budget)
            on_page = drawn(page)
            page.close()
        read.append(read_page(on_page))
    return read


@contextmanager
def _refused_if_damaged() -> Iterator[None]:
    """pdfminer's and pdfplumber's errors on a damaged file as a refusal: only theirs (this
    module's own work is done outside)."""
    try:
        yield
    except PlanParseError:
        raise  # a limit
    except _DAMAGED as error:
        why = " ".join(str(error).split())[:200]
        why = why if len(why) > 3 else f"{type(error).__name__} {why}".strip()
        raise PlanParseError(f"not a readable PDF ({why})") from None


def _continues(row: list[Cell], before: list[Cell], columns: dict[str, int]) -> bool:
    """Is ``row``, first on its page, the rest of ``before``, the last row of the page
    before? Not if it starts a recommendation, nor if it has text in its first cell only
    and that does not carry on a line (it may name a theme)."""
    if len(row) != len(before):
        return False
    texts = ["\n".join(cell.paragraphs) for cell in row]
    number, rec = columns.get(NUMBER), columns.get(RECOMMENDATION, 0)
    if number is not None and number < len(texts) and number_in(texts[number]) is not None:
        return False
    if rec < len(texts) and REC_START.match(texts[rec]):
        return False
    filled = [index for index, text in enumerate(texts) if text.strip()]
    if filled != [0]:
        return bool(filled)
    first, last = row[0].first, before[0].last
    if first is None or last is None:
        return False
    return not fits(last, first, before[0].limit) or continues_sentence(
        before[0].paragraphs[-1], row[0].paragraphs[0]
    )


def _plan(pages: list[PageRead]) -> PdfTable:
    """The pages' rows and lines as a table's rows, the title block and furniture apart."""
    reading = _Reading(pages)
    for page in pages:
        reading.page(page)
    if reading.header is None:
        raise PlanParseError("no table found: no ruled table with a header row on any page")
    block = _title_block(_Scan(preamble=reading.preamble, furniture=reading.furniture))
    cover = {"title": block.title, "partnership": block.partnership,
             "version_label": block.version_label, "version_date": block.version_date}  # fmt: skip
    return PdfTable(_table(reading.entries), cover, [*block.warnings, *reading.warnings])


class _Reading:
    """The pages read in order: the table's rows, the title block, the page furniture."""

    def __init__(self, pages: list[PageRead]) -> None:
        self.pages = len(pages)
        self.on_pages = Counter(
            key for page in pages for key in {_DIGITS.sub("#", i.text) for i in page.items}
        )
        self.preamble: list[tuple[int, str]] = []
        self.furniture: list[tuple[int, str]] = []
        self.entries: list[tuple[int, list[Cell] | str]] = []
        self.warnings: list[ParseWarning] = []
        self.header: list[str] | None = None
        self.columns: dict[str, int] = {}
        self.line = 0
        self.tail: list[Cell] | None = None
        """The last entry, where it is a table's row: a row at the top of the next page
        may continue it."""

    def page(self, page: PageRead) -> None:
        before, entries = self.tail, len(self.entries) + len(self.preamble)
        for item in page.items:
            self.line += 1
            if item.cells is None:
                if not self.text(item):
                    continue
            elif looks_like_header(flat := [" ".join(c.paragraphs) for c in item.cells]):
                if flat == self.header:
                    continue  # repeated on each page
                self.header, self.columns = flat, match_columns(flat)
                self.entries.append((self.line, item.cells))
                self.tail = None
            elif before is not None and _continues(item.cells, before, self.columns):
                join_rows(before, item.cells)
            else:
                self.entries.append((self.line, item.cells))
                self.tail = item.cells
            before = None
        if page.images and entries == len(self.entries) + len(self.preamble):
            self.warnings.append(ParseWarning(self.line, f"page {page.number} has images and "
                                              "no text but page furniture (a scanned page?): "
                                              "nothing read from it"))  # fmt: skip

    def text(self, item: Item) -> bool:
        """Take a line outside the tables; False if it is page furniture: it recurs on other
        pages (a running header's even above the first table), or reads as furniture."""
        text, key = item.text, _DIGITS.sub("#", item.text)
        running = item.margin == "top" and self.on_pages[key] == self.pages > 1
        if is_heading(text):
            self.entries.append((self.line, text))
        elif self.header is None and not _FURNITURE.search(text) and not running:
            self.preamble.append((self.line, text))
        elif (
            self.header is None
            or self.on_pages[key] > 1
            or _FURNITURE.search(text)
            or _ACTION_PLAN.match(text)
            or _GENERATED.match(text)
            or any(text == seen for _, seen in self.preamble)
            or (item.margin == "bottom" and _VERSION.search(text))
        ):
            self.furniture.append((self.line, text))
            return False
        else:
            self.entries.append((self.line, text))
        self.tail = None
        return True


def _table(entries: list[tuple[int, list[Cell] | str]]) -> Table:
    """Rows of text, within the limits on rows and cells (a row keeps its empty cells)."""
    within, rows = Rows(), []
    for line, what in entries:
        cells = [what] if isinstance(what, str) else ["\n".join(c.paragraphs) for c in what]
        within.row(line, cells, str)
        rows.append((line, cells))
    return rows
