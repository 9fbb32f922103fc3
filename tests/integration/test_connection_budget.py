"""How many PostgreSQL connections a CLI command holds: at most 2 (``adapters.storage.
bootstrap``), named ``recledger`` in ``pg_stat_activity``.

Measured on the real server as a role of its own whose CONNECTION LIMIT is the budget:
the server itself refuses a connection past it ("too many connections for role"), so a
command that needs a third fails, however briefly it holds it. (The test server's
max_connections is 100, shared by every engineer's tests: a role's limit is exact and
leaves the others alone.)"""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.conftest import POSTGRES_URL, _postgres_or_skip
from tests.e2e.shell import Shell

pytestmark = pytest.mark.postgres


@dataclass
class Role:
    name: str
    db: str
    """A ``--db`` URL that connects as the role, to a fresh schema it owns."""

    def limit(self, connections: int) -> None:
        admin(f'ALTER ROLE "{self.name}" CONNECTION LIMIT {connections}')

    def connections(self) -> list[str | None]:
        """The application name of each connection the role holds now (not the parallel
        workers a query of one may start: they take no connection slot); ``None`` for one
        still starting (no state yet: its name is not set until it is ready for queries)."""
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT application_name, state FROM pg_stat_activity "
                "WHERE usename = %s AND backend_type = 'client backend'",
                (self.name,),
            ).fetchall()
        return [name if state is not None else None for name, state in rows]

    def settle(self) -> None:
        """Wait until the role holds no connection: a process that exited has closed its
        own, and the server ends their backends a moment later."""
        deadline = time.monotonic() + 10
        while self.connections() and time.monotonic() < deadline:
            time.sleep(0.02)


def admin(statement: str) -> None:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


@pytest.fixture
def role() -> Iterator[Role]:
    _postgres_or_skip()
    name = f"rl_budget_{uuid.uuid4().hex[:10]}"
    admin(f'CREATE ROLE "{name}" LOGIN')
    admin(f'CREATE SCHEMA "{name}" AUTHORIZATION "{name}"')
    parts = urlsplit(POSTGRES_URL)
    url = parts._replace(netloc=f"{name}@{parts.hostname}:{parts.port or 5432}").geturl()
    try:
        yield Role(name, f"{url}?schema={name}")
    finally:
        admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{name}'")
        admin(f'DROP SCHEMA "{name}" CASCADE')
        admin(f'DROP OWNED BY "{name}"')
        admin(f'DROP ROLE "{name}"')


COMMANDS: list[tuple[str, ...]] = [
    ("status", "dhr2"),
    ("overdue", "--limit", "5"),
    ("update", "dhr2", "imr/west-mercia-police/6", "--effective", "2014-03-01", "--text", "x"),
    ("history", "dhr2", "imr/west-mercia-police/6"),
    ("changes", "dhr2", "--since", "2014-01-01"),
    ("leads", "dhr2"),
    ("verify",),
    ("head",),
    ("audit", "dhr2"),
    ("plans",),
    ("rebuild",),
]


def test_a_cli_command_holds_at_most_two_postgresql_connections_named_recledger(
    role: Role, tmp_path: Path, seed_plan: Path
) -> None:
    """Issue 25, defect 10: one CLI command opened up to 8 connections (the library's pool
    of 5, the read models' engine and its nested uses, a probe)."""
    shell = Shell(tmp_path, db=role.db)
    role.limit(2)
    seen: list[list[str | None]] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            seen.append(role.connections())
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        shell("import", str(seed_plan))  # on an empty schema: the store's tables made
        for command in COMMANDS:
            role.settle()
            shell(*command)
        role.settle()
        shell("backup", "-o", str(tmp_path / "ledger.dump"))  # and pg_dump's connection
        # A read whose read models are behind the log catches them up first.
        role.settle()
        shell.env["RECLEDGER_PROJECTIONS"] = "worker"  # the write leaves them behind
        shell("update", "dhr2", "imr/west-mercia-police/6", "--effective", "2014-03-02",
              "--text", "left for the reader")  # fmt: skip
        del shell.env["RECLEDGER_PROJECTIONS"]
        role.settle()
        assert "left for the reader" in shell("status", "dhr2", "--json").stdout
    finally:
        stop.set()
        watcher.join()
    assert max(len(names) for names in seen) == 2, max(seen, key=len)
    named = {name for names in seen for name in names if name is not None}
    assert named == {"recledger", "pg_dump"}  # once ready, every one named


def test_twelve_commands_started_together_on_a_fresh_database_all_succeed(
    role: Role, tmp_path: Path
) -> None:
    """Issue 25, defect 10: 12 commands started together on a fresh database: 3 failed
    'too many clients'. Twelve commands at two connections each fit in 24."""
    role.limit(12 * 2)
    shell = Shell(tmp_path, db=role.db)

    def open_plan(n: int) -> subprocess.CompletedProcess[str]:
        return shell("plan", "open", f"plan-{n}", "--title", f"Plan {n}", ok=False)

    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(open_plan, range(12)))
    failed = [result.stderr.strip() for result in results if result.returncode != 0]
    assert not failed, failed
    listed = shell("plans", "--json").stdout
    assert all(f'"plan-{n}"' in listed for n in range(12))
