"""Backups of the whole database (events and read models) while the ledger is in use.

- SQLite: the online backup API (``sqlite3.Connection.backup``), page by page in one read
  transaction, so writers may go on and the copy is one consistent state.
- PostgreSQL: ``pg_dump --format=custom``, one snapshot, restored with ``pg_restore``.

A backup holds at least the events logged when it began; ``recledger verify --against``
a checkpoint taken before it proves, on the restored copy, that nothing was lost or
rewritten.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from adapters.storage import event_store_env, postgres_conninfo
from domain.errors import InvalidCommand, StorageUnavailable


def backup(db: str, out: Path, named: str | None = None) -> str:
    """Write a backup of the database ``db`` to ``out`` (never overwritten); return how it
    restores, calling the file ``named`` (default: its path)."""
    if out.exists():
        raise InvalidCommand(f"{out} exists: a backup is never overwritten; choose another file")
    env = event_store_env(db)
    module = env["PERSISTENCE_MODULE"]
    if module == "eventsourcing.sqlite":
        _sqlite(Path(env["SQLITE_DBNAME"]), out)
        return (
            f"restore: copy {named or out} to where RECLEDGER_DB points (the ledger stopped), "
            "then verify"
        )
    if module == "eventsourcing.postgres":
        _postgres(db, env.get("POSTGRES_SCHEMA"), out)
        return f"restore: createdb NEW && pg_restore --dbname=NEW {named or out}, then verify"
    raise InvalidCommand("an in-memory ledger has nothing to back up")


def _sqlite(source: Path, out: Path) -> None:
    if not source.is_file():
        raise InvalidCommand(f"no ledger at {source}: nothing to back up")
    partial = out.with_name(out.name + ".partial")
    try:
        with (
            sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30) as src,
            sqlite3.connect(partial) as dst,
        ):
            src.backup(dst)
        partial.replace(out)  # a backup that stopped half-way is never left as the backup
    except (sqlite3.Error, OSError) as error:
        partial.unlink(missing_ok=True)
        raise StorageUnavailable(f"the backup of {source} failed: {error}") from None


def _postgres(db: str, schema: str | None, out: Path) -> None:
    dump = shutil.which("pg_dump")
    if dump is None:
        raise StorageUnavailable("pg_dump is not installed (apt-get install postgresql-client)")
    conninfo = postgres_conninfo(db)
    assert conninfo is not None
    command = [dump, "--format=custom", f"--file={out}", f"--dbname={conninfo}"]
    if schema:
        command.append(f"--schema={schema}")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        out.unlink(missing_ok=True)
        why = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise StorageUnavailable(f"pg_dump failed: {why}")
