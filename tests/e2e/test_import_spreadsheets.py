"""The spreadsheets coordinators keep, as CSV and as XLSX: a number column, theme rows,
Status and action columns, progress with UK dates, no agency column, Windows-1252 and a
byte-order mark. The tables are in ``tests/data/spreadsheets``."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from tests.e2e.test_import_shapes import Shell, of_type

TABLES = Path(__file__).parents[1] / "data" / "spreadsheets"
THEMES = TABLES / "sar-cumbria-themes-cp1252.csv"
NO_AGENCY = TABLES / "dhr-no-agency.csv"
ACTIONS = TABLES / "dhr-actions-bom.csv"
ROW_PER_ACTION = TABLES / "sar-row-per-action.csv"

Json = dict[str, Any]


def as_xlsx(csv_path: Path, tmp_path: Path, encoding: str) -> Path:
    """The CSV's rows in a workbook, as Excel would hold them: numbers as numbers, dates as
    date cells."""
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding=encoding))))
    workbook = Workbook()
    sheet = workbook.active
    for cells in rows:
        values: list[object] = []
        for cell in cells:
            if re.fullmatch(r"\d\d/\d\d/\d{4}", cell):
                values.append(datetime.strptime(cell, "%d/%m/%Y"))
            elif re.fullmatch(r"\d+", cell):
                values.append(int(cell))
            elif re.fullmatch(r"\d+\.\d", cell):
                values.append(float(cell))
            else:
                values.append(cell)
        sheet.append(values)
    path = tmp_path / csv_path.with_suffix(".xlsx").name
    workbook.save(path)
    return path


def table(tmp_path: Path, csv_path: Path, kind: str, encoding: str = "utf-8") -> Path:
    return csv_path if kind == "csv" else as_xlsx(csv_path, tmp_path, encoding)


def views(shell: Shell, plan: str) -> dict[str, Json]:
    return {view["ref"]: view for view in shell.json("status", plan)}


def warnings(report: Json) -> list[tuple[int, str]]:
    return [(w["line"], w["message"]) for w in report["warnings"]]


KINDS = pytest.mark.parametrize("kind", ["csv", "xlsx"])


@KINDS
def test_a_number_column_and_theme_rows_make_refs_and_themes_never_text(
    tmp_path: Path, kind: str
) -> None:
    shell = Shell(tmp_path)
    path = table(tmp_path, THEMES, kind, "cp1252")
    report = shell.json("import", path, "--plan", "sar9", "--version-date", "2020-01-31")
    found = views(shell, "sar9")
    assert list(found) == [
        "overview/1", "overview/2", "overview/2.1", "overview/3a", "overview/4",
        "overview/21.10.1",
    ]  # fmt: skip
    leadership, processes = (
        "Theme 1 \u2013 Leadership \u2013 Cumbria wide",
        "Theme 2 \u2013 Processes \u2013 Cumbria wide",
    )
    assert [view["theme"] for view in found.values()] == [leadership] * 2 + [processes] * 4
    assert report["themes"] == {leadership: 2, processes: 4}
    assert found["overview/1"]["text"] == (
        "The Safeguarding Adults Board should publish a self-neglect strategy."
    )
    assert not any("Theme" in view["text"] for view in found.values())
    assert found["overview/2.1"]["agency"] == "Cumbria County Council Adult Social Care"
    assert found["overview/2.1"]["leads"] == ["Principal Social Worker"]
    # The row with no number is reported with its line and glued onto nothing.
    line = 12 if kind == "csv" else 9  # a CSV record may span lines; a sheet row may not
    assert (line, "row cannot be placed: it has no number; text kept here: 'Housing providers "
            "should share tenancy concerns early. | Riverside Housing | Tenancy Manager | "
            + ("30/06/2019'" if kind == "csv" else "2019-06-30'")) in warnings(report)  # fmt: skip
    assert (
        found["overview/3a"]["text"] == "GP practices should flag patients known to self-neglect."
    )
    assert report["encoding"] == ("cp1252 (not UTF-8: detected)" if kind == "csv" else None)
    assert shell.json("history", "sar9", "overview/3a")[0]["data"]["ref"] == "overview/3a"


@KINDS
def test_a_status_column_records_completion_ongoing_and_stated_status(
    tmp_path: Path, kind: str
) -> None:
    shell = Shell(tmp_path)
    path = table(tmp_path, THEMES, kind, "cp1252")
    report = shell.json("import", path, "--plan", "sar9", "--version-date", "2020-01-31")
    found = views(shell, "sar9")
    assert {ref: view["status"] for ref, view in found.items()} == {
        "overview/1": "completed",  # Complete
        "overview/2": "in_progress",  # In progress
        "overview/2.1": "open",  # Not started, though it has an update
        "overview/3a": "completed",  # Achieved
        "overview/4": "open",  # Deferred: not a status the ledger knows
        "overview/21.10.1": "ongoing",  # Embedded
    }
    [completed] = of_type(shell.json("history", "sar9", "overview/1"), "Completed")
    assert completed["data"]["evidence"] == "inferred from: 'Status: Complete'"
    assert completed["effective"]["end"] == "2019-03-31" and completed["effective"]["inferred"]
    [ongoing] = of_type(shell.json("history", "sar9", "overview/21.10.1"), "StatusChanged")
    assert ongoing["reason"] == "inferred from: 'Status: Embedded'"
    assert ongoing["effective"]["text"] == "no later than 2020-01-31"  # no dated evidence
    [(line, deferred)] = [w for w in warnings(report) if "Deferred" in w[1]]
    assert line == (13 if kind == "csv" else 10) and deferred.startswith(
        "overview/4: status 'Deferred' is not one"
    )
    [rag] = [w for w in warnings(report) if "RAG ratings are not recorded" in w[1]]
    assert "overview/2=Amber" in rag[1] and "overview/2.1=Red" in rag[1]


@KINDS
def test_actions_become_sub_actions_and_progress_is_split_on_uk_dates(
    tmp_path: Path, kind: str
) -> None:
    shell = Shell(tmp_path)
    path = table(tmp_path, THEMES, kind, "cp1252")
    shell.json("import", path, "--plan", "sar9", "--version-date", "2020-01-31")
    found = views(shell, "sar9")
    assert [a["text"] for a in found["overview/2"]["sub_actions"]] == [
        "Draft the protocol", "Train 200 practitioners", "Audit its use",
    ]  # fmt: skip
    assert [a["text"] for a in found["overview/1"]["sub_actions"]] == [
        "Draft, consult on and publish the strategy."
    ]
    dated = {
        ref: [(u["effective"]["start"], u["text"]) for u in view["updates"]]
        for ref, view in found.items()
    }
    assert dated["overview/1"] == [
        ("2018-11-26", "Draft strategy agreed by the Board\u2019s policy group."),
        ("2019-03-31", "Strategy published on the Board\u2019s website."),
    ]
    assert dated["overview/2"] == [("2019-08-05", "Protocol drafted; training provider booked.")]
    assert dated["overview/2.1"] == [
        ("2019-08-05", "Field specified; awaiting the system supplier.")
    ]


@KINDS
def test_a_table_with_no_agency_column_imports_with_the_agency_unknown(
    tmp_path: Path, kind: str
) -> None:
    shell = Shell(tmp_path)
    report = shell.json("import", table(tmp_path, NO_AGENCY, kind), "--plan", "dhr8")
    assert (1, "header row has no column for: agency; the agency of each recommendation is "
            "left unknown") in warnings(report)  # fmt: skip
    found = views(shell, "dhr8")
    assert [(v["ref"], v["agency"], v["leads"]) for v in found.values()] == [
        ("overview/1", "", ["DCI Amy Lowe"]),
        ("overview/2", "", ["Insp Raj Patel", "Sgt Lee Fox"]),
    ]
    [update] = found["overview/1"]["updates"]
    assert (update["effective"]["start"], update["text"]) == (
        "2019-11-26",
        "Pathway mapped with the IDVA service.",
    )


@KINDS
def test_action_required_by_agency_beside_a_lead_agency_column_is_the_action(
    tmp_path: Path, kind: str
) -> None:
    shell = Shell(tmp_path)
    report = shell.json("import", table(tmp_path, ACTIONS, kind, "utf-8-sig"), "--plan", "dhr9")
    if kind == "csv":
        assert report["encoding"] == "UTF-8 with a byte-order mark"
    found = views(shell, "dhr9")
    first = found["overview/1"]
    assert first["agency"] == "Community Safety Partnership"
    assert [(a["text"], a["leads"], a["target"]["text"]) for a in first["sub_actions"]] == [
        ("Circulate the checklist", ["CSP Manager"], "April 2015"),
        ("Audit its use in six months", ["Performance Officer"], "October 2015"),
    ]
    assert first["status"] == "ongoing"
    assert found["overview/1.1"]["status"] == "completed"  # Closed
    # Closed: no later than the latest date its row gives (its target; 98% in May 2015)
    assert found["overview/1.1"]["completed"]["text"] == "no later than July 2015"
    assert found["overview/2"]["status"] == "open"  # Not started
    assert not any("not recognised" in message for _, message in warnings(report))


@KINDS
def test_a_table_with_a_row_per_action_pairs_each_action_with_its_lead_and_target(
    tmp_path: Path, kind: str
) -> None:
    shell = Shell(tmp_path)
    report = shell.json("import", table(tmp_path, ROW_PER_ACTION, kind), "--plan", "sar5")
    found = views(shell, "sar5")
    assert list(found) == ["overview/1", "overview/2"]
    first = found["overview/1"]
    assert first["text"] == "Agencies should improve how they assess the risk of domestic abuse."
    assert first["agency"] == "Riverton Police; Riverton Health"
    assert first["leads"] == ["DI Claire Moss", "Sgt Ben Fox", "Dr Asha Rao"]
    assert [(a["text"], a["leads"], a["target"]["end"]) for a in first["sub_actions"]] == [
        ("Adopt the DASH risk checklist for every incident", ["DI Claire Moss"], "2020-03-31"),
        ("Audit the use of DASH", ["Sgt Ben Fox"], "2020-06-30"),
        ("Train GPs in routine enquiry", ["Dr Asha Rao"], "2020-12-31"),
    ]
    assert first["target"]["end"] == "2020-12-31" and first["target"]["inferred"]
    assert [(u["effective"]["start"], u["text"]) for u in first["updates"]] == [
        ("2019-11-26", "Checklist adopted in the control room.")
    ]
    assert not any("duplicate ref" in message for _, message in warnings(report))


def test_a_workbook_that_opens_with_a_guidance_sheet_is_read_from_its_plan_sheet(
    tmp_path: Path,
) -> None:
    source = as_xlsx(ROW_PER_ACTION, tmp_path, "utf-8")
    workbook = load_workbook(source)
    guidance = workbook.create_sheet("Guidance", 0)
    guidance.append(["How to complete this action plan"])
    guidance.append(["Use one row per action; RAG is Red, Amber or Green."])
    workbook.worksheets[1].title = "Action plan"
    path = tmp_path / "with-guidance.xlsx"
    workbook.save(path)
    shell = Shell(tmp_path)
    report = shell.json("import", path, "--plan", "sar5")
    assert (1, "read the sheet 'Action plan': the first with a plan's table") in warnings(report)
    assert list(views(shell, "sar5")) == ["overview/1", "overview/2"]


def test_a_cover_sheet_whose_summary_row_looks_like_column_headers_is_not_the_table(
    tmp_path: Path,
) -> None:
    """ "Recommendations | 2 (and 3 actions)" names two roles, as a header row does; with no
    recommendation under it, the plan is read from the sheet that has one."""
    source = as_xlsx(ROW_PER_ACTION, tmp_path, "utf-8")
    workbook = load_workbook(source)
    cover = workbook.create_sheet("Summary", 0)
    cover.append(["Title", "Safeguarding Adults Review 5"])
    cover.append(["Recommendations", "2 (and 3 actions)"])
    workbook.worksheets[1].title = "Action plan"
    path = tmp_path / "with-summary.xlsx"
    workbook.save(path)
    shell = Shell(tmp_path)
    report = shell.json("import", path, "--plan", "sar5")
    assert (1, "read the sheet 'Action plan': the first with a plan's table") in warnings(report)
    assert list(views(shell, "sar5")) == ["overview/1", "overview/2"]
    assert report["recommendations"] == 2
    assert shell.json("plans")[0]["title"] == "Safeguarding Adults Review 5"  # the cover's
