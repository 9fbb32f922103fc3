"""Listings at a real (pseudo-)terminal are tables with a header row and an ellipsis where a
value is cut; piped, they stay plain lines for scripts (issue 8, item 6)."""

from __future__ import annotations

import os
import pty
import re
import subprocess
from pathlib import Path

import pytest

from tests.e2e.shell import RECLEDGER, Shell

SEED = Path(__file__).resolve().parents[3] / "shared" / "data" / "dhr-case-2-action-plan.txt"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Shell:
    shell = Shell(tmp_path_factory.mktemp("tables"), db="ledger.db")
    shell("import", str(SEED))
    return shell


def at_a_terminal(shell: Shell, *args: str, columns: int) -> str:
    """What ``recledger`` prints to a terminal ``columns`` wide, colours stripped."""
    master, slave = pty.openpty()
    env = {**shell.env, "COLUMNS": str(columns), "LINES": "60", "TERM": "xterm"}
    result = subprocess.run(
        [RECLEDGER, *args], cwd=shell.cwd, env=env, stdout=slave, stderr=subprocess.PIPE,
        check=False,
    )  # fmt: skip
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # the terminal closed: all is read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert result.returncode == 0, result.stderr
    return ANSI.sub("", b"".join(chunks).decode())


def test_status_at_a_terminal_is_a_table_that_fits_with_a_header_and_leads(seeded: Shell) -> None:
    table = at_a_terminal(seeded, "status", "dhr2", "--as-at", "2014-02", columns=150)
    lines = table.splitlines()
    assert all(len(line) <= 150 for line in lines)
    header = next(line for line in lines if "Ref" in line)
    for name in ("Ref", "Status", "RAG", "Target", "Overdue", "Leads", "Last update", "Agency"):
        assert name in header
    assert "Det Supt HQ PVP" in table  # the leads column
    assert "…" in table  # a long value is cut with an ellipsis, not wrapped or dropped
    rows = [line for line in lines if "overview/" in line or "imr/" in line]
    assert len(rows) == 28  # 20 recommendations and 8 sub-actions, each under its own
    assert "│   overview/3.1 " in table  # indented under overview/3


def test_a_narrow_terminal_keeps_the_table_within_its_width(seeded: Shell) -> None:
    table = at_a_terminal(seeded, "overdue", "dhr2", "--as-at", "2014-03-01", columns=100)
    assert all(len(line) <= 100 for line in table.splitlines())
    assert "Leads" in table and "Agency" not in table


def test_leads_at_a_terminal_have_a_header_row(seeded: Shell) -> None:
    table = at_a_terminal(seeded, "agencies", "dhr2", "--as-at", "2014-03-01", columns=120)
    assert re.search(r"Agency\s*┃\s*Open\s*┃\s*Overdue\s*┃\s*Completed", table)


def test_piped_output_stays_plain_lines(seeded: Shell) -> None:
    piped = seeded("status", "dhr2", "--as-at", "2014-02").stdout
    assert "┃" not in piped and "│" not in piped
    assert len(piped.splitlines()) == 28  # 20 recommendations and 8 sub-actions


def test_plans_and_changes_at_a_terminal_have_a_header_row(seeded: Shell) -> None:
    plans = at_a_terminal(seeded, "plans", columns=120)
    assert re.search(r"Plan\s*┃\s*Kind\s*┃\s*Title\s*┃\s*Latest version", plans)
    assert "dhr2" in plans
    changes = at_a_terminal(
        seeded, "changes", "dhr2", "--since", "2014-02-28", "--until", "2014-02-28", columns=140
    )
    assert re.search(r"Ref\s*┃\s*Type\s*┃\s*Effective\s*┃\s*Recorded at\s*┃\s*Actor", changes)
    assert "ProgressRecorded" in changes
