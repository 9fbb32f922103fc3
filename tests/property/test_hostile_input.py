"""Generated hostile input: every document either imports cleanly or is refused with one
line, and a refusal writes nothing; the same for every CLI argument taking a date, a ref
or a plan id. Never a traceback.

Example counts are bounded for the normal suite; ``RECLEDGER_FUZZ_SCALE=20`` (say) runs
each property twenty times longer, for a release.
"""

from __future__ import annotations

import codecs
import io
import os
import random
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from typer.testing import CliRunner

from adapters.cli.app import app
from adapters.importing.document import read_document
from adapters.settings import Settings
from adapters.storage import bootstrap
from domain.audit import acting_as_owner
from domain.errors import LedgerError
from domain.fuzzy_date import FuzzyDate
from service.ledger import Ledger

SCALE = int(os.environ.get("RECLEDGER_FUZZ_SCALE", "1"))


def bounded(examples: int) -> settings:
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
            HealthCheck.data_too_large,
        ],
    )


@pytest.fixture(scope="module")
def ledger() -> Iterator[Ledger]:
    with tempfile.TemporaryDirectory() as tmp:
        opened = bootstrap(Settings(db=str(Path(tmp) / "fuzz.db"), actor="fuzzer"))
        yield opened
        opened.close()


def import_or_refuse(ledger: Ledger, name: str, content: bytes) -> str:
    """Import ``content`` as file ``name``: "imported" or "refused"; a refusal must be one
    line naming the file, and must leave the log as it was."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(content)
        before = ledger.position()
        try:
            with acting_as_owner("fuzzer", "test"):
                document, _, _ = read_document(path, plan_id=f"fuzz{random.getrandbits(48)}")
                ledger.import_document(document)
        except LedgerError as refusal:
            message = str(refusal)
            assert message and "\n" not in message, message
            assert name in message, f"the refusal does not name the file: {message}"
            assert ledger.position() == before  # all or nothing
            return "refused"
    return "imported"


# Text tables: lines of tab-separated cells from pieces real plans have, and broken ones.
CELLS = [
    "Recommendation", "Action Required by Agency", "Implementation Lead", "Target date",
    "Summary of Action Taken & Date", "Status", "No", "#", "RAG", "Theme 1 - Practice",
    "Recommendation No 1 Train staff.", "Recommendation No 21.10.1", "Rec 3a", "1", "2.1",
    "Action 1.1: audit", "West Mercia Police", "Agency: West Mercia Police",
    "Overview Report Recommendations", "DCI Smith / Dr Amy Fox and Named Nurse", "July 2014",
    "30th Feb 2014", "Ongoing", "Update Feb 2014: done.", "Update no later than 2014:",
    "August 2013. Started", "Action completed 1st April 2013", "Completed", "withdrawn",
    "<p>", "</p>", "<ul><li>• one", "<ol><li>1. a</li>", "&amp;", "&#0;", "<script>x</script>",
    "Page 3 of 9", "Confidential", "", " ", "\u00a0", "\u200b", "é", "\ufeff", "x" * 5000,
]  # fmt: skip
text_lines = st.lists(st.sampled_from(CELLS), max_size=8).map("\t".join)
text_documents = st.lists(text_lines, min_size=1, max_size=40).map("\n".join)

SEED = Path(__file__).parents[2].parent / "shared" / "data" / "dhr-case-2-action-plan.txt"


@st.composite
def seed_mutations(draw: st.DrawFn) -> bytes:
    """The real plan with lines deleted, duplicated, swapped or cut, bytes inserted, or the
    file truncated."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "cut", "insert", "tabs"]))
        if kind == "delete":
            del lines[at]
        elif kind == "duplicate":
            lines.insert(at, lines[at])
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif kind == "cut":
            lines[at] = lines[at][: draw(st.integers(0, len(lines[at])))]
        elif kind == "insert":
            lines.insert(at, draw(st.text(max_size=200)))
        else:
            lines[at] = lines[at].replace("\t", draw(st.sampled_from(["", "\t\t", " "])))
        if not lines:
            lines = [""]
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    return text.encode("utf-8", errors="surrogatepass")


@bounded(60)
@given(document=text_documents)
def test_generated_text_tables_import_cleanly_or_are_refused_in_one_line(
    ledger: Ledger, document: str
) -> None:
    import_or_refuse(ledger, "plan.txt", document.encode("utf-8", errors="surrogatepass"))


@bounded(40)
@given(content=seed_mutations())
def test_the_seed_plan_mutated_imports_cleanly_or_is_refused_in_one_line(
    ledger: Ledger, content: bytes
) -> None:
    import_or_refuse(ledger, "seed.txt", content)


# Spreadsheets: odd headers, encodings, empty and huge cells.
HEADERS = [
    *("Recommendation", "No.", "Lead agency", "Owner", "Due date", "Progress", "Status"),
    *("RAG", "", "Recommendation Recommendation", "Target;date", '"quoted"', "=SUM(A1)"),
]
spreadsheet_cells = st.one_of(
    st.sampled_from(CELLS),
    st.text(max_size=60),
    st.integers(30_000, 32_000).map(lambda n: "x" * n),  # near Excel's limit of 32,767
    st.none(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=False),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
)
tables = st.tuples(
    st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
    st.lists(st.lists(spreadsheet_cells, max_size=9), max_size=12),
)
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]


