"""A hostile PDF is refused in one line, quickly and in bounded memory, and nothing is
recorded (adapters/importing/pdf_bounds.py). Each is built here by hand and imported by
the installed command in a real process, whose peak memory the kernel reports."""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pytest

from adapters.importing.limits import MiB
from adapters.importing.pdf_bounds import (
    MAX_CONTENT_BYTES,
    MAX_OBJECTS,
    MAX_PAGE_CHARS,
    MAX_PAGE_DRAWINGS,
    MAX_PAGE_GRID,
    MAX_PAGES,
)
from tests.documents import PlanShape, cell, row, section
from tests.e2e.shell import RECLEDGER
from tests.hostile_files import run_measured
from tests.pdf_documents import deflated, raw_pdf, write_pdf

MB = 1000 * 1000
PEAK = 300 * MB
"""The most memory an import of any file may take (the command's whole process)."""
TEXT = b"BT /F1 10 Tf 40 500 Td (Recommendation No 1 Review the referral pathway) Tj ET\n"


def _bomb(path: Path) -> Path:
    """200 MiB of content deflated to some 200 KB, as a page's content."""
    page = deflated(b" " * MiB, times=200)
    return raw_pdf(path, [TEXT], filters=("FlateDecode",), encode=lambda _: page)


def _bomb_in_ascii85(path: Path) -> Path:
    page = base64.a85encode(deflated(b" " * MiB, times=200)) + b"~>"
    return raw_pdf(path, [TEXT], filters=("ASCII85Decode", "FlateDecode"), encode=lambda _: page)


def _bomb_marked_as_an_image(path: Path) -> Path:
    """The bomb's dictionary says it is an image (which pdfminer would not inflate): it is
    the page's content all the same."""
    page = deflated(b" " * MiB, times=200)
    return raw_pdf(path, [TEXT], filters=("FlateDecode",), encode=lambda _: page,
                   entries=b"/Subtype /Image /Width 100 /Height 100")  # fmt: skip


def _pages(path: Path) -> Path:
    return raw_pdf(path, [TEXT] * (MAX_PAGES + 1))


def _characters(path: Path) -> Path:
    return raw_pdf(path, [b"BT /F1 1 Tf 20 20 Td (" + b"x" * (MAX_PAGE_CHARS + 1) + b") Tj ET"])


def _form_drawn_again_and_again(path: Path) -> Path:
    """A form of 1 KiB of content that each of a few pages draws thousands of times: the
    file is small, the content run is not."""
    drawn = b"/X1 Do\n" * (MAX_CONTENT_BYTES // 1024 // 4 + 1)
    return raw_pdf(path, [TEXT + drawn] * 4, form=b"q Q\n" * 256)


def _grid(path: Path) -> Path:
    """A page ruled into a grid finer than the limit (a sheet of graph paper)."""
    lines = 60
    rules = b"".join(b"%d 40 m %d 560 l S\n" % (40 + 12 * n, 40 + 12 * n) for n in range(lines))
    rules += b"".join(b"40 %d m 760 %d l S\n" % (40 + 8 * n, 40 + 8 * n) for n in range(lines))
    assert lines * lines > MAX_PAGE_GRID
    return raw_pdf(path, [TEXT + rules])


HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "bomb": (_bomb, "a stream expands more than 100 times its compressed size"),
    "bomb-in-ascii85": (_bomb_in_ascii85, "a stream expands more than 100 times"),
    "bomb-marked-as-an-image": (_bomb_marked_as_an_image, "a stream expands more than 100 times"),
    "pages": (_pages, f"more than {MAX_PAGES} pages: the limit is {MAX_PAGES} pages"),
    "characters": (
        _characters,
        f"page 1 draws more than {MAX_PAGE_CHARS:,} characters: the limit is "
        f"{MAX_PAGE_CHARS:,} a page",
    ),
    "form-drawn-again": (
        _form_drawn_again_and_again,
        f"the pages' content runs to more than {MAX_CONTENT_BYTES // MiB} MiB",
    ),
    "grid": (_grid, "page 1 is ruled into 60 by 60 lines: the limit is 2,000 crossings a page"),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_pdf_is_refused_in_one_line_quickly_in_bounded_memory(
    tmp_path: Path, kind: str
) -> None:
    build, why = HOSTILE[kind]
    path = build(tmp_path / f"{kind}.pdf")
    assert path.stat().st_size < 2 * MB
    started = time.monotonic()
    result, peak = run_measured(
        [RECLEDGER, "--db", str(tmp_path / "ledger.db"), "import", path.name],
        cwd=tmp_path,
        env={**os.environ, "RECLEDGER_ACTOR": "coordinator"},
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stdout
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"recledger: {path.name}: {why}"), result.stderr
    assert peak < PEAK, f"peak {peak / MB:.0f} MB"
    assert elapsed < 30, f"{elapsed:.1f} s"  # the costliest, a form drawn again: some 15 s
    assert not (tmp_path / "ledger.db").exists()


def test_a_plan_of_forty_pages_imports_within_seconds(tmp_path: Path) -> None:
    """The limits leave room for real plans: 43 pages, 66 recommendations, some 130,000
    characters."""
    rows = [
        section("Overview Report Recommendations"),
        row(
            "No", "Recommendation", "Lead agency", "Lead officer", "Target date", "Progress update"
        ),
    ]
    for n in range(1, 67):
        rows.append(row(
            str(n), f"Recommendation {n}: " + "The agencies should review how they share what "
            "they know of the risk to a victim and her children. " * 3,
            "Riverton CSP", cell("Training Lead", "Named Nurse Safeguarding"), "December 2018",
            cell(*[f"{month} 2018. " + "Work on the referral pathway continued with the IDVA "
                   "service, the police and the hospital trust. " * 4
                   for month in ("March", "June", "September", "December")]),
        ))  # fmt: skip
    shape = PlanShape(("Riverton Community Safety Partnership", "Domestic Homicide Review 9"),
                      tuple(rows), footer=("Version 2 dated 1st March 2019",))  # fmt: skip
    path = write_pdf(shape, tmp_path / "dhr9.pdf", widths=(30, 230, 90, 100, 70, 250))
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) >= 40
    started = time.monotonic()
    result, peak = run_measured(
        [RECLEDGER, "--db", str(tmp_path / "ledger.db"), "import", path.name, "--dry-run"],
        cwd=tmp_path,
        env={**os.environ, "RECLEDGER_ACTOR": "coordinator"},
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert "recommendations: 66" in result.stdout
    assert elapsed < 30 and peak < PEAK, (elapsed, peak / MB)


def test_the_documented_pdf_limits_are_the_readers() -> None:
    docs = " ".join((Path(__file__).parents[2] / "docs" / "importing.md").read_text().split())
    for stated in (
        f"a PDF at most {MAX_PAGES} pages",
        f"at most {MAX_CONTENT_BYTES // MiB} MiB of page content",
        f"{MAX_PAGE_CHARS:,} characters and {MAX_PAGE_DRAWINGS:,} lines, shapes and images a page",
        f"{MAX_OBJECTS:,} in all",
        f"crossing at most {MAX_PAGE_GRID:,} times",
    ):
        assert stated in docs, stated
