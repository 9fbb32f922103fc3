"""``--help`` lays out each description as the paragraphs written, wrapped once to the
terminal (issue 31, item 6.6: the command list broke "an item of its own (REF.N) that
every / command takes" where the docstring's line ended, then wrapped again)."""

from __future__ import annotations

import inspect
from itertools import pairwise

import pytest
from typer.testing import CliRunner

from adapters.cli import commands
from adapters.cli.app import app

ADD_ACTION = inspect.cleandoc(commands.add_action.__doc__ or "").split("\n\n")[0]


def help_text(*command: str, columns: int) -> list[str]:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def early_breaks(cell: list[str], width: int) -> list[str]:
    """The lines of a wrapped paragraph that end before they must: the next one's first
    word would have fitted after them."""
    return [
        line
        for line, after in pairwise(cell)
        if line.strip()
        and after.strip()
        and len(line.rstrip()) + 1 + len(after.split()[0]) <= width
    ]


def listing(lines: list[str]) -> dict[str, list[str]]:
    """The Commands panel: each command's description, as its lines in the panel."""
    start = next(i for i, line in enumerate(lines) if line.startswith("╭─ Commands"))
    rows = lines[start + 1 : next(i for i in range(start, len(lines)) if lines[i][0] == "╰")]
    column = min(len(row) - len(row[2:].lstrip(" ").split(" ", 1)[-1].lstrip()) for row in rows)
    found: dict[str, list[str]] = {}
    name = ""
    for row in rows:
        name = row[2:column].strip() or name
        found.setdefault(name, []).append(row[column : row.rindex("│")])
    return found


@pytest.mark.parametrize("columns", [80, 100, 140])
def test_every_commands_description_in_the_list_is_wrapped_once(columns: int) -> None:
    for name, cell in listing(help_text(columns=columns)).items():
        width = len(cell[0]) - 1  # the panel's padding
        assert not early_breaks(cell, width), (name, cell)


def test_a_description_reads_as_its_first_paragraph_at_a_normal_width() -> None:
    cell = listing(help_text(columns=100))["add-action"]
    assert " ".join(" ".join(cell).split()) == " ".join(ADD_ACTION.split())
    wide = "\n".join(help_text(columns=140))
    assert "an item of its own (REF.N) that every command takes." in wide


def test_a_commands_own_help_keeps_its_paragraphs_and_wraps_each_once() -> None:
    lines = help_text("correct", columns=60)
    description = lines[lines.index(next(x for x in lines if "Usage:" in x)) + 2 :]
    description = description[: next(i for i, x in enumerate(description) if "╭" in x)]
    paragraphs = "\n".join(line.strip() for line in description).strip().split("\n\n")
    assert len(paragraphs) == 2 and paragraphs[1].startswith("Each kind of event allows")
    assert not early_breaks([line.strip() for line in description], 60 - 2)