def _csv_text(value: object) -> str:
    text = "" if value is None else str(value)
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


@bounded(50)
@given(table=tables, encoding=st.sampled_from(ENCODINGS), delimiter=st.sampled_from(",;\t"))
def test_generated_csv_imports_cleanly_or_is_refused_in_one_line(
    ledger: Ledger, table: tuple[list[str], list[list[object]]], encoding: str, delimiter: str
) -> None:
    header, rows = table
    lines = [delimiter.join(_csv_text(c) for c in row) for row in [header, *rows]]
    text = "\n".join(lines)
    content = text.encode(encoding, errors="replace")
    if encoding == "utf-16" and not content.startswith(codecs.BOM_UTF16_LE + b""):
        content = codecs.BOM_UTF16_LE + text.encode("utf-16-le", errors="replace")
    import_or_refuse(ledger, "plan.csv", content)


@bounded(30)
@given(sheets=st.lists(tables, min_size=1, max_size=3), cover=st.booleans())
def test_generated_workbooks_import_cleanly_or_are_refused_in_one_line(
    ledger: Ledger, sheets: list[tuple[list[str], list[list[object]]]], cover: bool
) -> None:
    book = Workbook()
    first = book.active
    assert first is not None
    if cover:
        first.append(["Title", "Domestic Homicide Review 9"])
        first.append(["As at", "31st June 2014"])
    for index, (header, rows) in enumerate(sheets):
        sheet = first if index == 0 and not cover else book.create_sheet()
        for row in [header, *rows]:
            sheet.append([_xlsx_value(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    import_or_refuse(ledger, "plan.xlsx", out.getvalue())


def _xlsx_value(value: object) -> object:
    if isinstance(value, str):  # what openpyxl itself refuses to store is not a document
        return "".join(c for c in value if c >= " " or c in "\t\n\r")
    return value


@bounded(30)
@given(content=st.binary(max_size=2000), name=st.sampled_from(["x.txt", "x.csv", "x.xlsx"]))
def test_arbitrary_bytes_under_any_extension_are_refused_in_one_line(
    ledger: Ledger, content: bytes, name: str
) -> None:
    import_or_refuse(ledger, name, content)


# The fuzzy-date parser and every CLI argument taking a date, a ref or a plan id.


@bounded(300)
@given(text=st.text(max_size=80))
def test_the_fuzzy_date_parser_never_raises_and_a_typed_date_is_refused_cleanly(
    text: str,
) -> None:
    FuzzyDate.parse(text)
    try:
        FuzzyDate.given(text)
    except LedgerError as refusal:
        assert "\n" not in str(refusal)


@pytest.fixture(scope="module")
def seeded_db() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "cli.db")
        ledger = bootstrap(Settings(db=db, actor="setup"))
        with acting_as_owner("setup", "test"):
            document, _, _ = read_document(SEED)
            ledger.import_document(document)
        ledger.close()
        yield db


hostile = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "-", "--", "2014-02-30", "9999-99-99", "overview/", "imr//1",
                     "../../etc", "dhr2\x00", "overview/1" + "0" * 500, "1e9", "NaN"]),
)  # fmt: skip
COMMANDS = [
    lambda v: ["status", "dhr2", "--as-at", v],
    lambda v: ["status", "dhr2", "--known-at", v],
    lambda v: ["overdue", "dhr2", "--as-at", v],
    lambda v: ["status", v],
    lambda v: ["history", "dhr2", v],
    lambda v: ["changes", "dhr2", "--since", v],
    lambda v: ["update", "dhr2", "overview/1", "--text", "t", "--effective", v],
    lambda v: ["update", "dhr2", v, "--text", "t", "--effective", "2014-02-01"],
    lambda v: ["retarget", "dhr2", "overview/1", "--target", v, "--reason", "r"],
    lambda v: ["export", v, "--format", "md", "-o", "/dev/null"],
    lambda v: ["board-report", "dhr2", "--since", v, "-o", "/dev/null"],
]


@bounded(120)
@given(value=hostile, command=st.sampled_from(range(len(COMMANDS))))
def test_cli_arguments_taking_a_date_ref_or_plan_id_answer_or_refuse_in_one_line(
    seeded_db: str, value: str, command: int
) -> None:
    args = COMMANDS[command](value)
    env = {"RECLEDGER_DB": seeded_db, "RECLEDGER_ACTOR": "fuzzer"}
    result = CliRunner().invoke(app, args, env=env, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args!r} raised {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2), (args, result.output)
    if result.exit_code == 1:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        refusals = [line for line in lines if line.startswith("recledger:")]
        notes = [line for line in lines if line.startswith("note:")]  # said before running
        assert len(refusals) == 1 and len(refusals) + len(notes) == len(lines), result.stderr
    assert "Traceback" not in result.output
