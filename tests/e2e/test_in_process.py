"""Most CLI tests run ``recledger`` in this process (tests/e2e/in_process.py): here the
installed command, in a process of its own, and the command run in this process answer
alike, to the byte, on the same ledger: its output and refusals, a usage error, help,
and what the environment and the working directory decide."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import seeded
from tests.e2e.in_process import InProcessShell
from tests.e2e.shell import Shell

COMMANDS = [
    ("status", "dhr2", "--as-at", "2014-02", "--json"),
    ("status", "dhr2", "--as-at", "2014-02"),
    ("overdue", "--as-at", "2014-03-01", "--csv"),
    ("history", "dhr2", "overview/3.1"),
    ("raise", "dhr2", "rec 1", "--text", "x"),  # refused: exit 1, one line
    ("history", "dhr2", "overview/99"),  # refused: no such recommendation
    ("raise", "dhr2"),  # a usage error: exit 2
    ("overdue", "--json", "--csv"),  # a usage error of the command's own
    ("status", "--help"),
    ("--version",),
]


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    seed = Path(__file__).resolve().parents[3] / "shared" / "data" / "dhr-case-2-action-plan.txt"
    where = tmp_path_factory.mktemp("alike")
    seeded(str(where / "ledger.db"), seed)
    return where


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_command_answers_alike_in_a_process_and_in_this_one(
    ledger: Path, args: tuple[str, ...]
) -> None:
    real = Shell(ledger)("--db", "ledger.db", *args, ok=False)  # relative: the cwd's
    here = InProcessShell(ledger)("--db", "ledger.db", *args, ok=False)
    assert (here.returncode, here.stdout, here.stderr) == (
        real.returncode,
        real.stdout,
        real.stderr,
    )


def test_the_environment_and_the_working_directory_are_the_commands(tmp_path: Path) -> None:
    """Without ``RECLEDGER_DB``, ``ledger.db`` in the working directory; a variable the
    settings cannot take is refused the same way; the actor is the variable's."""
    for shell in (Shell(tmp_path), InProcessShell(tmp_path)):
        shell.env["RECLEDGER_PROJECTIONS"] = "sometimes"
        refused = shell("plans", ok=False)
        assert (refused.returncode, refused.stdout) == (1, "")
        assert refused.stderr == (
            "recledger: RECLEDGER_PROJECTIONS='sometimes': Input should be 'inline' or 'worker'\n"
        )
        del shell.env["RECLEDGER_PROJECTIONS"]
    Shell(tmp_path, actor="alice")("plan", "open", "p1", "--title", "One")
    InProcessShell(tmp_path, actor="bob")("plan", "open", "p2", "--title", "Two")
    assert (tmp_path / "ledger.db").is_file()
    real = Shell(tmp_path)("audit", "--json").stdout
    assert InProcessShell(tmp_path)("audit", "--json").stdout == real
    assert '"actor": "alice"' in real and '"actor": "bob"' in real
