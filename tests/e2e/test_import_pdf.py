"""Importing PDF action plans through ``recledger import`` (in this process:
tests/e2e/in_process.py), on a SQLite file and on PostgreSQL.

The PDFs are made here with reportlab (tests/pdf_documents.py) from plan shapes
(tests/documents.py), as Word exports a plan: a title block above a ruled table, the
header row repeated on each page, rows that do not fit split across the page break, a
running header and footer. The seed's PDF form is the seed text's rows written as a PDF.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from service.ledger import Ledger
from tests.documents import PlanShape, cell, row, section, seed_shape
from tests.e2e.imported import VERSION, Json, Shell, by_ref, comparable
from tests.pdf_documents import image_only_pdf, write_pdf

HEADER = row("No", "Recommendation", "Lead agency", "Lead officer", "Target date",
             "Progress update")  # fmt: skip
WIDTHS = (30, 230, 90, 100, 70, 250)
UPDATES = [
    (f"{month} 2018", f"{month} 2018. " + " ".join([f"Step {n} of the {month} work on the "
     "referral pathway was taken with the IDVA service and the police."] * 4))
    for n, month in enumerate(["January", "February", "March", "April", "May", "June",
                               "July", "August", "September", "October"], start=1)
]  # fmt: skip
"""Ten dated updates, long enough together that their row cannot fit on one page."""
LONG_TEXT = " ".join(f"Agencies should share what they know of a victim's risk (clause {n});"
                     for n in range(1, 31))  # fmt: skip
"""A recommendation long enough that its own cell is split by the page break too."""
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
            LONG_TEXT,
            "Riverton CSP",
            cell("Training Lead", "Named Nurse Safeguarding"),
            "December 2018",
            cell(*(text for _, text in UPDATES)),
        ),
        section("Agency: Riverton Police"),
        row(
            "1",
            "Officers should record the children present at every incident.",
            "Riverton Police",
            "Det Supt Public Protection",
            "December 2018",
            cell("Action completed 1st February 2019: new incident form in use."),
        ),
    ),
    header=("OFFICIAL \u2013 SENSITIVE",),
    footer=("Riverton CSP \u2013 DHR 7 \u2013 page {page}", "Version 3 dated 14th March 2019"),
)
FURNITURE = ("OFFICIAL", "SENSITIVE", "page", "Version 3", "Lead officer", "Progress update")


@pytest.fixture
def shell(tmp_path: Path, db_url: str) -> Shell:
    return Shell(tmp_path, db=db_url)


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import SEED_PLAN

    shape = seed_shape(SEED_PLAN.read_text(encoding="utf-8"))
    path = tmp_path_factory.mktemp("pdf") / "dhr-case-2-action-plan.pdf"
    return write_pdf(shape, path, sections_outside=True, spaced=True)


@pytest.fixture(scope="module")
def text_status(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The seed text imported into a ledger of its own: its status views."""
    from tests.conftest import SEED_PLAN

    reference = Shell(tmp_path_factory.mktemp("text"), db="text.db")
    reference("import", SEED_PLAN)
    return reference.json("status", "dhr2")


def texts_of(views: list[Json]) -> list[str]:
    """Every text a recommendation's view holds, sub-actions' and updates' included."""
    return [
        text
        for view in by_ref(views).values()
        for text in [view["text"], view["agency"], *view["leads"], (view["target"] or {}).get(
            "text", ""), *(update["text"] for update in view["updates"])]
    ]  # fmt: skip


def pages_holding(path: Path, text: str) -> list[int]:
    with pdfplumber.open(path) as pdf:
        return [page.page_number for page in pdf.pages if text in (page.extract_text() or "")]


def events(open_ledger: Callable[[str], Ledger], db: str) -> int:
    return len(open_ledger(db).recorder.select_notifications(1, 10_000))


# (a) the seed's PDF form --------------------------------------------------------------------


def test_the_seed_as_pdf_reads_as_its_title_block_sections_and_footer_say(
    tmp_path: Path, seed_pdf: Path
) -> None:
    report = Shell(tmp_path).json("import", seed_pdf, "--dry-run")
    assert report["plan"] == "dhr2" and report["version"]["label"] == VERSION
    assert report["version"]["date"]["start"] == "2014-05-29"
    assert report["sections"] == {
        "overview": 12, "imr/west-mercia-police": 6, "imr/cri-pathway-to-recovery": 2,
    }  # fmt: skip
    messages = " ".join(warning["message"] for warning in report["warnings"])
    for furniture in ("header", "above the table", "outside the table", "Photocopied"):
        assert furniture not in messages


