"""Backups that restore: `recledger backup` while a writer goes on, restored as docs/storage.md
says, verifies against a checkpoint taken before the backup, and its read models equal a
rebuild. On a SQLite file (online backup API) and on PostgreSQL (pg_dump, pg_restore)."""

from __future__ import annotations

import shutil
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.conftest import POSTGRES_URL
from tests.e2e.in_process import InProcessShell
from tests.e2e.shell import Shell

OWN = "imr/west-mercia-police/1"


def restored_url(db: str, backup: Path, tmp_path: Path, databases: list[str]) -> str:
    """Restore ``backup`` as docs/storage.md says, into a new place; its ``RECLEDGER_DB``."""
    if "://" not in db:
        target = tmp_path / "restored.db"
        shutil.copyfile(backup, target)
        return str(target)
    name = f"restored_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    databases.append(name)
    parts = urlsplit(db)
    url = parts._replace(path=f"/{name}").geturl()
    done = subprocess.run(
        ["pg_restore", f"--dbname={parts._replace(path=f'/{name}', query='').geturl()}",
         str(backup)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return url


@pytest.fixture
def databases() -> Iterator[list[str]]:
    made: list[str] = []
    yield made
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_taken_while_writing_restores_and_verifies_against_an_earlier_checkpoint(
    db_url: str, seed_plan: Path, tmp_path: Path, databases: list[str]
) -> None:
    shell = Shell(tmp_path, db=db_url)
    shell("import", str(seed_plan))
    shell("checkpoint", "-o", "before.json")
    stop = threading.Event()
    written: list[int] = []

    def write() -> None:  # another user records updates all through the backup
        while not stop.is_set():
            n = len(written) + 1
            text = f"Update {n} during the backup"
            shell("update", "dhr2", OWN, "--text", text, "--effective", "2014-03-01")
            written.append(n)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        made = shell("backup", "-o", "ledger.backup")
    finally:
        stop.set()
        writer.join()
    assert "backed up the ledger at position" in made.stdout
    assert shell("backup", "-o", "ledger.backup", ok=False).returncode == 1  # never overwritten

    # the writes and the backup are processes at once; what is restored is read in this one
    restored = InProcessShell(
        tmp_path, db=restored_url(db_url, tmp_path / "ledger.backup", tmp_path, databases)
    )
    checked = restored("verify", "--against", "before.json")
    assert "intact" in checked.stdout, checked.stdout
    kept = restored("status", "dhr2", "--json").stdout
    restored("rebuild")
    assert restored("status", "dhr2", "--json").stdout == kept  # read models = a rebuild
    history = restored("history", "dhr2", OWN, "--json").stdout
    updates = [n for n in written if f"Update {n} during the backup" in history]
    assert updates == list(range(1, len(updates) + 1))  # a prefix of the writes: none torn
