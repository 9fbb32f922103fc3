"""What reading a PDF may cost, at most: the PDF half of ``limits.py``.

pdfminer (under pdfplumber) inflates a stream whole, however large it comes out, and
interprets a page's content, and a form's each time the page draws it, with no end: a
small hostile PDF could hold the importer for minutes or take gigabytes (4 MB of content
that draws nothing took 28 s to interpret; 200,000 characters on a page, 380 MB). So,
before pdfminer sees the file, every stream it could inflate is inflated here, counting
the bytes that come out; then a page is interpreted by a device that counts what it
draws and the content it runs, refusing the page past the limits. Each refusal is a
``PlanParseError`` naming the limit; nothing is recorded.
"""

from __future__ import annotations

import bisect
import io
import re
import zlib
from collections.abc import Iterator
from typing import Any

from pdfminer.ascii85 import ascii85decode, asciihexdecode
from pdfminer.layout import LTChar, LTItem, LTPage
from pdfminer.lzw import LZWDecoder
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import stream_value
from pdfplumber.page import Page, PDFPageAggregatorWithMarkedContent
from pdfplumber.utils.exceptions import PdfminerException

from adapters.importing.limits import MAX_EXPANDED_BYTES, MAX_RATIO, MiB
from adapters.importing.model import PlanParseError

MAX_PAGES = 100
"""Pages of a PDF: a real plan has a few dozen (a 44-page plan of 120,000 characters reads
in 4 to 5 s)."""
MAX_OBJECTS = 300_000
"""Characters, lines, shapes and images drawn on the pages in all: pdfminer takes some
35 µs over each (300,000 take about 10 s)."""
MAX_PAGE_CHARS = 20_000
"""Characters drawn on one page (held at once): a page of 7-point text has some 8,000."""
MAX_PAGE_DRAWINGS = 3_000
"""Lines, shapes and images drawn on one page (held at once): a ruled table's page has a
few hundred."""
MAX_PAGE_GRID = 2_000
"""Crossings of a page's ruled lines (its distinct vertical lines times its horizontal
ones): a page of a plan's table has a few hundred, and pdfplumber's table finder takes
time with the square of them."""
MAX_CONTENT_BYTES = 2 * MiB
"""Bytes of page content interpreted in all, a form's again each time it is drawn: a
44-page plan has some 250 KiB (as reportlab writes it; Word writes more); the costliest
content (operators that draw nothing) takes pdfminer some 7 s a MiB."""

MAX_STREAMS = 20_000
"""Streams in a PDF: a plan of a hundred pages has a few hundred."""

_STREAM = re.compile(rb"(?<![A-Za-z])stream\b[^\r\n]{0,256}(?:\r\n|\n|\r)")
"""The keyword that opens a stream's data, as pdfminer reads it (the rest of its line
skipped); never "endstream"."""
_END = re.compile(rb"endstream")
_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?:\s+(\d+)\s+R)?")
_NUMBER_OBJ = re.compile(rb"(?<![0-9])(\d+)\s+(\d+)\s+obj\s*(\d+)\s*endobj")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")
_NAME = re.compile(rb"/([A-Za-z0-9]+)")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_ENCRYPTED = re.compile(rb"/Encrypt\s*(?:\d+\s+\d+\s+R|<<)")
_FLATE, _LZW = {b"FlateDecode", b"Fl"}, {b"LZWDecode", b"LZW"}
_HEX, _A85 = {b"ASCIIHexDecode", b"AHx"}, {b"ASCII85Decode", b"A85"}
_UNDECODED = {b"DCTDecode", b"DCT", b"JPXDecode", b"JBIG2Decode"}
"""Filters pdfminer passes through undecoded (image data)."""
_IMAGE_ONLY = {b"CCITTFaxDecode", b"CCF", b"RunLengthDecode", b"RL"}
"""Filters of images that pdfminer never decodes to read text (it would in a page's
content, so they are refused anywhere else)."""
_DICT_REACH = 4096
_CHUNK = 64 * 1024


