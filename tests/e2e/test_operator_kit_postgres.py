"""docs/operations.md followed on a scratch database, as an operator would: the owner and
the application role made as it says, the ledger made by `recledger app-role` as an owner
without CREATEROLE, the services' commands run as the application role with the settings
of docs/deploy/recledger.env.example; backup and restore, a rebuild, an upgrade that
changes a read model, and the two services started and stopped as systemd does (the
services in processes of their own; the commands in this one: tests/e2e/in_process.py)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from projections.plans import Plans
from tests.conftest import POSTGRES_URL, _postgres_or_skip
from tests.e2e.in_process import InProcessShell
from tests.e2e.test_operator_kit import env_example, exec_start

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
RECLEDGER = shutil.which("recledger") or str(Path(sys.executable).with_name("recledger"))
SUPERUSER = urlsplit(POSTGRES_URL)


@dataclass
class Site:
    """A ledger set up as the operations page says, on a scratch database."""

    where: Path
    database: str
    owner: str
    app: str
    key: Path

    def url(self, role: str, database: str | None = None) -> str:
        host = f"{SUPERUSER.hostname}:{SUPERUSER.port or 5432}"
        return f"postgresql://{role}@{host}/{database or self.database}"

    def env(self, role: str | None = None, database: str | None = None) -> dict[str, str]:
        """The services' environment: the example's settings, on this scratch site."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("RECLEDGER_")}
        env |= env_example()
        env |= {
            "RECLEDGER_DB": self.url(role or self.app, database),
            "RECLEDGER_SIGNING_KEY": str(self.key),
            "RECLEDGER_ACTOR": "ops@example.org",
            "PYTHONPATH": str(ROOT),  # this checkout's recledger, whichever one is installed
        }
        return env

    def run(
        self, *args: str, role: str | None = None, database: str | None = None, ok: bool = True
    ) -> subprocess.CompletedProcess[str]:
        command = InProcessShell(self.where)  # in this process; the services are processes
        command.env = self.env(role, database)
        done = command(*args, ok=False)
        if ok:
            assert done.returncode == 0, f"recledger {' '.join(args)}: {done.stderr}"
        return done

    def as_owner(self, *args: str, database: str | None = None) -> subprocess.CompletedProcess[str]:
        return self.run(*args, role=self.owner, database=database)


