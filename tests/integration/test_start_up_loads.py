"""What a command that only reads loads at start-up (issue 26: `recledger status` within 2x
`import typer, sqlalchemy`): none of what only a write, a check, a table on a terminal, a
PostgreSQL ledger or another use case needs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from adapters.settings import Settings
from adapters.storage import bootstrap
from domain.audit import acting_as_owner

NOT_FOR_A_QUERY = (
    "pydantic_settings",  # the settings read their variables themselves
    "cryptography",  # the key signs, checks and seals only when asked to
    "icu",  # look-alike names are compared only when a token is issued
    "rich",  # a table is drawn only on a terminal
    "psycopg",  # PostgreSQL's module loads only for a PostgreSQL ledger
    "adapters.stores.postgres",
    "service.integrity",  # the use cases a query does not run
    "service.reports",
    "service.importing",
    "service.audit_trail",
    "service.command_models",  # the commands as values: only a write builds them
    "rapidfuzz",  # texts and names compared: said before, the closest names an import suggests
    # the write model: the aggregates and their events' classes load to change an
    # aggregate or to apply events to the read models, never to read them
    "domain.recommendation",
    "domain.recommendation_events",
    "domain.fold",
    "domain.plan",
    "domain.person",
    "domain.agency",
    "domain.access_token",
    "domain.command_key",
)

_LOADED = """
import sys
from adapters.cli import main
watched = sys.argv[2:]
sys.argv = ["recledger", "--db", sys.argv[1], "status", "dhr2"]
try:
    main()
finally:
    print(" ".join(m for m in watched if m in sys.modules), file=sys.stderr)
"""


def test_a_query_loads_nothing_only_writes_checks_or_other_use_cases_need(
    sqlite_url: str, seed_plan: Path
) -> None:
    from adapters.importing.document import read_document

    ledger = bootstrap(Settings(db=sqlite_url, actor="setup"))
    try:
        with acting_as_owner("coord", "test"):
            ledger.import_document(read_document(seed_plan)[0])
    finally:
        ledger.close()
    ran = subprocess.run(
        [sys.executable, "-c", _LOADED, sqlite_url, *NOT_FOR_A_QUERY],
        capture_output=True,
        text=True,
        env=os.environ,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    assert "overview/1" in ran.stdout
    assert ran.stderr.strip() == ""