@pytest.mark.parametrize("first", ["text", "pdf"])
def test_the_seeds_pdf_form_imports_as_its_text_and_either_after_the_other_adds_nothing(
    shell: Shell, seed_pdf: Path, text_status: Any, first: str
) -> None:
    from tests.conftest import SEED_PLAN

    documents = {"text": SEED_PLAN, "pdf": seed_pdf}
    second = "pdf" if first == "text" else "text"
    imported = shell.json("import", documents[first])
    assert len(imported["events"]) > 60
    after_first = shell.json("status", "dhr2")
    assert comparable(after_first) == comparable(text_status)
    [plan] = shell.json("plans")
    assert (plan["title"], plan["partnership"]) == (
        "Domestic Homicide Review Case No 2", "South Worcestershire Community Safety Partnership"
    )  # fmt: skip
    again = shell.json("import", documents[second], "--version", f"{VERSION}, as {second}")
    assert [event["type"] for event in again["events"]] == ["DocumentVersionRecorded"]
    assert comparable(shell.json("status", "dhr2")) == comparable(after_first)


# (b) a row split by a page break; (c) running headers, footers, repeated header rows -------


@pytest.mark.parametrize("spaced", [True, False], ids=["paragraph-spacing", "none"])
def test_a_row_split_across_a_page_break_is_one_recommendation_with_all_its_text(
    shell: Shell, tmp_path: Path, spaced: bool
) -> None:
    path = write_pdf(RIVERTON, tmp_path / "dhr7.pdf", widths=WIDTHS, spaced=spaced)
    assert pages_holding(path, "January 2018.") == [1]  # the row starts on page 1
    assert pages_holding(path, "October 2018.") == [2]  # and ends on page 2
    assert pages_holding(path, "(clause 1);") == [1] and pages_holding(path, "(clause 30);") == [2]
    report = shell.json("import", path, "--plan", "dhr7")
    found = by_ref(shell.json("status", "dhr7"))
    assert list(found) == ["overview/1", "overview/2", "imr/riverton-police/1"]
    split = found["overview/2"]
    assert split["text"] == LONG_TEXT
    assert split["leads"] == ["Training Lead", "Named Nurse Safeguarding"]
    assert split["target"]["text"] == "December 2018"
    assert [(u["effective"]["text"], u["text"]) for u in split["updates"]] == [
        (date, text.removeprefix(f"{date}. ")) for date, text in UPDATES
    ]
    assert found["imr/riverton-police/1"]["status"] == "completed"
    messages = " ".join(warning["message"] for warning in report["warnings"])
    assert "cannot be placed" not in messages and "continues no" not in messages


def test_running_headers_footers_and_repeated_header_rows_become_no_rows_or_updates(
    shell: Shell, tmp_path: Path
) -> None:
    path = write_pdf(RIVERTON, tmp_path / "dhr7.pdf", widths=WIDTHS, spaced=True)
    every = pages_holding(path, "OFFICIAL")  # the running header: on every page
    assert len(every) > 1 and pages_holding(path, "Progress update") == every
    assert pages_holding(path, "page 2") == [2]
    report = shell.json("import", path, "--plan", "dhr7")
    assert report["version"]["label"] == "Version 3 dated 14th March 2019"
    assert report["version"]["date"]["start"] == "2019-03-14"
    [plan] = shell.json("plans")
    assert plan["title"] == "Domestic Homicide Review 7 (Adult A)"
    assert plan["partnership"] == "Riverton Community Safety Partnership"
    views = shell.json("status", "dhr7")
    assert len(by_ref(views)) == 3 and len(by_ref(views)["overview/2"]["updates"]) == len(UPDATES)
    everything = texts_of(views) + [warning["message"] for warning in report["warnings"]]
    for furniture in FURNITURE:
        assert not any(furniture in text for text in everything), furniture


# (d) what cannot be read is refused in one line -------------------------------------------


