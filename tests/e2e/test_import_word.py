"""Importing Word (.docx) action plans through ``recledger import`` (in this process:
tests/e2e/in_process.py), on a SQLite file and on PostgreSQL.

The documents are made here with python-docx (tests/documents.py), shaped like real plans:
a title block above the table, section rows merged across it, cells of several
paragraphs and list items, the column headers repeated where a page breaks, a running
footer naming the version. The seed's Word form is the seed text's rows written as a
Word table.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from tests.documents import (
    POLICE_SECTION,
    RIVERTON,
    Between,
    cells_of,
    seed_shape,
    track_change,
    write_docx,
)
from tests.e2e.imported import VERSION, Json, Shell, by_ref, comparable

REC_1_LINE, REC_2_LINE = 6, 7
"""The document's lines of Overview recs 1 and 2: three title paragraphs, then the rows
(the section row, the headers, rec 1): the table's rows 3 and 4."""


@pytest.fixture
def shell(tmp_path: Path, db_url: str) -> Shell:
    return Shell(tmp_path, db=db_url)


def events_of(report: Json) -> list[str]:
    return [event["type"] for event in report["events"]]


def warnings_of(report: Json) -> list[tuple[int, str]]:
    return [(warning["line"], warning["message"]) for warning in report["warnings"]]


@pytest.fixture(scope="module")
def seed_docx(tmp_path_factory: pytest.TempPathFactory, seed_plan_path: Path) -> Path:
    shape = seed_shape(seed_plan_path.read_text(encoding="utf-8"))
    return write_docx(shape, tmp_path_factory.mktemp("word") / "dhr-case-2-action-plan.docx")


@pytest.fixture(scope="module")
def seed_plan_path() -> Path:
    from tests.conftest import SEED_PLAN

    return SEED_PLAN


@pytest.fixture(scope="module")
def text_status(tmp_path_factory: pytest.TempPathFactory, seed_plan_path: Path) -> Any:
    """The seed text imported into a ledger of its own: its status views."""
    reference = Shell(tmp_path_factory.mktemp("text"), db="text.db")
    reference("import", seed_plan_path)
    return reference.json("status", "dhr2")


def test_the_seed_as_word_reads_as_its_title_block_sections_and_footer_say(
    tmp_path: Path, seed_docx: Path
) -> None:
    report = Shell(tmp_path).json("import", seed_docx, "--dry-run")
    assert report["plan"] == "dhr2" and report["version"]["label"] == VERSION
    assert report["version"]["date"]["start"] == "2014-05-29"
    assert report["sections"] == {
        "overview": 12, "imr/west-mercia-police": 6, "imr/cri-pathway-to-recovery": 2,
    }  # fmt: skip
    messages = [message for _, message in warnings_of(report)]
    assert not any("header" in message or "above the table" in message for message in messages)


@pytest.mark.parametrize("first", ["text", "word"])
def test_the_seeds_word_form_imports_as_its_text_and_either_after_the_other_adds_nothing(
    shell: Shell, seed_docx: Path, seed_plan_path: Path, text_status: Any, first: str
) -> None:
    documents = {"text": seed_plan_path, "word": seed_docx}
    second = "word" if first == "text" else "text"
    imported = shell.json("import", documents[first])
    assert len(imported["events"]) > 60
    after_first = shell.json("status", "dhr2")
    assert comparable(after_first) == comparable(text_status)
    again = shell.json("import", documents[second], "--version", f"{VERSION}, as {second}")
    assert events_of(again) == ["DocumentVersionRecorded"]
    assert comparable(shell.json("status", "dhr2")) == comparable(after_first)


def test_a_plan_of_merged_sections_lists_and_repeated_headers_imports_as_written(
    shell: Shell, tmp_path: Path
) -> None:
    path = write_docx(RIVERTON, tmp_path / "dhr7.docx")
    report = shell.json("import", path, "--plan", "dhr7")
    assert report["version"]["label"] == "Version 3 dated 14th March 2019"
    assert report["sections"] == {"overview": 2, "imr/riverton-police": 1}
    [plan] = [p for p in shell.json("plans") if p["plan"] == "dhr7"]
    assert plan["title"] == "Domestic Homicide Review 7 (Adult A)"
    assert plan["partnership"] == "Riverton Community Safety Partnership"
    found = by_ref(shell.json("status", "dhr7"))
    assert [(u["effective"]["text"], u["text"]) for u in found["overview/1"]["updates"]] == [
        ("June 2018", "Draft strategy circulated to partners for comment."),
        ("January 2019", "Strategy agreed by the board and published."),
    ]
    # Word's own numbering (a "List Number" list) makes the sub-actions 2.1 and 2.2.
    assert [s["text"] for s in found["overview/2"]["sub_actions"]] == [
        "Agree a training plan with each agency",
        "Deliver the training to front line staff",
    ]
    assert found["overview/2"]["leads"] == ["Training Lead", "Named Nurse Safeguarding"]
    # The row after the repeated headers continues recommendation 2's progress; its
    # opening list item is a line of its own, never glued onto the sentence before it.
    assert [(u["effective"]["text"], u["text"]) for u in found["overview/2"]["updates"]] == [
        (
            "October 2018",
            "Training plan agreed with four agencies.\n"
            "health visitors and school nurses trained first",
        ),
        ("March 2019", "40 staff trained so far."),
    ]
    police = found["imr/riverton-police/1"]
    assert (police["agency"], police["status"]) == ("Riverton Police", "completed")
    assert police["completed"]["start"] == "2019-02-01"
    assert not any("header" in message for _, message in warnings_of(report))


