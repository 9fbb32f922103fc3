"""Importing other shapes of plan through ``recledger``'s commands (in this process:
tests/e2e/in_process.py).

The plans in ``tests/data/plans`` are invented, in the family of the seed document but
shaped differently: a Safeguarding Adults Review as extracted text (nested numbers, a RAG
column, DD/MM/YYYY dates, agency sections only) and as CSV (and XLSX, built here from the
CSV's rows), and a Child Safeguarding Practice Review. Bad input must be refused in one line.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from adapters.importing.refs import ref_sort_key
from domain.refs import Ref
from tests.e2e.in_process import InProcessShell

PLANS = Path(__file__).parents[1] / "data" / "plans"
SAR_TXT, SAR_CSV = PLANS / "sar-riverton.txt", PLANS / "sar-riverton.csv"
CSPR_TXT = PLANS / "cspr-ashgrove.txt"

ASC, POLICE, NHS = (
    "imr/riverton-adult-social-care",
    "imr/riverton-police",
    "imr/riverton-and-district-nhs-trust",
)
SAR_REFS = [
    f"{ASC}/3", f"{ASC}/21.10.1", f"{ASC}/21.10.2", f"{ASC}/21.2",
    f"{POLICE}/1", f"{POLICE}/2", f"{NHS}/1",
]  # fmt: skip

Json = dict[str, Any]


class Shell(InProcessShell):
    """Runs ``recledger`` on ``<tmp>/ledger.db`` in ``cwd``, as a user would (in this process)."""

    def __init__(self, cwd: Path, db: str = "ledger.db") -> None:
        self.db = str(cwd / db)
        super().__init__(cwd, db=self.db)

    def json(self, *args: str | Path) -> Any:
        return json.loads(self(*args, "--json").stdout)

    def history(self, plan: str, ref: str) -> list[Json]:
        return self.json("history", plan, ref)

    def assert_no_ledger(self) -> None:
        """Nothing was written, not even an empty database, and reading says so."""
        assert not Path(self.db).exists()
        result = self("plans", ok=False)
        assert result.returncode == 1
        assert result.stderr.startswith(f"recledger: there is no ledger at {self.db} ")


@pytest.fixture
def recledger(tmp_path: Path) -> Shell:
    return Shell(tmp_path)


@dataclass(frozen=True)
class Imported:
    """A plan imported into a ledger of its own: the import report, every ref's history."""

    report: Json
    histories: dict[str, list[Json]]
    plans: list[Json]

    def raised(self, ref: str) -> Json:
        return of_type(self.histories[ref], "Raised")[0]["data"]

    def summary(self) -> dict[str, Json]:
        """What the import made of each ref, leaving out how each date was written."""
        return {ref: summary(entries) for ref, entries in self.histories.items()}


def imported(cwd: Path, path: Path, refs: list[str]) -> Imported:
    shell = Shell(cwd, f"{path.suffix[1:]}.db")
    report = shell.json("import", path)
    histories = {ref: shell.history(report["plan"], ref) for ref in refs}
    return Imported(report, histories, shell.json("plans"))


