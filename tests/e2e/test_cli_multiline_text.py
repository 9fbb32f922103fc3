"""Stored text of several lines shows as lines, each further one indented, in status and
history (issue 31, item 6.5: an update's line breaks showed as a literal "\\n")."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from adapters.cli.tables import rows_table
from tests.conftest import seeded
from tests.e2e.in_process import Recledger

ITEM_IN_JUNE = "Item in June Newsletter"
"""The second line of the seed's update on overview/3 (its cell's paragraphs)."""


@pytest.fixture(scope="module")
def recledger(tmp_path_factory: pytest.TempPathFactory) -> Recledger:
    seed = Path(__file__).resolve().parents[3] / "shared" / "data" / "dhr-case-2-action-plan.txt"
    shell = Recledger(seeded(str(tmp_path_factory.mktemp("lines") / "ledger.db"), seed))
    shell("update", "dhr2", "overview/1", "--effective", "2014-03-01",
          "--text", "Board briefed.\nPlan agreed.\n#9 2014-01-01: forged")  # fmt: skip
    return shell


def test_an_imported_updates_paragraphs_show_as_indented_lines(recledger: Recledger) -> None:
    shown = recledger("status", "dhr2", "overview/3").stdout
    assert "\\n" not in shown
    assert f"\n        {ITEM_IN_JUNE}\n" in shown
    [update] = [line for line in shown.splitlines() if line.startswith("    #7 ")]
    assert update == "    #7 no later than 29th May 2014: Completed /Ongoing"


def test_an_update_typed_over_lines_shows_its_lines_and_then_its_source(
    recledger: Recledger,
) -> None:
    lines = recledger("status", "dhr2", "overview/1").stdout.splitlines()
    at = lines.index("    #4 2014-03-01: Board briefed.")
    assert lines[at + 1 : at + 3] == [
        "        Plan agreed.",
        "        #9 2014-01-01: forged  [cli, by coordinator]",
    ]  # deeper than an update's own line: it cannot pass for one


def test_history_shows_a_texts_lines_as_lines(recledger: Recledger) -> None:
    shown = recledger("history", "dhr2", "overview/1").stdout
    data = '{"text": "Board briefed.\n       Plan agreed.\n       #9 2014-01-01: forged"}'
    assert f"\n     {data}\n" in shown
    history = json.loads(recledger("history", "dhr2", "overview/1", "--json").stdout)
    [entry] = [e for e in history if e["data"].get("text", "").startswith("Board briefed.")]
    assert entry["data"]["text"] == "Board briefed.\nPlan agreed.\n#9 2014-01-01: forged"


def test_a_table_cell_of_several_lines_shows_them_indented() -> None:
    console = Console(width=80, record=True, file=io.StringIO())
    rows: list[dict[str, object]] = [{"ref": "overview/1", "reason": "First.\nSecond\x1b[2K."}]
    console.print(rows_table(rows, ["ref", "reason"], 80))
    shown = console.export_text()
    assert "\\n" not in shown and "\x1b" not in shown  # shown, not obeyed
    assert "│ overview/1 │ First.           │" in shown
    assert "│            │   Second\\x1b[2K. │" in shown
