"""The CLI as a user types it, run in this process (``typer.testing.CliRunner``): the
program's options are moved as ``recledger`` moves them, its output kept apart."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from adapters.cli import where_click_reads_them
from adapters.cli.app import app
from adapters.importing.document import read_document
from adapters.settings import Settings
from adapters.storage import bootstrap
from domain.audit import acting_as_owner


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


def seeded(db: str, seed_plan: Path) -> str:
    """``db`` holding the seed plan, imported by a coordinator; its URL."""
    ledger = bootstrap(Settings(db=db, actor="setup"))
    try:
        with acting_as_owner("coordinator", "test"):
            document, _, _ = read_document(seed_plan)
            ledger.import_document(document)
    finally:
        ledger.close()
    return db