@pytest.fixture(scope="module")
def sar(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    """The SAR text plan imported once; its tests only read."""
    return imported(tmp_path_factory.mktemp("sar"), SAR_TXT, SAR_REFS)


def of_type(entries: list[Json], kind: str) -> list[Json]:
    return [entry for entry in entries if entry["type"] == kind]


def interval(date: Json | None) -> tuple[str | None, str | None] | None:
    return None if date is None else (date["start"], date["end"])


def summary(entries: list[Json]) -> Json:
    data = of_type(entries, "Raised")[0]["data"]
    return {
        "agency": data["agency"],
        "leads": data["leads"],
        "target": interval(data["target"]),
        "updates": [
            (e["data"]["text"], interval(e["effective"]))
            for e in of_type(entries, "ProgressRecorded")
        ],
        "status": [e["type"] for e in entries if e["type"] in ("Completed", "StatusChanged")],
    }


def raised_refs(report: Json) -> list[str]:
    return [e["subject"] for e in report["events"] if e["type"] == "Raised"]


def sar_xlsx(tmp_path: Path) -> Path:
    """The SAR's CSV rows in a workbook, with real date cells in the 'Deadline' column."""
    rows = list(csv.reader(io.StringIO(SAR_CSV.read_text(encoding="utf-8"))))
    deadline = rows[0].index("Deadline")
    workbook = Workbook()
    sheet = workbook.active
    for cells in rows:
        values: list[object] = list(cells)
        if len(cells) > deadline and re.fullmatch(r"\d\d/\d\d/\d{4}", cells[deadline]):
            values[deadline] = datetime.strptime(cells[deadline], "%d/%m/%Y")
        sheet.append(values)
    path = tmp_path / "sar-riverton.xlsx"
    workbook.save(path)
    return path


# --- The SAR as extracted text ------------------------------------------------------------


def test_sar_text_imports_every_section_and_ref_as_written(sar: Imported) -> None:
    assert sar.report["plan"] == "sar7"
    assert sar.report["recommendations"] == 7
    assert sar.report["sections"] == {ASC: 4, POLICE: 2, NHS: 1}
    assert raised_refs(sar.report) == SAR_REFS
    [plan] = sar.plans
    assert (plan["kind"], plan["partnership"]) == ("SAR", "Riverton Safeguarding Adults Board")
    [version] = plan["versions"]
    assert version["label"] == "Version 2 dated 14/03/2016"
    assert interval(version["date"]) == ("2016-03-14", "2016-03-14")


def test_nested_numbers_sort_numerically_not_as_text() -> None:
    refs = [f"{ASC}/21.10.2", f"{ASC}/21.2", f"{ASC}/3", f"{ASC}/21.10.1"]
    numeric = [f"{ASC}/3", f"{ASC}/21.2", f"{ASC}/21.10.1", f"{ASC}/21.10.2"]
    assert sorted(refs, key=ref_sort_key) == numeric
    assert sorted(refs, key=lambda ref: Ref.parse(ref).sort_key) == numeric


def test_agency_comes_from_the_section_heading_when_its_cell_is_blank(sar: Imported) -> None:
    assert sar.raised(f"{ASC}/21.2")["agency"] == "Riverton Adult Social Care"
    assert sar.raised(f"{NHS}/1")["agency"] == "Riverton and District NHS Trust"


@pytest.mark.parametrize(
    ("ref", "leads"),
    [
        (f"{ASC}/21.10.1", ["Priya Nair Principal Social Worker", "Training Manager"]),
        (
            f"{ASC}/21.2",
            [
                "Sam Okafor Head of Safeguarding Adults",
                "Lee Grant Housing Options Manager",
            ],
        ),
        (f"{POLICE}/1", ["DI Claire Moss", "Sgt Ben Tull"]),
        (f"{ASC}/3", ["Sam Okafor, Head of Safeguarding Adults"]),  # one post, one person
        (f"{POLICE}/2", []),
    ],
)
def test_leads_are_split_into_separate_people(sar: Imported, ref: str, leads: list[str]) -> None:
    assert sar.raised(ref)["leads"] == leads


@pytest.mark.parametrize(
    ("ref", "target"),
    [
        (f"{ASC}/21.2", ("2016-09-01", "2016-09-01")),  # 01/09 is 1 September, not 9 January
        (f"{ASC}/3", ("2016-06-30", "2016-06-30")),
        (f"{ASC}/21.10.1", ("2016-12-31", "2016-12-31")),
        (f"{ASC}/21.10.2", None),  # blank target cell
        (f"{POLICE}/1", (None, None)),  # "Ongoing": no deadline
    ],
)
def test_dd_mm_yyyy_targets_are_read_day_first(
    sar: Imported, ref: str, target: tuple[str, str] | None
) -> None:
    assert interval(sar.raised(ref)["target"]) == target


MARCH, APRIL = ("2016-03-01", "2016-03-31"), ("2016-04-01", "2016-04-30")


def test_updates_keep_their_written_dates(sar: Imported) -> None:
    updates = sar.summary()
    assert updates[f"{ASC}/3"]["updates"] == [
        ("escalation guidance redrafted with the Board's policy group.", MARCH),
        ("Guidance issued to all locality teams.", APRIL),
        ("Action completed 12th April 2016.", ("2016-04-12", "2016-04-12")),
    ]
    assert updates[f"{POLICE}/2"]["updates"] == [  # the second one is over a page break
        ("lesson plan drafted with the Board's trainer.", APRIL),
        ("first sessions delivered to two response teams.", ("2016-05-01", "2016-05-31")),
    ]


def test_a_completion_statement_records_completed_with_the_sentence_as_evidence(
    sar: Imported,
) -> None:
    [completed] = of_type(sar.histories[f"{ASC}/3"], "Completed")
    assert interval(completed["effective"]) == ("2016-04-12", "2016-04-12")
    assert "Action completed 12th April 2016." in completed["data"]["evidence"]


def test_an_ongoing_statement_records_a_status_change(sar: Imported) -> None:
    [changed] = of_type(sar.histories[f"{POLICE}/1"], "StatusChanged")
    assert changed["data"]["status"] == "ongoing"
    assert "now ongoing as business as usual" in changed["reason"]
    assert sar.summary()[f"{ASC}/21.10.2"]["status"] == []


def test_rag_ratings_are_reported_not_silently_dropped(sar: Imported) -> None:
    text = " ".join(warning["message"] for warning in sar.report["warnings"])
    assert "RAG" in text
    for ref, rating in [(f"{ASC}/3", "Green"), (f"{ASC}/21.10.2", "Red"), (f"{POLICE}/2", "Amber")]:
        assert f"{ref}={rating}" in text


def test_dry_run_reports_the_events_but_writes_nothing(recledger: Shell) -> None:
    report = recledger.json("import", SAR_TXT, "--dry-run")
    assert report["dry_run"] is True
    assert raised_refs(report) == SAR_REFS
    recledger.assert_no_ledger()


def test_importing_the_same_file_twice_records_nothing_the_second_time(
    recledger: Shell,
) -> None:
    recledger("import", SAR_TXT)
    before = recledger.history("sar7", f"{ASC}/3")
    again = recledger.json("import", SAR_TXT)
    assert (again["already_imported"], again["events"]) == (True, [])
    assert recledger.history("sar7", f"{ASC}/3") == before
    assert len(recledger.json("plans")[0]["versions"]) == 1


# --- The SAR as a spreadsheet -------------------------------------------------------------


@pytest.fixture(scope="module")
def sar_csv(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return imported(tmp_path_factory.mktemp("sar-csv"), SAR_CSV, SAR_REFS)


def test_csv_reads_the_same_recommendations_as_the_text(sar: Imported, sar_csv: Imported) -> None:
    report = sar_csv.report
    # A spreadsheet states no version: its label is the file name and a digest of its content.
    assert report["plan"] == "sar-riverton"
    assert re.fullmatch(r"sar-riverton\.csv \([0-9a-f]{12}\)", report["version"]["label"])
    assert raised_refs(report) == SAR_REFS
    assert sar_csv.summary() == sar.summary()


def test_csv_keeps_quoted_quotes_and_numbers_multi_line_rows_by_their_first_line(
    sar_csv: Imported,
) -> None:
    [update] = of_type(sar_csv.histories[f"{POLICE}/1"], "ProgressRecorded")
    assert update["data"]["text"].startswith('a "Think Family" prompt, seen by every call handler,')
    assert len(of_type(sar_csv.histories[f"{ASC}/3"], "ProgressRecorded")) == 3
    blank_lead = "Riverton Police rec 2: 'Responsible officer' cell is blank"
    assert {"line": 11, "message": blank_lead} in sar_csv.report["warnings"]  # where it starts


def test_xlsx_with_date_cells_reads_the_same_as_the_csv(tmp_path: Path, sar_csv: Imported) -> None:
    from_xlsx = imported(tmp_path, sar_xlsx(tmp_path), SAR_REFS)
    assert raised_refs(from_xlsx.report) == SAR_REFS
    assert from_xlsx.report["version"]["label"].startswith("sar-riverton.xlsx (")
    assert from_xlsx.raised(f"{ASC}/21.2")["target"]["text"] == "2016-09-01"  # a date cell
    assert from_xlsx.summary() == sar_csv.summary()


def test_an_edited_spreadsheet_of_the_same_name_records_its_changes(tmp_path: Path) -> None:
    path = tmp_path / "sar-riverton.csv"
    path.write_text(SAR_CSV.read_text(encoding="utf-8"), encoding="utf-8")
    shell = Shell(tmp_path)
    shell("import", path, "--version-date", "2016-03-14")
    path.write_text(path.read_text(encoding="utf-8").replace("01/09/2016", "31/10/2016"))
    report = shell.json("import", path, "--version-date", "2016-05-01")
    assert [(e["subject"], e["type"]) for e in report["events"]] == [
        ("sar-riverton", "DocumentVersionRecorded"),
        (f"{ASC}/21.2", "TargetDateRevised"),
    ]


@pytest.mark.parametrize("delimiter", [";", "\t"], ids=["semicolons", "tabs"])
def test_csv_with_other_delimiters_reads_the_same(
    tmp_path: Path, sar_csv: Imported, delimiter: str
) -> None:
    rows = csv.reader(io.StringIO(SAR_CSV.read_text(encoding="utf-8")))
    path = tmp_path / "sar-riverton.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, delimiter=delimiter).writerows(rows)
    report = Shell(tmp_path).json("import", path, "--dry-run")
    raised = [e["data"] for e in report["events"] if e["type"] == "Raised"]
    assert [(r["ref"], r["agency"], r["leads"]) for r in raised] == [
        (ref, sar_csv.raised(ref)["agency"], sar_csv.raised(ref)["leads"]) for ref in SAR_REFS
    ]


# --- A Child Safeguarding Practice Review -------------------------------------------------

CSPR_REFS = [
    "overview/1", "overview/2", "imr/ashgrove-childrens-services/1",
    "imr/ashgrove-childrens-services/2", "imr/ashgrove-community-health/1",
]  # fmt: skip


@pytest.fixture(scope="module")
def cspr(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return imported(tmp_path_factory.mktemp("cspr"), CSPR_TXT, CSPR_REFS)


def test_cspr_imports_its_overview_and_agency_sections(cspr: Imported) -> None:
    assert cspr.report["plan"] == "cspr4"
    assert cspr.report["sections"] == {
        "overview": 2,
        "imr/ashgrove-childrens-services": 2,
        "imr/ashgrove-community-health": 1,
    }
    assert raised_refs(cspr.report) == CSPR_REFS
    assert cspr.plans[0]["kind"] == "CSPR"
    assert interval(cspr.report["version"]["date"]) == ("2024-01-05", "2024-01-05")


def test_cspr_blank_leads_stay_blank_and_named_leads_are_split(cspr: Imported) -> None:
    got = cspr.summary()
    assert got["overview/2"]["leads"] == []
    assert got["overview/2"]["agency"] == "All agencies"
    assert got["overview/2"]["target"] == ("2024-09-01", "2024-11-30")  # Autumn 2024
    assert got["imr/ashgrove-childrens-services/2"]["leads"] == []
    assert got["imr/ashgrove-childrens-services/2"]["agency"] == "Ashgrove Children's Services"
    assert got["imr/ashgrove-childrens-services/1"]["leads"] == [
        "Rosa Lindqvist Head of Service",
        "Team Manager Front Door",
    ]
    assert got["imr/ashgrove-community-health/1"]["leads"] == [
        "Named Nurse Safeguarding Children",
        "Kofi Mensah Health Visiting Lead",
    ]


def test_cspr_statuses_follow_what_the_updates_say(cspr: Imported) -> None:
    got = cspr.summary()
    assert got["imr/ashgrove-childrens-services/1"]["status"] == ["Completed"]
    assert got["imr/ashgrove-childrens-services/2"]["status"] == ["StatusChanged"]
    assert got["overview/1"]["status"] == []


def test_cspr_undated_update_is_dated_no_later_than_the_version(cspr: Imported) -> None:
    [update] = of_type(cspr.histories["imr/ashgrove-childrens-services/2"], "ProgressRecorded")
    assert update["effective"]["inferred"] is True
    assert update["effective"]["end"] == "2024-01-05"


# --- Bad input ----------------------------------------------------------------------------

HEADER = "Recommendation\tLead agency\tLead officer\tTarget date\n"


def damaged_xlsx() -> bytes:
    """A real workbook whose sheet XML was cut in half."""
    buffer = io.BytesIO()
    Workbook().save(buffer)
    source, out = zipfile.ZipFile(io.BytesIO(buffer.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for name in source.namelist():
            data = source.read(name)
            damaged.writestr(name, data[: len(data) // 2] if "worksheets/" in name else data)
    return out.getvalue()


BAD_INPUT = [
    ("empty.txt", b"", None, "the file is empty"),
    ("blank.txt", b"  \n\t\n \r\n", None, "the file is empty"),
    ("nul.txt", HEADER.encode() + b"Recommendation 1\x00\x00\x01", 2, "this is a binary file"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", 3, "this is a binary file"),
    ("notzip.xlsx", b"Recommendation,Addressed to\n", None, "not a readable .xlsx workbook"),
    ("damaged.xlsx", damaged_xlsx(), None, "not a readable .xlsx workbook"),
    ("header-only.txt", b"SAR 9 Action Plan\n\n" + HEADER.encode(), 3, "no recommendations found"),
    ("header-only.csv", b"Recommendation,Addressed to,Deadline\n", 1, "no recommendations found"),
    (
        "unclosed-quote.csv",
        b'Recommendation,Addressed to\n"Recommendation 1 Audit,Police\nRecommendation 2 x,Police\n',
        2,
        "malformed CSV: a quoted cell opened in the record starting here is never closed",
    ),
    (
        "row-before-header.txt",
        b"Recommendation 1 Audit referrals\tPolice\tDI Moss\tJuly 2016\n" + HEADER.encode(),
        1,
        "a recommendation row comes before any column header row",
    ),
    (
        "latin1.txt",
        HEADER.encode() + b"Recommendation 1 Caf\xe9 staff\tPolice\tDI Moss\tJuly 2016\n",
        2,
        "not UTF-8 text (byte 0xe9)",
    ),
    ("utf16.txt", HEADER.encode("utf-16"), 1, "UTF-16 text, not UTF-8"),
]


@pytest.mark.parametrize(
    ("name", "content", "line", "message"), BAD_INPUT, ids=[case[0] for case in BAD_INPUT]
)
def test_bad_input_is_refused_in_one_line_naming_file_and_line(
    recledger: Shell, tmp_path: Path, name: str, content: bytes, line: int | None, message: str
) -> None:
    (tmp_path / name).write_bytes(content)
    result = recledger("import", name, ok=False)
    where = name if line is None else f"{name}:{line}"
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"recledger: {where}: ")
    assert message in result.stderr
    recledger.assert_no_ledger()


def test_a_missing_file_is_refused_as_not_found_exit_1(recledger: Shell) -> None:
    # Exit 1, not Typer's usage error 2: the command was typed right, the file is not there.
    result = recledger("import", "no-such-plan.txt", ok=False)
    assert result.returncode == 1
    assert result.stderr == (
        "recledger: no-such-plan.txt: cannot read the file: No such file or directory\n"
    )
    recledger.assert_no_ledger()


@pytest.mark.parametrize(
    ("encoded", "read_as"),
    [
        (lambda text: text.encode("cp1252"), "cp1252 (not UTF-8: detected)"),
        (lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), "UTF-8 with a byte-order mark"),
        (lambda text: text.encode("utf-16"), "UTF-16"),
    ],
    ids=["windows-1252", "utf-8-bom", "utf-16"],
)
def test_csv_from_excel_on_windows_imports_and_says_its_encoding(
    recledger: Shell, tmp_path: Path, encoded: Any, read_as: str
) -> None:
    text = (
        "Recommendation,Addressed to,Lead officer,Target date\r\n"
        '"Recommendation 1 The Board\u2019s guide \u2013 caf\u00e9 budget \u00a35",Board,'
        "Ren\u00e9e O\u2019Neil,July 2016\r\n"
    )
    (tmp_path / "excel.csv").write_bytes(encoded(text))
    report = recledger.json("import", "excel.csv")
    assert report["encoding"] == read_as
    [raised] = recledger.history(report["plan"], "overview/1")[:1]
    assert raised["data"]["text"] == "The Board\u2019s guide \u2013 caf\u00e9 budget \u00a35"
    assert raised["data"]["leads"] == ["Ren\u00e9e O\u2019Neil"]
    assert f"read as: {read_as}" in recledger("import", "excel.csv", "--dry-run").stdout
