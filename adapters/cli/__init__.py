"""The ``recledger`` command line: parse arguments, set the audit context, call the ledger."""

from adapters.cli import commands, queries  # noqa: F401  (registers the commands)
from adapters.cli.app import app


def main() -> None:
    """Console entry point."""
    app(prog_name="recledger")
