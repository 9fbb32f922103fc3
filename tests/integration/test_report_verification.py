"""``verify --report`` makes the report again from the log at the head it states and
says which of three happened: genuine; altered, and where; or the log no longer holds
that head. In every format, on both backends (issue 25, defect 2: a report whose body
was changed passed, and one whose head was changed blamed the ledger)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from adapters.reports import render
from adapters.reports.check import check_report
from domain.audit import acting_as_owner
from domain.fuzzy_date import FuzzyDate
from service.command_models import RecordProgress
from service.ledger import Ledger
from tests.attacker import Attacker

OpenLedger = Callable[[str], Ledger]
PLAN_FORMATS = ("html", "md", "csv", "txt", "xlsx")
REF = "imr/west-mercia-police/2"


def _plan(ledger: Ledger, form: str, path: Path) -> Path:
    with acting_as_owner("auditor", "test"):
        report = ledger.plan_as_at("dhr2", date(2014, 2, 28))
    out = path / f"plan.{form}"
    out.write_bytes(render.plan_report(report, form))
    return out


def _edit(path: Path, old: str, new: str) -> None:
    if path.suffix == ".xlsx":
        book = load_workbook(path)
        for sheet in book.worksheets[1:]:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and old in cell.value:
                        cell.value = cell.value.replace(old, new, 1)
                        book.save(path)
                        return
        raise AssertionError(f"{old!r} is in no cell")
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("form", PLAN_FORMATS)
def test_a_report_is_genuine_then_altered_where_its_body_was_changed(
    form: str, hostile: tuple[str, str], open_ledger: OpenLedger, tmp_path: Path
) -> None:
    db, _ = hostile
    ledger = open_ledger(db)
    out = _plan(ledger, form, tmp_path)
    assert check_report(ledger, out).outcome == "genuine"
    with acting_as_owner("coord", "test"):  # the log grows: the report's state stays
        ledger.change(
            "dhr2", REF, RecordProgress(text="Later", effective=FuzzyDate.parse("2014-04-01"))
        )
    assert check_report(ledger, out).outcome == "genuine"

    _edit(out, "in progress", "completed")
    found = check_report(ledger, out)
    assert found.outcome == "altered"
    where = r"sheet '.+', row \d+" if form == "xlsx" else r"line \d+"
    assert re.search(where + r": the report has '.*completed.*' where the log gives", found.detail)


def test_a_changed_head_is_the_reports_alteration_not_the_logs(
    hostile: tuple[str, str], open_ledger: OpenLedger, tmp_path: Path
) -> None:
    db, _ = hostile
    ledger = open_ledger(db)
    out = _plan(ledger, "html", tmp_path)
    head = ledger.head().root.hex()
    out.write_text(out.read_text().replace(head, "ab" * 32))  # the stamp line, not the claim
    found = check_report(ledger, out)
    assert found.outcome == "altered" and "its content no longer matches" in found.detail

    board = tmp_path / "board.md"
    with acting_as_owner("auditor", "test"):
        made = ledger.board_report("dhr2", date(2014, 1, 1), date(2014, 2, 28))
    text = render.board_report(made, "md").decode()
    claim = re.search(r"recledger-report/1:(\S+)", text)
    assert claim is not None
    data = json.loads(base64.urlsafe_b64decode(claim.group(1)))
    data["head"] = "ab" * 32  # the claim too: a forger's whole stamp
    forged = base64.urlsafe_b64encode(
        json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    )
    board.write_text(text.replace(claim.group(1), forged.decode()))
    found = check_report(ledger, board)
    assert found.outcome == "altered"
    assert "but the log, intact, had" in found.detail and "the stamp was changed" in found.detail


def test_a_report_of_a_head_the_log_no_longer_holds_says_the_log_changed(
    db_url: str, open_ledger: OpenLedger, seed_plan: Path, tmp_path: Path
) -> None:
    from adapters.importing.document import read_document

    ledger = open_ledger(db_url)
    with acting_as_owner("coord", "test"):
        ledger.import_document(read_document(seed_plan)[0])
    out = _plan(ledger, "md", tmp_path)
    owner = Attacker(db_url)
    owner.drop_protection()
    owner.tamper("edited", 5)
    found = check_report(open_ledger(db_url), out)
    assert found.outcome == "log changed"
    assert (
        "the log no longer holds the head" in found.detail
        and "edited at position 5" in found.detail
    )


def test_a_report_made_from_edited_read_models_is_named_altered(
    hostile: tuple[str, str], open_ledger: OpenLedger, tmp_path: Path
) -> None:
    """Issue 25, defects 1 and 2: such a report's head is a state of the log, and passed."""
    db, writer = hostile
    Attacker(writer).sql(
        "UPDATE rl_versions SET summary = replace(summary, 'Ch Supt McNevin', 'FORGED LEAD') "
        f"WHERE ref = '{REF}'"
    )
    ledger = open_ledger(db)
    out = _plan(ledger, "html", tmp_path)
    assert "FORGED LEAD" in out.read_text()
    found = check_report(ledger, out)
    assert found.outcome == "altered" and "FORGED LEAD" in found.detail