def check_streams(raw: bytes) -> None:
    """Refuse an encrypted PDF (its streams cannot be measured here) and one whose streams
    would inflate past ``MAX_EXPANDED_BYTES`` in all, or a stream past ``MAX_RATIO`` times
    its compressed size (beyond its first MiB). Every stream pdfminer could inflate is
    measured, images too (a stream marked as an image could be drawn as a page's content):
    only image data in formats it never decodes (JPEG, JBIG2, fax) is left alone."""
    if _ENCRYPTED.search(raw):
        raise PlanParseError(
            "the PDF is encrypted: recledger reads only unencrypted PDFs (save or print it "
            "again as a PDF without a password or restrictions)"
        )
    ends = [match.start() for match in _END.finditer(raw)]
    numbers = {(m[1], m[2]): int(m[3]) for m in _NUMBER_OBJ.finditer(raw)}
    expanded = 0
    for count, match in enumerate(_STREAM.finditer(raw), start=1):
        if count > MAX_STREAMS:
            raise PlanParseError(f"more than {MAX_STREAMS:,} streams: the limit is {MAX_STREAMS:,}")
        head = raw[max(0, match.start() - _DICT_REACH) : match.start()]
        starts = list(_OBJ.finditer(head))
        head = head[starts[-1].end() :] if starts else head
        filters = _filters(head)
        if _IMAGE.search(head) and _IMAGE_ONLY.intersection(filters):
            continue
        # pdfminer reads a stream's /Length bytes, or, repairing a damaged file, up to its
        # "endstream": the longer of the two is inflated here
        length = _LENGTH.search(head)
        stated = 0 if length is None else int(length[1]) if length[2] is None else numbers.get(
            (length[1], length[2]), 0
        )  # fmt: skip
        after = bisect.bisect_left(ends, match.end())
        end = max(ends[after] if after < len(ends) else len(raw), match.end() + stated)
        data = raw[match.end() : end]
        expanded += _inflated_size(data, filters, MAX_EXPANDED_BYTES - expanded)


def _filters(head: bytes) -> list[bytes]:
    found = _FILTER.search(head)
    return _NAME.findall(found[1]) if found else []


def _inflated_size(data: bytes, filters: list[bytes], allowed: int) -> int:
    """The stream's size once decoded, refused past ``allowed``; a stream that does not
    decode counts as its own size (pdfminer then reads it as damaged, or as nothing)."""
    size = len(data)
    for name in filters:
        if name in _UNDECODED:
            break  # image data, never inflated
        if name in _HEX or name in _A85:  # text for bytes: smaller than the data
            try:
                data = asciihexdecode(data) if name in _HEX else ascii85decode(data)
            except ValueError:
                break  # damaged: pdfminer refuses it
            size = len(data)
        elif name in _FLATE or name in _LZW:
            chunks = _inflate(data) if name in _FLATE else LZWDecoder(io.BytesIO(data)).run()
            data = _bounded(chunks, allowed, len(data))
            size = len(data)
        else:
            raise PlanParseError(
                f"a stream is compressed with /{name.decode('latin-1')}, which recledger "
                "reads only in images"
            )
    return size


def _bounded(chunks: Iterator[bytes], allowed: int, packed: int) -> bytes:
    out = bytearray()
    try:
        for chunk in chunks:
            out += chunk
            if len(out) > allowed:
                raise PlanParseError(
                    f"the PDF's streams expand to more than {MAX_EXPANDED_BYTES // MiB} MiB: "
                    f"the limit is {MAX_EXPANDED_BYTES // MiB} MiB uncompressed in all"
                )
            if len(out) > MiB and len(out) > MAX_RATIO * max(packed, 1):
                raise PlanParseError(
                    f"a stream expands more than {MAX_RATIO} times its compressed size, the "
                    "limit: a decompression bomb, not a plan"
                )
    except PlanParseError:
        raise
    except (zlib.error, EOFError, ValueError):
        pass  # damaged: pdfminer reads what inflates of it, as counted here
    return bytes(out)


def _inflate(data: bytes) -> Iterator[bytes]:
    inflater = zlib.decompressobj()
    for start in range(0, len(data), _CHUNK):
        pending = data[start : start + _CHUNK]
        while pending:
            yield inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
        if inflater.eof:
            return


def check_grid(edges: list[dict[str, Any]], page: int) -> None:
    """Refuse a page ruled into a finer grid than ``MAX_PAGE_GRID`` crossings."""
    columns = {round(edge["x0"] / 3) for edge in edges if edge["orientation"] == "v"}
    rows = {round(edge["top"] / 3) for edge in edges if edge["orientation"] == "h"}
    if len(columns) * len(rows) > MAX_PAGE_GRID:
        raise PlanParseError(
            f"page {page} is ruled into {len(columns)} by {len(rows)} lines: the limit is "
            f"{MAX_PAGE_GRID:,} crossings a page"
        )


