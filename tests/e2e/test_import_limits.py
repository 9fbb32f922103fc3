"""Issue 25, defect 6: an import is read within limits, whatever the file.

A 4.6 MB workbook whose shared strings expand to 2 GiB drove ``recledger import --dry-run``
to 2.1 GB in 30 s. Each hostile file here is built in the test and imported by the installed
command in a real process, whose peak memory the kernel reports (wait4): it is refused in
one line naming the file and the limit, quickly, in bounded memory, and nothing is recorded.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.importing.limits import MAX_CELL_CHARS, MAX_ROWS
from service.ledger import Ledger
from tests.e2e.in_process import InProcessShell
from tests.e2e.shell import RECLEDGER
from tests.hostile_files import (
    A_RECOMMENDATION,
    HEADER,
    bomb,
    giant_cell,
    long_workbook,
    lying,
    run_measured,
    workbook,
)

MB = 1000 * 1000
PEAK = 300 * MB
"""The most memory an import of any file may take (the command's whole process)."""


def import_measured(tmp_path: Path, db: str, *args: str) -> tuple[str, int, float]:
    """``recledger import`` of a file in a real process, which must fail: its one line of
    error, its peak resident memory and how long it took."""
    started = time.monotonic()
    result, peak = run_measured(
        [RECLEDGER, "--db", db, "import", *args],
        cwd=tmp_path,
        env={**os.environ, "RECLEDGER_ACTOR": "coordinator"},
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    return result.stderr.strip(), peak, elapsed


def events(open_ledger: Callable[[str], Ledger], db: str) -> int:
    return len(open_ledger(db).recorder.select_notifications(1, 10_000))


@pytest.fixture
def ledger_with_a_plan(
    db_url: str, tmp_path: Path, open_ledger: Callable[[str], Ledger]
) -> tuple[str, int]:
    """A ledger holding one imported plan (imported in this process: only the hostile
    imports are measured), and the number of events in its log."""
    InProcessShell(tmp_path)("--db", db_url, "import", str(workbook(tmp_path / "plan.xlsx")))
    return db_url, events(open_ledger, db_url)


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "import"])
def test_an_xlsx_decompression_bomb_is_refused_in_one_line_quickly_in_bounded_memory(
    tmp_path: Path,
    ledger_with_a_plan: tuple[str, int],
    open_ledger: Callable[[str], Ledger],
    dry_run: bool,
) -> None:
    """Issue 25, defect 6: the bomb's 2 GiB are never expanded; reading stops at the 50 MiB
    the parts of a workbook may expand to in all."""
    db, before = ledger_with_a_plan
    path = bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 10 * MB
    line, peak, elapsed = import_measured(
        tmp_path, db, *(["--dry-run"] if dry_run else []), "bomb.xlsx"
    )
    assert line.startswith("recledger: bomb.xlsx: the workbook expands to more than 50 MiB")
    assert "the limit is 50 MiB" in line
    assert peak < PEAK, f"peak {peak / MB:.0f} MB"
    assert elapsed < 20, f"{elapsed:.1f} s"
    assert events(open_ledger, db) == before


def test_a_zip_member_lying_about_its_size_is_refused_in_one_line(
    tmp_path: Path, ledger_with_a_plan: tuple[str, int], open_ledger: Callable[[str], Ledger]
) -> None:
    """Issue 25, defect 6: shared strings declared as 1,000 bytes that expand to 200 MiB are
    read as far as they really go, and refused; a check of the declared sizes would pass."""
    db, before = ledger_with_a_plan
    lying(tmp_path / "lying.xlsx")
    line, peak, _ = import_measured(tmp_path, db, "lying.xlsx")
    assert line.startswith("recledger: lying.xlsx: not a readable .xlsx workbook (Bad CRC-32")
    assert peak < PEAK
    assert events(open_ledger, db) == before