def superuser(*command: str) -> None:
    """A PostgreSQL client program as the superuser (``sudo -u postgres`` in the page)."""
    if shutil.which(command[0]) is None:
        pytest.skip(f"{command[0]} is not installed (postgresql-client)")
    where = ["--host", SUPERUSER.hostname or "127.0.0.1", "--port", str(SUPERUSER.port or 5432)]
    done = subprocess.run(
        [command[0], *where, "--username", SUPERUSER.username or "postgres", *command[1:]],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.fixture
def site(tmp_path: Path, seed_plan: Path) -> Iterator[Site]:
    """The page's set-up: the two roles and the database as the superuser, then
    `recledger app-role` as the owner; a coordinator's token; the seed plan imported."""
    _postgres_or_skip()
    tag = uuid.uuid4().hex[:8]
    made = Site(tmp_path, f"rl_ops_{tag}", f"rl_owner_{tag}", f"rl_app_{tag}",
                tmp_path / "keys" / "signing-key.pem")  # fmt: skip
    made.key.parent.mkdir(mode=0o700)
    databases = [made.database, f"{made.database}_restored", f"{made.database}_fromlog"]
    try:
        superuser("createuser", made.owner)
        superuser("createuser", made.app)
        superuser("createdb", f"--owner={made.owner}", made.database)
        yield made
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            for name in databases:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
            for role in (made.app, made.owner):
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')  # type: ignore[arg-type]


def set_up(site: Site, seed_plan: Path) -> str:
    """The page's steps after the roles: app-role as the owner, a token, a plan. The token."""
    site.as_owner("app-role", site.app)
    token = site.run("token", "add", "admin@example.org", "--role", "coordinator")
    site.run("import", str(seed_plan))
    return token.stdout.strip().splitlines()[-1]


def test_an_owner_without_createrole_makes_the_ledger_and_the_services_login(
    site: Site, seed_plan: Path
) -> None:
    with psycopg.connect(POSTGRES_URL) as conn:
        flags = conn.execute(
            "SELECT rolcreaterole, rolsuper FROM pg_roles WHERE rolname = %s", (site.owner,)
        ).fetchone()
    assert flags == (False, False)
    set_up(site, seed_plan)
    assert site.key.stat().st_mode & 0o777 == 0o600, "the key is made with a new ledger, 0600"
    assert site.run("verify").stdout.startswith("intact: ")
    refused = site.run("rebuild", ok=False)
    assert refused.returncode == 1 and "must be owner" in refused.stderr
    site.as_owner("app-role", site.app)  # again: it is safe to repeat


def test_a_backup_taken_as_the_application_role_restores_as_the_page_says(
    site: Site, seed_plan: Path
) -> None:
    set_up(site, seed_plan)
    site.run("checkpoint", "-o", "checkpoint.json")
    site.run("backup", "-o", "ledger.backup")
    restored = f"{site.database}_restored"
    superuser("createdb", f"--owner={site.owner}", restored)
    done = subprocess.run(
        ["pg_restore", f"--dbname={site.url(site.owner, restored)}", "ledger.backup"],
        cwd=site.where, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    checked = site.run("verify", "--against", "checkpoint.json", database=restored)
    assert checked.stdout.startswith("intact: ")
    site.run("update", "dhr2", "overview/1", "--effective", "Jun 2014", "--text", "restored",
             database=restored)  # fmt: skip


def test_an_exported_log_restores_into_an_empty_database_as_the_owner(
    site: Site, seed_plan: Path
) -> None:
    set_up(site, seed_plan)
    head = site.run("head").stdout
    site.run("export-log", "-o", "ledger.jsonl")
    fromlog = f"{site.database}_fromlog"
    superuser("createdb", f"--owner={site.owner}", fromlog)
    site.as_owner("restore", "ledger.jsonl", database=fromlog)
    site.as_owner("app-role", site.app, database=fromlog)
    assert site.run("head", database=fromlog).stdout == head


def test_after_a_rebuild_the_application_role_needs_app_role_again(
    site: Site, seed_plan: Path
) -> None:
    set_up(site, seed_plan)
    site.as_owner("rebuild")
    lost = site.run("plans", ok=False)  # the page warns of this: change it if this passes
    assert lost.returncode == 1 and "permission denied for table" in lost.stderr
    site.as_owner("app-role", site.app)
    assert "dhr2" in site.run("plans").stdout


def test_an_upgrade_that_changes_a_read_model_follows_the_page(site: Site, seed_plan: Path) -> None:
    set_up(site, seed_plan)
    site.run("checkpoint", "-o", "before-upgrade.json")
    owner = site.url(site.owner)
    with psycopg.connect(owner) as conn:  # the stored schema version of an older recledger
        conn.execute("UPDATE rl_tracking SET version = version - 1 WHERE name = 'plans'")
    refused = site.run("plans", ok=False)  # the services, started too early, are refused
    assert refused.returncode == 1 and "must be owner of table" in refused.stderr
    site.as_owner("app-role", site.app)
    site.run("head")
    site.run("verify", "--against", "before-upgrade.json")
    assert "dhr2" in site.run("plans").stdout
    with psycopg.connect(owner) as conn:
        stored = conn.execute("SELECT version FROM rl_tracking WHERE name = 'plans'").fetchone()
    assert stored == (Plans.version,)


def test_the_services_run_as_the_application_role_and_stop_on_sigterm(
    site: Site, seed_plan: Path
) -> None:
    token = set_up(site, seed_plan)
    port = _free_port()
    serve = exec_start("serve")[1:]
    serve[serve.index("--port") + 1] = str(port)
    worker = _start(site, exec_start("project")[1:])
    server = _start(site, serve)
    try:
        _wait_for(f"http://127.0.0.1:{port}/openapi.json")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/plans", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200
            assert answer.headers["X-Recledger-Read-Models-Behind"] is not None
    finally:
        for process in (server, worker):  # as systemd stops them: SIGTERM to the main process
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=30) for process in (server, worker)]
    assert codes == [0, 0]
    assert "stopped" in worker.stderr.read()  # type: ignore[union-attr]


def _start(site: Site, args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [RECLEDGER, *args], cwd=site.where, env=site.env(),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