def refused(shell: Shell, path: Path) -> str:
    """``recledger import`` of ``path``: refused, in one line of standard error."""
    result = shell("import", path.name, ok=False)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    return result.stderr.strip()


@pytest.fixture
def ledger_of_one_plan(shell: Shell, tmp_path: Path, db_url: str,
                       open_ledger: Callable[[str], Ledger]) -> int:  # fmt: skip
    """The ledger holds a plan already: its number of events."""
    shell("import", write_pdf(RIVERTON, tmp_path / "dhr7.pdf", widths=WIDTHS), "--plan", "dhr7")
    return events(open_ledger, db_url)


def test_a_pdf_of_only_images_is_refused_as_a_scan_in_one_line(
    shell: Shell, tmp_path: Path, db_url: str, open_ledger: Callable[[str], Ledger],
    ledger_of_one_plan: int,
) -> None:  # fmt: skip
    image_only_pdf(tmp_path / "scan.pdf")
    assert refused(shell, tmp_path / "scan.pdf") == (
        "recledger: scan.pdf: no text to read: a scanned PDF? recledger does not OCR"
    )
    assert events(open_ledger, db_url) == ledger_of_one_plan


def test_a_pdf_whose_table_has_no_borders_is_refused_in_one_line(
    shell: Shell, tmp_path: Path, db_url: str, open_ledger: Callable[[str], Ledger],
    ledger_of_one_plan: int,
) -> None:  # fmt: skip
    """Its text set in columns, not ruled: no row or cell can be told for sure, so nothing
    is guessed and nothing recorded."""
    write_pdf(RIVERTON, tmp_path / "columns.pdf", widths=WIDTHS, ruled=False)
    assert refused(shell, tmp_path / "columns.pdf") == (
        "recledger: columns.pdf: no table found: no ruled table with a header row on any page"
    )
    assert events(open_ledger, db_url) == ledger_of_one_plan


def _damaged(kind: str, tmp_path: Path) -> tuple[Path, str]:
    """A file named .pdf that cannot be read as a plan, and how its refusal begins."""
    plan = write_pdf(RIVERTON, tmp_path / "plan.pdf", widths=WIDTHS).read_bytes()
    path = tmp_path / f"{kind}.pdf"
    if kind == "truncated":  # a download cut short
        path.write_bytes(plan[: len(plan) // 2])
        return path, "the PDF is cut short"
    if kind == "not-a-pdf":
        path.write_text("Recommendation\tLead\n1\tPolice\n")
        return path, "not a PDF"
    if kind == "encrypted":
        write_pdf(RIVERTON, path, widths=WIDTHS, encrypt="secret")
        return path, "the PDF is encrypted"
    # Every stream's bytes overwritten (its length kept): the pages' content is garbage.
    garbage = re.sub(rb"(?s)(stream\r?\n)(.*?)(endstream)",
                     lambda m: m[1] + b"\xff" * len(m[2]) + m[3], plan)  # fmt: skip
    path.write_bytes(garbage)
    return path, "not a readable PDF"


@pytest.mark.parametrize("kind", ["truncated", "not-a-pdf", "encrypted", "damaged"])
def test_a_damaged_encrypted_or_other_file_named_pdf_is_refused_in_one_line(
    shell: Shell, tmp_path: Path, db_url: str, open_ledger: Callable[[str], Ledger],
    ledger_of_one_plan: int, kind: str,
) -> None:  # fmt: skip
    path, why = _damaged(kind, tmp_path)
    assert refused(shell, path).startswith(f"recledger: {path.name}: {why}")
    assert events(open_ledger, db_url) == ledger_of_one_plan


def test_a_scanned_page_in_a_plan_is_reported_never_silently_skipped(tmp_path: Path) -> None:
    path = write_pdf(RIVERTON, tmp_path / "dhr7.pdf", widths=WIDTHS, scanned_page=True)
    report = Shell(tmp_path).json("import", path, "--plan", "dhr7", "--dry-run")
    [scan] = [w for w in report["warnings"] if "scanned" in w["message"]]
    assert scan["message"] == (
        "page 3 has images and no text but page furniture (a scanned page?): nothing read from it"
    )
    assert report["sections"] == {"overview": 2, "imr/riverton-police": 1}
