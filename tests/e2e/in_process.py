"""The CLI as a user types it, run in this process (``typer.testing.CliRunner``): the
program's options are moved as ``recledger`` moves them, its output kept apart."""

from __future__ import annotations

from typer.testing import CliRunner, Result

from adapters.cli import where_click_reads_them
from adapters.cli.app import app


class Recledger:
    """``recledger`` on the ledger ``db``, as ``actor``, at a terminal ``columns`` wide."""

    def __init__(self, db: str, actor: str = "coordinator", columns: int = 100) -> None:
        self.env = {"RECLEDGER_DB": db, "RECLEDGER_ACTOR": actor, "COLUMNS": str(columns)}

    def __call__(self, *args: str, code: int = 0) -> Result:
        result = CliRunner().invoke(
            app, where_click_reads_them(list(args)), env=self.env, catch_exceptions=False
        )
        assert result.exit_code == code, (args, result.stdout, result.stderr)
        return result
