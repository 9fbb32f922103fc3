"""Reading a plan document from a file: extracted text, CSV or XLSX.

Every failure is a ``DocumentError`` naming the file and, where known, the line (the
row, for spreadsheets): never a traceback.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import html
import io
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from adapters.importing.assemble import assemble, is_heading
from adapters.importing.columns import looks_like_header
from adapters.importing.limits import (
    CELL_TOO_LONG,
    MAX_COLUMNS,
    MAX_DOCUMENT_BYTES,
    MiB,
    Rows,
    check_text,
    check_workbook,
)
from adapters.importing.model import ParsedPlan, ParseWarning, PlanParseError
from adapters.importing.realign import realign
from adapters.importing.text_table import parse_plan_text, parse_rows
from domain.errors import InvalidCommand

Table = list[tuple[int, list[str]]]

_TOO_LARGE = (
    f"the file is {{size:,}} bytes; the limit is {MAX_DOCUMENT_BYTES:,} bytes "
    f"({MAX_DOCUMENT_BYTES // MiB} MiB)"
)


class DocumentError(InvalidCommand):
    """The document cannot be read as an action plan; nothing was written."""

    def __init__(self, path: Path, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


def read_plan(path: Path) -> ParsedPlan:
    """Parse the plan in ``path``, choosing the reader by the file's extension."""
    raw = _read_bytes(path)
    if not raw.strip():
        raise DocumentError(path, "the file is empty")
    encoding = ""
    try:
        if path.suffix.lower() == ".xlsx":
            book = _xlsx(path, raw)
            parsed = _from_rows(book.rows, path, book.cover)
            if book.note is not None:
                parsed = replace(parsed, warnings=(ParseWarning(1, book.note), *parsed.warnings))
        elif path.suffix.lower() == ".csv":
            text, encoding = _decode(path, raw, guess=True)
            rows, notes = _csv_rows(path, text)
            parsed = _from_rows(rows, path, notes=notes)
        elif path.suffix.lower() == ".docx":
            from adapters.importing.word import read_docx  # only for .docx: python-docx

            parsed = read_docx(raw, path.stem)
        elif path.suffix.lower() == ".pdf":
            from adapters.importing.pdf import read_pdf  # only for .pdf: pdfminer is slow to load

            pdf = read_pdf(raw)
            parsed = _from_rows(pdf.rows, path, pdf.cover, notes=pdf.notes)
        else:
            text, encoding = _decode(path, raw)
            check_text(text)
            parsed = parse_plan_text(text)
    except PlanParseError as error:
        raise DocumentError(path, error.message, error.line) from None
    return replace(parsed, digest=hashlib.sha256(raw).hexdigest(), encoding=encoding)


