"""Reports on the seed, on both backends: the plan as it stood (HTML, Markdown, CSV, XLSX)
and the board report, each stamped with a head that ``verify --report`` confirms; the same
files from the API and the pages, within each token's scope."""

from __future__ import annotations

import csv
import io
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from adapters.reports.render import board_report, plan_report
from adapters.reports.shape import read_stamp
from adapters.settings import Settings
from adapters.storage import bootstrap
from domain.audit import acting_as_owner
from domain.errors import InvalidCommand
from domain.fuzzy_date import FuzzyDate
from service.command_models import Correct, RecordProgress, ReviseTarget
from service.ledger import Ledger
from tests.e2e.in_process import InProcessShell
from tests.web.conftest import OWN, Seeded, auth

FEB = "Feb 2014: "
MARCH = "Sergeants briefed on the March 2014 delivery plan"


@pytest.fixture
def ledger(seeded: Seeded) -> Ledger:
    found = bootstrap(Settings(db=seeded.db, actor="test"))
    with acting_as_owner("Clare Coordinator", "test"):
        found.change(
            "dhr2", OWN, RecordProgress(text=MARCH, effective=FuzzyDate.given("2014-03-20"))
        )
        found.change(
            "dhr2",
            OWN,
            ReviseTarget(
                target=FuzzyDate.given("June 2014"),
                reason="HMIC review",
                effective=FuzzyDate.given("2014-03-15"),
            ),
        )
    yield found
    found.close()


def text_of(ledger: Ledger, as_at: date, form: str) -> str:
    with acting_as_owner("Audrey Auditor", "test"):
        return plan_report(ledger.plan_as_at("dhr2", as_at), form).decode()


@pytest.mark.parametrize("form", ["html", "md", "csv"])
def test_the_plan_as_at_a_date_holds_that_dates_updates_and_no_later_ones(
    ledger: Ledger, form: str
) -> None:
    december = text_of(ledger, date(2013, 12, 31), form)
    february = text_of(ledger, date(2014, 2, 28), form)
    march = text_of(ledger, date(2014, 3, 31), form)
    assert FEB not in december and MARCH not in december
    assert february.count(FEB) >= 5 and MARCH not in february
    assert MARCH in march
    for text in (december, february):
        assert "As at" in text or "as at" in text
        assert read_stamp(text) is not None


def test_the_header_ties_the_report_to_the_log(ledger: Ledger) -> None:
    with acting_as_owner("Audrey Auditor", "test"):
        report = ledger.plan_as_at("dhr2", date(2014, 2, 28))
    html = plan_report(report, "html").decode()
    head = ledger.head()
    assert read_stamp(html) == (head.size, head.root)
    assert "Audrey Auditor" in html and "2014-02-28" in html
    assert f"{report.events} in this plan" in html and report.events == head.size - 4
    assert 'name="recledger-stamp"' in html and "<script" not in html and "<link" not in html


def test_xlsx_has_a_sheet_per_section_frozen_headers_wrapped_text_and_rag_fills(
    ledger: Ledger,
) -> None:
    with acting_as_owner("Audrey Auditor", "test"):
        content = plan_report(ledger.plan_as_at("dhr2", date(2014, 2, 28)), "xlsx")
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == [
        "Report",
        "Overview",
        "IMR West Mercia Police",
        "IMR CRI Pathway to Recovery",
    ]
    sheet = book["IMR West Mercia Police"]
    assert sheet["A1"].value == "Agency: West Mercia Police"  # the heading the importer reads
    assert sheet.freeze_panes == "A3" and sheet["A2"].value == "Recommendation"
    assert all(cell.alignment.wrap_text for cell in sheet[3])
    rags = {row[6].value: row[6].fill.fgColor.rgb for row in sheet.iter_rows(min_row=3)}
    assert rags.get("Red", "").endswith("FFC7CE")
    assert "(corrected)" not in str([c.value for c in sheet["C"]])


def test_csv_has_a_row_per_item_with_the_documents_columns(ledger: Ledger) -> None:
    rows = list(csv.DictReader(io.StringIO(text_of(ledger, date(2014, 2, 28), "csv"))))
    assert len(rows) == 28  # 20 recommendations and 8 sub-actions
    assert rows[0]["Ref"] == "overview/1" and rows[0]["Target date for Completion"] == "July 2014"
    assert all(read_stamp(row["Stamp"]) for row in rows)


def test_a_corrected_value_is_marked_as_corrected(ledger: Ledger) -> None:
    with acting_as_owner("Clare Coordinator", "test"):
        ledger.change("dhr2", OWN, Correct(event="1", reason="typo", text="Fixed wording"))
    text = text_of(ledger, date(2014, 2, 28), "md")
    assert "Recommendation No 6 Fixed wording (corrected)" in text
    with acting_as_owner("Audrey Auditor", "test"):
        content = plan_report(ledger.plan_as_at("dhr2", date(2014, 2, 28)), "xlsx")
    sheet = load_workbook(io.BytesIO(content))["IMR West Mercia Police"]
    [cell] = [row[0] for row in sheet.iter_rows() if "Fixed wording" in str(row[0].value)]
    assert cell.value == "Recommendation No 6 Fixed wording"  # bare, so it imports as it is
    assert cell.font.italic and "Corrected: typo (Clare Coordinator" in cell.comment.text


