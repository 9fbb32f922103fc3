"""The embedded default: a ledger in one SQLite file, its read models beside the events.

The event store is the eventsourcing library's (``eventsourcing.sqlite``), with a recorder
that signs every write (``SigningSQLiteRecorder``, selected with
``APPLICATION_RECORDER_TOPIC``). Its tables are created with ``IF NOT EXISTS`` under the
database's write lock; a 'database is locked' while another process creates the
database is waited out (``opening``). A path that is no ledger is refused, with the
reason, before SQLite creates a file (``check``).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import SplitResult

from eventsourcing.persistence import PersistenceError, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from sqlalchemy import URL, Connection, Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError

from adapters.stores.common import READ_ONLY
from adapters.stores.signed import SignedWrites
from domain.errors import InvalidCommand, NoLedger, StorageUnavailable

T = TypeVar("T")

PERSISTENCE_MODULE = "eventsourcing.sqlite"
LEDGER_ENV: Mapping[str, str] = {}


class SigningSQLiteRecorder(SignedWrites, SQLiteApplicationRecorder):
    """The library's SQLite recorder, signing each write in its transaction."""

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if stored_events and ids:
            self.insert_signature(c, self.signature_of(stored_events, ids[-1]))
        return ids


def names_a_file(parts: SplitResult) -> bool:
    """Whether a ``--db`` value names a SQLite file: sqlite:///PATH, file:PATH or a path
    (C:\\ on Windows too)."""
    return parts.scheme in {"sqlite", "", "file"} or len(parts.scheme) == 1


def env(db: str, parts: SplitResult) -> dict[str, str]:
    """The eventsourcing environment for a ``--db`` value that ``names_a_file``."""
    path = db.removeprefix("sqlite:///" if parts.scheme == "sqlite" else "file:")
    if not path:
        raise InvalidCommand(f"--db {db!r} names no file")
    return {
        "PERSISTENCE_MODULE": PERSISTENCE_MODULE,
        "APPLICATION_RECORDER_TOPIC": f"{__name__}:{SigningSQLiteRecorder.__name__}",
        "SQLITE_DBNAME": str(Path(path)),
        "SQLITE_LOCK_TIMEOUT": "10",
    }


def read_model_engine(env: dict[str, str], *, single: bool = False) -> Engine:
    """The read models' engine, on the ledger's file."""
    engine = create_engine(
        URL.create("sqlite", database=env["SQLITE_DBNAME"]), connect_args={"timeout": 30}
    )
    # The read models are derived and commit with their tracking position: in WAL mode
    # they need not wait for the disk (see projections.transactions.relax_durability).
    event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA synchronous=NORMAL"))
    return engine


@contextmanager
def scratch_engine(env: dict[str, str]) -> Iterator[Engine]:
    """An empty database for a while, gone after: a SQLite file in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="recledger-scratch-") as where:
        engine = create_engine(URL.create("sqlite", database=f"{where}/scratch.db"))
        event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA synchronous=OFF"))
        try:
            yield engine
        finally:
            engine.dispose()


def check(env: dict[str, str], engine: Engine, db: str, *, create: bool) -> None:
    """Refuse, with the reason, a path that is no ledger, before SQLite creates a file."""
    path = Path(env["SQLITE_DBNAME"])
    if not path.exists():
        if not create:
            raise NoLedger(
                f"there is no ledger at {path} (no such file): check --db, "
                "or import a plan there first"
            )
        if not path.parent.is_dir():
            raise StorageUnavailable(f"cannot create {path}: no such directory {path.parent}")
        return
    if not path.is_file():
        raise StorageUnavailable(f"{path} is not a file, so not a ledger")
    if not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        raise StorageUnavailable(READ_ONLY.format(path=path))
    # Through SQLite, never open() and close(): closing any descriptor of the file drops
    # every POSIX lock this process holds on it, so with a ledger already open in another
    # thread, another process closing its last connection deletes the write-ahead log in
    # use here (sqlite.org/howtocorrupt.html, 2.2): 16 writers corrupted it within 30 s.
    try:
        with closing(sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)) as probe:
            probe.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as error:
        if "not a database" in str(error):
            raise StorageUnavailable(
                f"{path} is not a ledger: it is not a SQLite database file"
            ) from None
        if "locked" not in str(error):
            raise StorageUnavailable(f"cannot read {path}: {error}") from None


@contextmanager
def ddl_lock(engine: Engine) -> Iterator[Connection]:
    """A connection: SQLite's statements say IF NOT EXISTS and wait for the database's
    write lock, so no lock of recledger's own is needed."""
    with engine.connect() as conn:
        yield conn


def opening(open_store: Callable[[], T], attempts: int = 5) -> T:
    """SQLite answers 'database is locked' at once to some statements (switching to WAL)
    while another process creates the database: wait a little and try again."""
    for attempt in range(attempts):
        try:
            return open_store()
        except (PersistenceError, SQLAlchemyError, sqlite3.Error) as error:
            if "locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def ready(recorder: Any) -> None:
    """Nothing more to set up."""


def clock_check(engine: Engine) -> Callable[[], None]:
    """A ledger in a file records this machine's time: nothing to check it by."""
    return this_machines_clock


def this_machines_clock() -> None:
    """A ledger in a file or in memory records this machine's time: nothing to check it by
    (PostgreSQL's records the server's, checked by ``adapters.stores.postgres.ServerClock``)."""