def _read_bytes(path: Path) -> bytes:
    """The file's bytes: a regular file of at most ``MAX_DOCUMENT_BYTES`` (never a pipe or a
    device, which could block for ever or never end)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(path, "not a regular file (a directory, pipe or device)")
        if info.st_size > MAX_DOCUMENT_BYTES:
            raise DocumentError(path, _TOO_LARGE.format(size=info.st_size))
        with path.open("rb") as file:
            raw = file.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as error:
        raise DocumentError(path, f"cannot read the file: {error.strerror}") from None
    if len(raw) > MAX_DOCUMENT_BYTES:  # it grew while being read
        raise DocumentError(path, _TOO_LARGE.format(size=len(raw)))
    return raw


def _decode(path: Path, raw: bytes, *, guess: bool = False) -> tuple[str, str]:
    """The text and the name of its encoding. UTF-8 (with or without a byte-order mark);
    with ``guess`` (CSV, which Excel on Windows writes in its own code page), the likeliest
    of the single-byte encodings UK spreadsheets come in, as charset-normalizer judges."""
    if guess and raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "UTF-16"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DocumentError(path, "UTF-16 text, not UTF-8; save or export it as UTF-8", 1)
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise DocumentError(path, "this is a binary file, not extracted text or CSV", line)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        found = _guessed(raw) if guess else None
        if found is not None:
            return found
        line = raw[: error.start].count(b"\n") + 1
        raise DocumentError(
            path,
            f"not UTF-8 text (byte 0x{raw[error.start]:02x}); save or export it as UTF-8",
            line,
        ) from None
    return text, "UTF-8 with a byte-order mark" if raw.startswith(codecs.BOM_UTF8) else "UTF-8"


_SPREADSHEET_CODE_PAGES = ["cp1252", "iso8859_15", "cp850"]
"""Windows-1252 (Excel in the UK and western Europe), Latin-9, the old DOS code page."""


def _guessed(raw: bytes) -> tuple[str, str] | None:
    from charset_normalizer import from_bytes  # only for a file that is not UTF-8

    best = from_bytes(raw, cp_isolation=_SPREADSHEET_CODE_PAGES).best()
    if best is None:
        return None
    return str(best), f"{best.encoding} (not UTF-8: detected)"


def _csv_rows(path: Path, text: str) -> tuple[Table, list[ParseWarning]]:
    """Rows numbered by the line each record starts on (a quoted cell may span lines), each
    misaligned one (an unquoted comma in its text) repaired or kept whole, with a warning
    (see ``realign``).

    Only the delimiter is sniffed: the Sniffer guesses ``doublequote=False`` whenever its
    sample shows no ``""``, which would split an Excel cell such as ``"the ""Think Family""
    protocol, agreed"`` in two. Quoting is Excel's, and strict, so an unclosed quote is an
    error rather than the rest of the file silently read as one cell.
    """
    delimiter = _delimiter(text)
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    rows: Table = []
    within = Rows()
    start = 1
    try:
        for cells in reader:
            within.row(start, cells, str)  # the limits; cells past them are blank
            rows.append((start, cells[:MAX_COLUMNS]))  # as written: realign counts them all
            start = reader.line_num + 1
    except csv.Error as error:
        why = str(error)
        if why == "unexpected end of data":
            why = "a quoted cell opened in the record starting here is never closed"
        elif why.startswith("field larger than field limit"):
            raise DocumentError(path, CELL_TOO_LONG, start) from None
        raise DocumentError(path, f"malformed CSV: {why}", start) from None
    return realign(rows, delimiter)


def _lines(text: str) -> Iterator[str]:
    """The text's lines, each ending in its newline, one at a time (``io.StringIO`` would
    hold a copy of the whole text, four bytes a character)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start) + 1 or len(text)
        yield text[start:end]
        start = end


def _delimiter(text: str) -> str:
    """Comma, semicolon (Excel in some locales) or tab: the Sniffer's guess, or else the one
    the first line uses most (the Sniffer gives up on many a tab-separated file)."""
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        first = next((line for line in text.splitlines() if line.strip()), "")
        return max(",;\t", key=first.count)


@dataclass(frozen=True)
class _Book:
    rows: Table
    note: str | None
    """Which sheets were read, where that is not simply the first."""
    cover: dict[str, str]
    """What a cover sheet before the table says: title, partnership, version and its date."""


_COVER_LABELS = (
    ("title", re.compile(r"^(?:plan\s+)?title$|^(?:action\s+)?plan$")),
    ("partnership", re.compile(r"^partnership$")),
    ("version_date", re.compile(r"^(?:as at|version date|date of (?:this )?version|dated)$")),
    ("version_label", re.compile(r"^version$")),
)