def test_the_board_report_lists_what_changed_between_two_meetings(ledger: Ledger) -> None:
    with acting_as_owner("Audrey Auditor", "test"):
        board = ledger.board_report("dhr2", date(2014, 1, 1), date(2014, 3, 31))
    md = board_report(board, "md").decode()
    assert (len(board.updates), len(board.bounded_updates)) == (9, 6) and MARCH in md
    # the six dated only "no later than Feb 2014" are apart; each row names its item
    assert "## Updates dated only no later than a day in the period (6)" in md
    assert "| imr/west-mercia-police/1 | To Develop an analytical product" in md
    assert all(row.entry.effective.only_bounds for row in board.bounded_updates)
    assert "September 2013 → June 2014" in md and "HMIC review" in md
    assert "## Newly overdue" in md and "## Overdue at the end of the period" in md
    assert read_stamp(md) is not None and read_stamp(board_report(board, "html").decode())


def test_the_board_report_shows_changes_as_corrected_and_the_corrections_recorded(
    ledger: Ledger,
) -> None:
    """A retracted update is not listed; an amended update or retarget is listed as amended
    and marked; the corrections themselves are listed in the period they were recorded."""
    with acting_as_owner("Clare Coordinator", "test"):
        history = ledger.history("dhr2", OWN)
        march = next(e for e in history if e.data.get("text") == MARCH)
        retarget = next(e for e in history if e.type == "TargetDateRevised")
        ledger.change("dhr2", OWN, Correct(event=march.event_id, reason="not ours", retract=True))
        ledger.change(
            "dhr2",
            OWN,
            Correct(event=retarget.event_id, reason="misread", target=FuzzyDate.given("July 2014")),
        )
    with acting_as_owner("Audrey Auditor", "test"):
        then = ledger.board_report("dhr2", date(2014, 3, 1), date(2014, 3, 31))
        now = ledger.board_report("dhr2", date(2014, 3, 1), date.today())
    md = board_report(then, "md").decode()
    assert MARCH not in md and "## New progress updates (0)" in md
    assert "September 2013 → July 2014 (corrected)" in md and "June 2014" not in md
    assert "## Corrections recorded (0)" in md  # recorded now, not in March 2014
    md = board_report(now, "md").decode()
    assert "## Corrections recorded (2)" in md
    assert f"event {march.sequence} retracted | not ours | Clare Coordinator" in md
    assert f"event {retarget.sequence}: target June 2014 → July 2014 | misread" in md


def test_the_board_report_compares_with_the_day_before_the_period(ledger: Ledger) -> None:
    """overview/2's target, December 2013, is overdue from 2014-01-01: in a period starting
    that day it became overdue, and the counts before the period do not hold it overdue."""
    with acting_as_owner("Audrey Auditor", "test"):
        board = ledger.board_report("dhr2", date(2014, 1, 1), date(2014, 1, 31))
        later = ledger.board_report("dhr2", date(2014, 1, 2), date(2014, 1, 31))
    assert "overview/2" in {row.ref for row in board.newly_overdue}
    assert "overview/2" not in {row.ref for row in later.newly_overdue}
    assert board.counts["after"]["overdue"] - board.counts["before"]["overdue"] == len(
        board.newly_overdue
    )


def test_a_period_from_the_first_day_on_the_calendar_has_nothing_before_it(
    ledger: Ledger,
) -> None:
    with acting_as_owner("Audrey Auditor", "test"):
        board = ledger.board_report("dhr2", date.min, date(2014, 2, 28))
    assert board.counts["before"]["items"] == 0 and len(board.updates) >= 14


def test_a_period_that_ends_before_it_starts_is_refused(ledger: Ledger, seeded: Seeded) -> None:
    with acting_as_owner("Audrey Auditor", "test"), pytest.raises(InvalidCommand, match="ends"):
        ledger.board_report("dhr2", date(2014, 3, 1), date(2014, 2, 28))
    board = ("board-report", "dhr2", "--since", "2014-03-01", "--until", "2014-02-28")
    refused = recledger(*board, "-o", os.devnull, db=seeded.db)
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "recledger: the period ends (2014-02-28) before it starts (2014-03-01)"
    )


def test_board_report_since_a_month_counts_from_its_first_day(
    ledger: Ledger, seeded: Seeded, tmp_path: Path
) -> None:
    """--since 2014-03 is from 1 March: the update effective 2014-03-20 and the retarget
    effective 2014-03-15 are in it (a month as an as-at date would be its last day)."""
    out = tmp_path / "march.md"
    board = ("board-report", "dhr2", "--since", "2014-03", "--until", "2014-03")
    made = recledger(*board, "--format", "md", "-o", str(out), db=seeded.db)
    assert made.returncode == 0, made.stderr
    assert "from 2014-03-01 to 2014-03-31: progress updates 1," in made.stdout
    md = out.read_text()
    assert MARCH in md and "September 2013 → June 2014" in md