def test_a_plan_in_a_table_a_section_under_the_title_block_again_reads_as_one_table(
    tmp_path: Path, shell: Shell
) -> None:
    """The seed's own layout: each section on a new page, the title block and the
    "Agency: X" heading above a table of its own; a document-control table above the
    plan is not the plan, and what it says is reported."""
    rows = [
        Between((*RIVERTON.title, "Agency: Riverton Police")) if r == POLICE_SECTION else r
        for r in RIVERTON.rows
    ]
    shape = replace(RIVERTON, rows=tuple(rows))
    path = write_docx(shape, tmp_path / "dhr7-tables.docx")
    document = Document(str(path))
    control = document.add_table(rows=2, cols=3)
    texts = [("Version", "Date", "Author"), ("3", "14/03/2019", "J Smith")]
    for control_row, row_texts in zip(control.rows, texts, strict=True):
        for at, text in zip(control_row.cells, row_texts, strict=True):
            at.text = text
    document.element.body.insert(0, control._tbl)  # above the title block
    glossary = document.add_table(rows=2, cols=2)  # below the plan
    for at, text in zip(glossary._cells, ("Term", "Meaning", "IDVA", "Advocate"), strict=True):
        at.text = text
    document.save(str(path))
    report = shell.json("import", path, "--plan", "dhr7")
    assert report["sections"] == {"overview": 2, "imr/riverton-police": 1}
    unread = "text above the table not read as title, partnership or version"
    assert warnings_of(report)[:2] == [
        (1, f"{unread}: 'Version Date Author'"),
        (2, f"{unread}: '3 14/03/2019 J Smith'"),
    ]
    assert warnings_of(report)[-1][1] == (
        "a table of 2 rows that is not the plan's was not read (no recommendations under a "
        "header row); its first row: 'Term | Meaning'"
    )
    in_tables = comparable(shell.json("status", "dhr7"))
    single = Shell(tmp_path, db=str(tmp_path / "single.db"))
    single("import", write_docx(RIVERTON, tmp_path / "dhr7.docx"), "--plan", "dhr7")
    assert in_tables == comparable(single.json("status", "dhr7"))


def test_a_table_in_a_cell_and_a_tracked_change_are_reported_and_only_current_text_read(
    shell: Shell, tmp_path: Path
) -> None:
    path = write_docx(RIVERTON, tmp_path / "dhr7.docx")
    document = Document(str(path))
    track_change(cells_of(document, REC_2_LINE - 3)[5], deleted="March 2019", inserted="June 2019")
    nested = cells_of(document, REC_1_LINE - 3)[6].add_table(rows=2, cols=2)
    texts = [("Date", "Update"), ("February 2019", "Launch held")]
    for nested_row, row_texts in zip(nested.rows, texts, strict=True):
        for at, text in zip(nested_row.cells, row_texts, strict=True):
            at.text = text
    document.save(str(path))
    report = shell.json("import", path, "--plan", "dhr7")
    [tracked] = [m for line, m in warnings_of(report) if line == REC_2_LINE and "cell 6" in m]
    assert tracked.startswith("cell 6 ('Target date'): tracked changes not accepted or rejected")
    assert "inserted 'June 2019'; deleted 'March 2019'" in tracked
    [nested_at] = [m for line, m in warnings_of(report) if line == REC_1_LINE and "cell 7" in m]
    assert nested_at.startswith("cell 7 ('Progress update'): a table inside the cell (2 rows)")
    found = by_ref(shell.json("status", "dhr7"))
    assert found["overview/2"]["target"]["text"] == "June 2019"  # inserted text is current
    assert "March 2019" not in json.dumps(found["overview/2"]["target"])
    updates = [(u["effective"]["text"], u["text"]) for u in found["overview/1"]["updates"]]
    assert updates[-1] == ("February 2019", "Launch held")  # the table's row, kept


def test_a_damaged_or_false_docx_is_refused_in_one_line_naming_it(
    tmp_path: Path, seed_docx: Path
) -> None:
    damaged = tmp_path / "damaged.docx"
    damaged.write_bytes(seed_docx.read_bytes()[:4000])
    not_word = tmp_path / "notes.docx"
    not_word.write_text("Recommendation\tAgency\n1\tPolice\n", encoding="utf-8")
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(seed_docx) as source, zipfile.ZipFile(bomb, "w") as out:
        for name in source.namelist():
            data = source.read(name)
            if name == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b"<w:p/>" * 3_000_000)
            out.writestr(name, data, zipfile.ZIP_DEFLATED)
    no_table = tmp_path / "letter.docx"
    letter = Document()
    letter.add_paragraph("Dear colleagues, the action plan is attached.")
    letter.save(str(no_table))
    shell = Shell(tmp_path, db=str(tmp_path / "ledger.db"))
    for path, why in (
        (no_table, "the document has no table"),
        (damaged, "not a readable .docx document (File is not a zip file)"),
        (not_word, "not a readable .docx document (File is not a zip file)"),
        (bomb, "more than 200,000 XML elements"),
    ):
        result = shell("import", path, ok=False)
        assert result.returncode == 1 and result.stdout == ""
        assert result.stderr.startswith(f"recledger: {path}: ") and why in result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "ledger.db").exists()