def _xlsx(path: Path, raw: bytes) -> _Book:
    """The rows of the plan's table: those of the first sheet holding one (a workbook may
    open with a cover or guidance sheet), or, where each of several such sheets opens with
    a section heading ("Overview Report Recommendations", "Agency: X"), of all of them in
    order: a sheet per section, as ``recledger export`` writes. Rows are numbered per sheet."""
    from openpyxl import load_workbook  # only for .xlsx: it is slow to import

    # A damaged part inside the zip fails as an XML parse error (ElementTree's and lxml's
    # are both SyntaxErrors), when the workbook opens or, read-only, while rows are read.
    # A damaged zip fails in zipfile (a bad CRC, a corrupt deflate stream, an encrypted or
    # unknown compression method).
    unreadable = (
        *(zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError),
        *(zlib.error, EOFError, RuntimeError, NotImplementedError),
    )
    try:
        check_workbook(raw)
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except PlanParseError:
        raise  # a limit (a ValueError too)
    except unreadable as error:
        raise DocumentError(path, f"not a readable .xlsx workbook ({error})") from None
    try:
        if not workbook.worksheets:
            raise DocumentError(path, "the workbook has no worksheet")
        within = Rows()
        sheets = [_sheet_rows(sheet, within) for sheet in workbook.worksheets]
        names = workbook.sheetnames
    except PlanParseError:
        raise
    except unreadable as error:
        raise DocumentError(path, f"not a readable .xlsx workbook ({error})") from None
    finally:
        workbook.close()
    headed = [index for index, rows in enumerate(sheets) if _header_at(rows) is not None]
    tables = [index for index in headed if _holds_recommendations(sheets[index])] or headed
    if not tables:
        return _Book(sheets[0], None, {})
    cover = _cover([row for rows in sheets[: tables[0]] for row in rows])
    if len(tables) > 1 and all(_opens_section(sheets[index]) for index in tables):
        read = ", ".join(repr(names[index]) for index in tables)
        every = f"read the sheets {read}, a section each (rows are numbered per sheet)"
        return _Book([row for index in tables for row in sheets[index]], every, cover)
    first = tables[0]
    note = f"read the sheet {names[first]!r}: the first with a plan's table" if first else None
    return _Book(sheets[first], note, cover)


def _sheet_rows(sheet: Any, within: Rows) -> Table:
    """A read-only sheet's rows, as far as cells are present in it (not as far as the
    dimensions it declares), counted against the limits as they are read."""
    sheet.reset_dimensions()
    return [
        (number, within.row(number, values, _cell_text))
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
    ]


def _header_at(rows: Table) -> int | None:
    return next(
        (i for i, (_, cells) in enumerate(rows) if looks_like_header([c.strip() for c in cells])),
        None,
    )


def _holds_recommendations(rows: Table) -> bool:
    """Whether a recommendation stands under a sheet's column headers: a cover sheet's
    "Recommendations | 12 (and 30 actions)" looks like a header row, with no plan under it."""
    try:
        return bool(assemble(rows)[0])
    except PlanParseError:
        return False


def _opens_section(rows: Table) -> bool:
    header = _header_at(rows)
    return header is not None and any(
        is_heading(" ".join(" ".join(cells).split())) for _, cells in rows[:header]
    )


def _cover(rows: Table) -> dict[str, str]:
    """Label and value pairs ("Title" | "Domestic Homicide Review 7") on a cover sheet."""
    found: dict[str, str] = {}
    for _, cells in rows:
        filled = [cell.strip() for cell in cells if cell.strip()]
        if len(filled) != 2:
            continue
        label = filled[0].rstrip(":").strip().lower()
        for key, pattern in _COVER_LABELS:
            if pattern.match(label) and key not in found:
                found[key] = filled[1]
    return found


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number cell "3" stored as 3.0
    return str(value)


def _from_rows(
    rows: Table,
    path: Path,
    cover: dict[str, str] | None = None,
    *,
    notes: list[ParseWarning] | None = None,
) -> ParsedPlan:
    """A spreadsheet holds the table: title and version come from a cover sheet if it has
    one, else the title from the file name. ``notes``: what reading the rows warned of."""
    cover = cover or {}
    rows = [
        (line, [html.escape(cell, quote=False) for cell in cells])  # a cell is text, not HTML
        for line, cells in rows
        if any(c.strip() for c in cells)
    ]
    if not rows:
        raise DocumentError(path, "the sheet has no rows")
    recommendations, warnings = parse_rows(rows, truncated=False)
    return ParsedPlan(
        title=cover.get("title") or path.stem,
        partnership=cover.get("partnership", ""),
        version_label=cover.get("version_label", ""),
        version_date=cover.get("version_date", ""),
        recommendations=recommendations,
        warnings=tuple(sorted([*(notes or []), *warnings], key=lambda warning: warning.line)),
    )