def test_an_export_before_the_plan_had_recommendations_says_so(ledger: Ledger) -> None:
    for form in ("html", "md"):
        text = text_of(ledger, date(2012, 1, 1), form)
        assert "none had been raised as at 2012-01-01" in text
    assert "Recommendations:** 20, with" in text_of(ledger, date(2014, 2, 28), "md")


def recledger(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    """``recledger`` as the auditor, in this process (tests/e2e/in_process.py)."""
    return InProcessShell(Path.cwd(), db=db, actor="auditor")(*args, ok=False)


def test_verify_report_confirms_every_formats_head_and_refuses_an_altered_one(
    ledger: Ledger, seeded: Seeded, tmp_path: Path
) -> None:
    for form in ("html", "md", "csv", "xlsx", "txt"):
        out = tmp_path / f"plan.{form}"
        made = recledger(
            "export",
            "dhr2",
            "--as-at",
            "2014-02-28",
            "--format",
            form,
            "-o",
            str(out),
            db=seeded.db,
        )
        assert made.returncode == 0, made.stderr
        checked = recledger("verify", "--report", str(out), db=seeded.db)
        assert checked.returncode == 0, checked.stderr
        assert ": genuine: it is what the log said at position" in checked.stdout
    for form in ("html", "md", "xlsx"):
        out = tmp_path / f"board.{form}"
        board = ("board-report", "dhr2", "--since", "2014-01-01", "--until", "2014-02-28")
        made = recledger(*board, "--format", form, "-o", str(out), db=seeded.db)
        assert made.returncode == 0, made.stderr
        assert recledger("verify", "--report", str(out), db=seeded.db).returncode == 0
    sheets = load_workbook(tmp_path / "board.xlsx").sheetnames
    assert sheets[:3] == ["Report", "Counts", "Updates"]
    with acting_as_owner("Clare Coordinator", "test"):  # the log grows: the report's state stays
        ledger.change(
            "dhr2", OWN, RecordProgress(text="Later", effective=FuzzyDate.given("2014-04-01"))
        )
    assert recledger("verify", "--report", str(tmp_path / "plan.md"), db=seeded.db).returncode == 0
    html = (tmp_path / "plan.html").read_text()
    _, root = read_stamp(html) or (0, b"")
    forged = html.replace(root.hex(), ("0" * 64))
    (tmp_path / "forged.html").write_text(forged)
    refused = recledger("verify", "--report", str(tmp_path / "forged.html"), db=seeded.db)
    assert refused.returncode == 1 and "altered" in refused.stderr
    (tmp_path / "none.html").write_text("<p>hello</p>")
    refused = recledger("verify", "--report", str(tmp_path / "none.html"), db=seeded.db)
    assert refused.returncode == 1 and "not a recledger report" in refused.stderr


def test_the_api_and_the_pages_give_the_same_reports_within_a_tokens_scope(
    client: TestClient, seeded: Seeded
) -> None:
    headers = auth(seeded.tokens["auditor"])
    base = "/api/plans/dhr2/export?as_at=2014-02-28"
    for form, media in (
        ("html", "text/html"),
        ("md", "text/markdown"),
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats"),
        ("txt", "text/plain"),
    ):
        answer = client.get(f"{base}&format={form}", headers=headers)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media)
        assert f'filename="dhr2-as-at-2014-02-28.{form}"' in answer.headers["content-disposition"]
    html = client.get(base, headers=headers).text
    assert FEB in html and "Audrey Auditor" in html
    board = client.get(
        "/api/plans/dhr2/board-report?since=2014-01-01&until=2014-02-28&format=md",
        headers=headers,
    )
    assert board.status_code == 200 and "## New progress updates (8)" in board.text
    backwards = client.get(
        "/api/plans/dhr2/board-report?since=2014-03-01&until=2014-02-28", headers=headers
    )
    assert backwards.status_code == 422 and "before it starts" in backwards.text
    assert client.get(base, headers=auth(seeded.tokens["scoped"])).status_code == 404
    assert client.get(f"{base}&format=pdf", headers=headers).status_code == 422
    from tests.web.test_pages import sign_in

    sign_in(client, seeded.tokens["auditor"])
    page = client.get("/plans/dhr2?as_at=2014-02-28").text
    assert "/plans/dhr2/export?format=xlsx&amp;as_at=2014-02-28" in page
    download = client.get("/plans/dhr2/export?format=html&as_at=2014-02-28")
    assert download.status_code == 200 and FEB in download.text
    board_page = client.get("/plans/dhr2/board-report?since=2014-01-01&until=2014-02-28")
    assert board_page.status_code == 200 and "New progress updates (8)" in board_page.text