def test_a_workbook_of_more_rows_than_the_limit_is_refused_naming_the_row(
    tmp_path: Path,
) -> None:
    """Issue 25, defect 6: rows are counted as openpyxl reads them."""
    rows = ([str(n), "Review the pathway", "Police", "March 2015", ""] for n in range(MAX_ROWS))
    long_workbook(tmp_path / "long.xlsx", rows)  # with its header: one row too many
    line, peak, _ = import_measured(tmp_path, str(tmp_path / "l.db"), "--dry-run", "long.xlsx")
    assert line == (
        f"recledger: long.xlsx:{MAX_ROWS + 1}: more than {MAX_ROWS:,} rows: the limit is "
        f"{MAX_ROWS:,}"
    )
    assert peak < PEAK


def test_a_workbook_with_a_giant_cell_is_refused_before_openpyxl_holds_it(
    tmp_path: Path,
) -> None:
    """Issue 25, defect 6: a million-character progress update (Excel itself stops at
    32,767), in a column whose text the ledger would store only in part."""
    giant_cell(tmp_path / "giant.xlsx", "Progress. " * 100_000)
    line, _, _ = import_measured(tmp_path, str(tmp_path / "l.db"), "--dry-run", "giant.xlsx")
    assert line == (
        "recledger: giant.xlsx: xl/worksheets/sheet1.xml: a cell of more than 50,000 "
        "characters: the limit is 50,000 characters"
    )


def test_a_workbook_filling_a_column_past_the_limit_is_refused(tmp_path: Path) -> None:
    """Issue 25, defect 6: columns are counted too (a cell in column 201)."""
    workbook(tmp_path / "wide.xlsx", [[*A_RECOMMENDATION, *[""] * 195, "stray"]])
    line, _, _ = import_measured(tmp_path, str(tmp_path / "l.db"), "--dry-run", "wide.xlsx")
    assert line == (
        "recledger: wide.xlsx:2: a cell filled past column 200: the limit is 200 columns"
    )


def test_a_csv_of_millions_of_tiny_rows_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """Issue 25, defect 6: 18 MB of rows of one character each (9 million of them) would be
    held as 9 million lists; they are counted as they are read."""
    with (tmp_path / "tiny.csv").open("w") as file:
        file.write(",".join(HEADER) + "\n" + ",".join(A_RECOMMENDATION) + "\n")
        for _ in range(9):
            file.write("x\n" * 1_000_000)
    line, peak, elapsed = import_measured(tmp_path, str(tmp_path / "l.db"), "--dry-run", "tiny.csv")
    assert (
        line == f"recledger: tiny.csv:{MAX_ROWS + 1}: more than {MAX_ROWS:,} rows: the limit is "
        f"{MAX_ROWS:,}"
    )
    assert peak < PEAK, f"peak {peak / MB:.0f} MB"
    assert elapsed < 20


@pytest.mark.parametrize("length", [MAX_CELL_CHARS + 1, 15 * MB], ids=["50,001", "15 MB"])
def test_a_csv_with_an_enormous_cell_is_refused_naming_its_line(
    tmp_path: Path, length: int
) -> None:
    """Issue 25, defect 6: one quoted cell of 50,001 characters, or of 15 MB."""
    with (tmp_path / "cell.csv").open("w") as file:
        file.write(",".join(HEADER) + "\n" + ",".join(A_RECOMMENDATION[:4]))
        file.write(',"' + "x" * length + '"\n')
    line, peak, _ = import_measured(tmp_path, str(tmp_path / "l.db"), "--dry-run", "cell.csv")
    size = f"{length:,}" if length < 131_072 else "more than 50,000"
    assert line == (
        f"recledger: cell.csv:2: a cell of {size} characters: the limit is 50,000 characters"
    )
    assert peak < PEAK


def test_a_text_document_of_too_many_lines_is_refused(tmp_path: Path) -> None:
    """Issue 25, defect 6: extracted text is held as a list of its lines: counted first."""
    (tmp_path / "lines.txt").write_text("No\tRecommendation\n" + "\n" * MAX_ROWS)
    line, _, _ = import_measured(tmp_path, str(tmp_path / "l.db"), "--dry-run", "lines.txt")
    assert line == (
        f"recledger: lines.txt: more than {MAX_ROWS:,} lines: the limit is {MAX_ROWS:,} rows"
    )
