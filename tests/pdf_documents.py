"""A ``PlanShape`` (tests/documents.py) written as a PDF with reportlab, as Word or
LibreOffice export a plan: the title block above a ruled table, its header row repeated at
the top of every page, rows that do not fit split across the page (as Word's "allow row to
break across pages", on by default), the running header and footer on every page."""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image as Picture
from PIL import ImageDraw
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)

from tests.documents import Cell, PlanShape, Row

pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))  # embedded, as Word embeds its fonts
pdfmetrics.registerFont(TTFont("VeraBd", "VeraBd.ttf"))
TEXT = ParagraphStyle("cell", fontName="Vera", fontSize=8, leading=10)
SPACED = ParagraphStyle("spaced", parent=TEXT, spaceAfter=4)
ITEM = ParagraphStyle("item", parent=TEXT, leftIndent=10, bulletIndent=0, bulletFontName="Vera")
TITLE = ParagraphStyle("title", fontName="VeraBd", fontSize=12, leading=16)
HEADING = ParagraphStyle("heading", fontName="VeraBd", fontSize=10, leading=14)
MARGIN = 36


def write_pdf(
    shape: PlanShape,
    path: Path,
    *,
    sections_outside: bool = False,
    spaced: bool = False,
    widths: tuple[float, ...] = (200, 115, 110, 85, 260),
    scanned_page: bool = False,
    encrypt: str | None = None,
    ruled: bool = True,
) -> Path:
    """The shape as a landscape A4 PDF. Section rows are rows merged across the table, or,
    ``sections_outside``, headings between tables (each with the header row again);
    ``spaced`` puts space after each paragraph of a cell, as Word's Normal style does;
    ``{page}`` in a header or footer line is the page's number; ``scanned_page`` adds a
    last page that is only an image, as a scanner makes it; ``encrypt``: a password;
    ``ruled=False`` draws no borders (the table's text set in columns only)."""
    header = next(row for row in shape.rows if not row.merged)
    rows = [row for row in shape.rows if row != header]  # reportlab repeats it on each page
    style = SPACED if spaced else TEXT
    story: list[Flowable] = [Paragraph(escape(line), TITLE) for line in shape.title]
    body: list[Row] = []

    def table() -> None:
        if body:
            story.append(_table([header, *body], widths, style, ruled))
            body.clear()

    for row in rows:
        if row.merged and sections_outside:
            table()
            story.append(Paragraph(escape(row.cells[0][0].text), HEADING))
        else:
            body.append(row)
    table()
    if scanned_page:
        story += [PageBreak(), Image(_scan(), width=400, height=300)]

    def furniture(canvas: Canvas, _: object) -> None:
        canvas.saveState()
        canvas.setFont("Vera", 7)
        height = landscape(A4)[1]
        page = str(canvas.getPageNumber())
        for index, line in enumerate(shape.header):
            canvas.drawString(MARGIN, height - 20 - 9 * index, line.replace("{page}", page))
        for index, line in enumerate(reversed(shape.footer)):
            canvas.drawString(MARGIN, 16 + 9 * index, line.replace("{page}", page))
        canvas.restoreState()

    document = SimpleDocTemplate(
        str(path), pagesize=landscape(A4), leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN, bottomMargin=MARGIN + 12, encrypt=encrypt,
    )  # fmt: skip
    document.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return path


def _table(
    rows: list[Row], widths: tuple[float, ...], style: ParagraphStyle, ruled: bool = True
) -> Table:
    """Rows of paragraphs, ruled, the first repeated on each page; a merged row spans."""
    data = [
        [_cell(row.cells[0], style)] + [""] * (len(widths) - 1)
        if row.merged
        else [_cell(cell, style) for cell in row.cells] + [""] * (len(widths) - len(row.cells))
        for row in rows
    ]
    commands: list[tuple[object, ...]] = [("VALIGN", (0, 0), (-1, -1), "TOP")]
    commands += [("GRID", (0, 0), (-1, -1), 0.5, colors.black)] if ruled else []
    commands += [("SPAN", (0, n), (-1, n)) for n, row in enumerate(rows) if row.merged]
    return Table(
        data, colWidths=list(widths), repeatRows=1, splitInRow=1, splitByRow=0,
        style=TableStyle(commands),
    )  # fmt: skip


def _cell(cell: Cell, style: ParagraphStyle) -> list[Flowable]:
    """A paragraph each; list items with their bullet or their number, as Word shows them."""
    out: list[Flowable] = []
    number = 0
    for para in cell:
        number = number + 1 if para.kind == "number" else 0
        text = escape(para.text)
        if para.kind == "bullet":
            out.append(Paragraph(text, ITEM, bulletText="\u2022"))
        elif para.kind == "number":
            out.append(Paragraph(text, ITEM, bulletText=f"{number}."))
        else:
            out.append(Paragraph(text, style))
    return out


def _scan() -> io.BytesIO:
    """A page of a plan as a scanner sees it: a picture of text, no text."""
    picture = Picture.new("L", (800, 600), 255)
    draw = ImageDraw.Draw(picture)
    for line in range(20):
        draw.text((40, 30 + 28 * line), "Recommendation No 4 Update Feb 2014 " * 3, fill=0)
    data = io.BytesIO()
    picture.save(data, "PNG")
    data.seek(0)
    return data


def image_only_pdf(path: Path, pages: int = 2) -> Path:
    """A scan: pages that are each one image and no text."""
    canvas = Canvas(str(path), pagesize=landscape(A4))
    for _ in range(pages):
        canvas.drawImage(ImageReader(_scan()), MARGIN, MARGIN, width=600, height=450)
        canvas.showPage()
    canvas.save()
    return path


def raw_pdf(
    path: Path,
    pages: list[bytes],
    *,
    filters: tuple[str, ...] = (),
    encode: Callable[[bytes], bytes] = bytes,
    form: bytes | None = None,
    entries: bytes = b"",
) -> Path:
    """A PDF written by hand: each page's content stream (``encode``d, its ``filters`` and
    any other ``entries`` in its dictionary), a Helvetica font as /F1 and, with ``form``, a
    form XObject /X1 of that content that pages may draw."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    resources = b"/Font << /F1 3 0 R >>"
    if form is not None:
        objects.append(_stream(b"/Type /XObject /Subtype /Form /BBox [0 0 600 800]", form))
        resources += b" /XObject << /X1 %d 0 R >>" % len(objects)
    kids = []
    for content in pages:
        declared = b"/Filter [%s]" % b" ".join(f"/{name}".encode() for name in filters)
        declared = (declared if filters else b"") + b" " + entries
        objects.append(_stream(declared, encode(content)))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Contents %d 0 R "
            b"/Resources << %s >> >>" % (len(objects), resources)
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, start
    )  # fmt: skip
    path.write_bytes(bytes(out))
    return path


def _stream(entries: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (entries, len(data), data)


def deflated(data: bytes, times: int = 1) -> bytes:
    """``data`` repeated ``times`` over, deflated without ever being held whole."""
    compressor = zlib.compressobj(9)
    return b"".join(compressor.compress(data) for _ in range(times)) + compressor.flush()
