"""``-o FILE`` of every command that writes a file, and ``-o -`` for standard output
(issue 31, item 6.1: ``board-report -o -`` wrote a file named "-")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup, TyperOption

from adapters.cli.app import app
from adapters.cli.output_file import OUT_HELP
from tests.conftest import seeded
from tests.e2e.in_process import Recledger


@pytest.fixture
def recledger(tmp_path: Path, seed_plan: Path, monkeypatch: pytest.MonkeyPatch) -> Recledger:
    monkeypatch.chdir(tmp_path)  # where a file named "-" would land
    return Recledger(seeded(str(tmp_path / "ledger.db"), seed_plan))


@pytest.mark.parametrize(
    ("command", "starts"),
    [
        (("board-report", "dhr2", "--since", "2014-01-01", "--format", "md"), b"# "),
        (("export", "dhr2", "--as-at", "2014-02-28", "--format", "html"), b"<!doctype html>"),
        (("export", "dhr2", "--format", "xlsx"), b"PK"),
        (("checkpoint",), b'{\n  "statement"'),
        (("prove", "dhr2", "overview/1", "1"), b"{"),
        (("export-log",), b'{"'),
        (("backup",), b"SQLite format 3"),
    ],
)
def test_dash_as_the_out_file_writes_to_standard_output_and_says_so_on_stderr(
    recledger: Recledger, tmp_path: Path, command: tuple[str, ...], starts: bytes
) -> None:
    result = recledger(*command, "-o", "-")
    assert result.stdout_bytes.lower().startswith(starts.lower()), result.stdout_bytes[:80]
    assert not (tmp_path / "-").exists()
    if command[0] != "prove":  # a proof is the output itself, as without -o
        assert "standard output" in result.stderr


def test_the_report_on_standard_output_is_the_report_written_to_a_file(
    recledger: Recledger, tmp_path: Path
) -> None:
    board = ("board-report", "dhr2", "--since", "2014-01-01", "--until", "2014-03-31")
    recledger(*board, "--format", "md", "-o", "board.md")
    piped = recledger(*board, "--format", "md", "-o", "-").stdout
    written = (tmp_path / "board.md").read_text()
    assert _without_stamp(piped) == _without_stamp(written)  # made at another moment


def test_a_file_named_dash_is_written_when_asked_as_a_path(
    recledger: Recledger, tmp_path: Path
) -> None:
    recledger("export", "dhr2", "--format", "md", "-o", "./-")
    assert (tmp_path / "-").read_text().startswith("# ")


def test_every_out_option_is_the_shared_one() -> None:
    """A command that writes a file takes ``-o`` as every other does: "-" included."""
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    found = {
        name: option
        for name, command in group.commands.items()
        for option in command.params
        if "--out" in option.opts
    }
    assert {"export", "board-report", "checkpoint", "prove", "export-log", "backup"} <= set(found)
    for name, option in found.items():
        assert isinstance(option, TyperOption) and option.opts == ["-o", "--out"], name
        assert option.help is not None and option.help.endswith(OUT_HELP), name


def _without_stamp(text: str) -> str:
    """A report without what differs between two makings: when, and its claim."""
    made = ("recledger-report/1:", "Generated at")
    return "\n".join(line for line in text.splitlines() if not any(m in line for m in made))


def test_a_proof_written_to_a_file_is_the_one_printed(recledger: Recledger, tmp_path: Path) -> None:
    printed = recledger("prove", "dhr2", "overview/1", "1").stdout
    recledger("prove", "dhr2", "overview/1", "1", "-o", "proof.json")
    assert json.loads((tmp_path / "proof.json").read_text()) == json.loads(printed)