class Budget:
    """What a document's pages have cost so far: content run, objects drawn, and what the
    current page has drawn."""

    def __init__(self) -> None:
        self.content = self.objects = self.chars = self.drawings = self.page = 0

    def new_page(self, number: int) -> None:
        self.page, self.chars, self.drawings = number, 0, 0

    def run(self, size: int) -> None:
        self.content += size
        if self.content > MAX_CONTENT_BYTES:
            mib = f"{MAX_CONTENT_BYTES // MiB} MiB"
            self._refuse(f"the pages' content runs to more than {mib} (a form counted each "
                         "time it is drawn)", mib)  # fmt: skip

    def char(self) -> None:
        self.chars += 1
        if self.chars > MAX_PAGE_CHARS:
            self._refuse(f"page {self.page} draws more than {MAX_PAGE_CHARS:,} characters",
                         f"{MAX_PAGE_CHARS:,} a page")  # fmt: skip
        self._object()

    def drawing(self) -> None:
        self.drawings += 1
        if self.drawings > MAX_PAGE_DRAWINGS:
            self._refuse(f"page {self.page} draws more than {MAX_PAGE_DRAWINGS:,} lines, "
                         "shapes and images", f"{MAX_PAGE_DRAWINGS:,} a page")  # fmt: skip
        self._object()

    def _object(self) -> None:
        self.objects += 1
        if self.objects > MAX_OBJECTS:
            self._refuse(f"the pages draw more than {MAX_OBJECTS:,} characters, lines, shapes "
                         "and images", f"{MAX_OBJECTS:,} in all")  # fmt: skip

    @staticmethod
    def _refuse(what: str, limit: str) -> None:
        raise PlanParseError(f"{what}: the limit is {limit}")


class _Device(PDFPageAggregatorWithMarkedContent):
    """pdfplumber's own device, counting what it is given to draw."""

    budget: Budget

    def render_char(self, *args: Any, **kwargs: Any) -> float:
        self.budget.char()
        return super().render_char(*args, **kwargs)

    def paint_path(self, *args: Any, **kwargs: Any) -> None:
        self.budget.drawing()
        super().paint_path(*args, **kwargs)

    def render_image(self, *args: Any, **kwargs: Any) -> None:
        self.budget.drawing()
        super().render_image(*args, **kwargs)


class _Interpreter(PDFPageInterpreter):
    """Counts the content it runs: a page's, and a form's each time it is drawn (pdfminer
    makes a new interpreter of this class for each form)."""

    def execute(self, streams: Any) -> None:
        budget: Budget = self.device.budget  # type: ignore[attr-defined]
        budget.run(sum(len(stream_value(stream).get_data()) for stream in streams))
        super().execute(streams)


class BoundedPage(Page):
    """A pdfplumber page laid out within the budget (pdfplumber's own ``layout``, with the
    counting device and interpreter)."""

    def __init__(self, pdf: Any, page_obj: Any, page_number: int, budget: Budget) -> None:
        super().__init__(pdf, page_obj, page_number=page_number)
        self.budget = budget

    @property
    def layout(self) -> LTPage:
        if not hasattr(self, "_layout"):
            self.budget.new_page(self.page_number)
            device = _Device(self.pdf.rsrcmgr, pageno=self.page_number, laparams=None)
            device.budget = self.budget
            try:
                _Interpreter(self.pdf.rsrcmgr, device).process_page(self.page_obj)
            except PlanParseError:
                raise  # a limit
            except Exception as error:  # as pdfplumber's own layout: the page is damaged
                raise PdfminerException(error) from error
            self._layout = device.get_result()
        return self._layout

    def process_object(self, obj: LTItem) -> dict[str, Any]:
        """A character as the little the reader needs of it (pdfplumber's own dict of a
        character, colours and graphics state resolved, takes most of its time)."""
        if not isinstance(obj, LTChar):
            return super().process_object(obj)
        left, top = float(self.mediabox[0]), float(self.mediabox[1]) + float(self.height)
        return {
            "object_type": "char",
            "text": obj.get_text(),
            "x0": obj.x0 + left,
            "x1": obj.x1 + left,
            "top": top - obj.y1,
            "bottom": top - obj.y0,
            "size": obj.size,
            "upright": obj.upright,
            "page_number": self.page_number,
        }
