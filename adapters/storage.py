"""Storage choice and the composition root.

The event store is the eventsourcing library's own persistence modules:
``eventsourcing.sqlite`` for the embedded default, ``eventsourcing.postgres``
(psycopg 3 with a connection pool) for PostgreSQL, ``eventsourcing.popo`` in memory,
each with a recorder that signs every write with the ledger's key
(``adapters/event_stores.py``).

Opening a store is safe when many processes start at once: its tables are created
only when missing, and then one process at a time (an advisory lock on PostgreSQL; on
SQLite ``IF NOT EXISTS``, the database's write lock and a retry). A command that only
reads never creates a ledger. Every failure to open is one line naming the real cause,
with any password masked.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from eventsourcing.persistence import InfrastructureFactory, PersistenceError
from eventsourcing.utils import Environment
from sqlalchemy import URL, Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from adapters.append_only import protect
from adapters.event_stores import APPLICATION_NAME, SIGNATURES
from adapters.names import skeleton
from adapters.settings import Settings
from adapters.signing import LedgerKey, load_key
from domain.errors import ClockSkew, InvalidCommand, LedgerError, NoLedger, StorageUnavailable
from projections.plans import Plans
from projections.recommendations import Recommendations
from projections.runner import Runner
from projections.seals import Sealer
from service.ledger import Ledger, first_line

T = TypeVar("T")

def storage_errors() -> tuple[type[Exception], ...]:
    """The exceptions by which a database says it failed. psycopg's only once it is loaded:
    a ledger on SQLite never loads it (it costs a command's start-up 0.15 s), and then no
    psycopg error can be raised."""
    psycopg = sys.modules.get("psycopg")
    found = (PersistenceError, SQLAlchemyError, sqlite3.Error)
    return (*found, psycopg.Error) if psycopg is not None else found
"""What the stores raise when they fail: shown as one line (``storage_cause``)."""

_POSTGRES_SCHEMES = {"postgresql", "postgres", "postgresql+psycopg"}
MEMORY = "adapters.event_stores:MemoryFactory"
SQLITE = "eventsourcing.sqlite"
POSTGRES = "eventsourcing.postgres"
"""The stores, as their ``PERSISTENCE_MODULE`` names them."""
_RECORDER = {
    SQLITE: "adapters.event_stores:SigningSQLiteRecorder",
    POSTGRES: "adapters.postgres_recorder:ChunkedPostgresApplicationRecorder",
}
_STORE_DDL_LOCK = 0x72656C01
"""The PostgreSQL advisory lock held while the event store's tables are created."""


def event_store_env(db: str) -> dict[str, str]:
    """The eventsourcing environment for a ``--db`` value."""
    if db in {"memory:", ":memory:"}:
        return {"PERSISTENCE_MODULE": MEMORY}
    parts = urlsplit(db)
    if parts.scheme in _POSTGRES_SCHEMES:
        env = {
            "PERSISTENCE_MODULE": POSTGRES,
            "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")) or "postgres",
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_CONNECT_TIMEOUT": "5",
            # The library's insert can hang on a large save (adapters/postgres_recorder.py).
            "APPLICATION_RECORDER_TOPIC": _RECORDER[POSTGRES],
        }
        schema = parse_qs(parts.query).get("schema")
        if schema:
            env["POSTGRES_SCHEMA"] = schema[0]
        return env
    if parts.scheme == "sqlite":
        path = db.removeprefix("sqlite:///")
    elif parts.scheme in {"", "file"} or len(parts.scheme) == 1:  # a path (or C:\ on Windows)
        path = db.removeprefix("file:")
    else:
        raise InvalidCommand(
            f"--db {db!r}: use a SQLite file path, sqlite:///PATH, postgresql://... or memory:"
        )
    if not path:
        raise InvalidCommand(f"--db {db!r} names no file")
    return {
        "PERSISTENCE_MODULE": SQLITE,
        "APPLICATION_RECORDER_TOPIC": _RECORDER[SQLITE],
        "SQLITE_DBNAME": str(Path(path)),
        "SQLITE_LOCK_TIMEOUT": "10",
    }


def postgres_conninfo(db: str) -> str | None:
    """A libpq connection string for a PostgreSQL ``--db`` value (None for other stores)."""
    env = event_store_env(db)
    if env["PERSISTENCE_MODULE"] != POSTGRES:
        return None
    import psycopg

    return psycopg.conninfo.make_conninfo(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        connect_timeout=env["POSTGRES_CONNECT_TIMEOUT"],
        fallback_application_name=APPLICATION_NAME,
    )


def read_model_engine(env: dict[str, str], *, single: bool = False) -> Engine:
    """A SQLAlchemy engine on the same database as the events, for the read models
    (``single``: on one connection, kept)."""
    module = env["PERSISTENCE_MODULE"]
    if module == MEMORY:
        return create_engine("sqlite://", poolclass=StaticPool)
    if module == SQLITE:
        engine = create_engine(
            URL.create("sqlite", database=env["SQLITE_DBNAME"]), connect_args={"timeout": 30}
        )
        # The read models are derived and commit with their tracking position: in WAL mode
        # they need not wait for the disk (see projections.transactions.relax_durability).
        event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA synchronous=NORMAL"))
        return engine
    url = URL.create(
        "postgresql+psycopg",
        username=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        database=env["POSTGRES_DBNAME"],
    )
    # One connection, never more (``bootstrap``): a ledger's thread asks the read models one
    # thing at a time; ``single``: that one kept (a session's temporary schema lives in it).
    pool: dict[str, Any] = (
        {"poolclass": StaticPool} if single else {"pool_size": 1, "max_overflow": 0}
    )
    engine = create_engine(
        url,
        connect_args={"connect_timeout": 5, "fallback_application_name": APPLICATION_NAME},
        **pool,
    )
    schema = env.get("POSTGRES_SCHEMA")
    return engine.execution_options(schema_translate_map={None: schema}) if schema else engine


@contextmanager
def scratch_engine(env: dict[str, str]) -> Iterator[Engine]:
    """An empty database for a while, gone after: a SQLite file in a temporary directory
    beside a SQLite or in-memory ledger; on PostgreSQL, the session's own temporary
    schema (one connection, so the application's role needs no right to create a schema)."""
    if env["PERSISTENCE_MODULE"] != POSTGRES:
        with tempfile.TemporaryDirectory(prefix="recledger-scratch-") as where:
            engine = create_engine(URL.create("sqlite", database=f"{where}/scratch.db"))
            event.listen(
                engine, "connect", lambda dbapi, _: dbapi.execute("PRAGMA synchronous=OFF")
            )
            try:
                yield engine
            finally:
                engine.dispose()
        return
    engine = read_model_engine({**env, "POSTGRES_SCHEMA": "pg_temp"}, single=True)
    try:
        yield engine
    finally:
        engine.dispose()


PROJECTIONS = (Recommendations, Plans, Sealer)
"""Every projection the ledger keeps: a new read model is one more entry here."""


def read_models(engine: Engine, key: LedgerKey) -> Runner:
    """The ledger's projections, run on ``engine``. Their digests are keyed by a secret
    derived from the ledger's key."""
    return Runner(engine, [projection() for projection in PROJECTIONS], digest_key(key))


def digest_key(key: LedgerKey) -> bytes:
    """The secret that keys the read models' digests (``projections.digest``)."""
    return key.derived("read-model-digests")


def bootstrap(settings: Settings | None = None, *, create: bool = True) -> Ledger:
    """Build the ledger on the configured store. ``create``: make the store's tables if
    there are none (a command that writes); otherwise a missing ledger is refused.

    A ledger is used by one thread at a time (a server opens one per thread), so on
    PostgreSQL it holds at most 2 connections, which is all a CLI command opens: one to
    the event store (the library's pool would open 5 at once, and grow to 15) and one to
    the read models (``read_model_engine``); the first check that the server answers is
    made on the latter, and kept. The event store's pool has 2 spares, opened only when
    uses overlap, as only in the projection worker: its subscription's LISTEN and reader
    beside its catch-up."""
    settings = settings or Settings()
    env = {**event_store_env(settings.db), "CREATE_TABLE": "no"}  # made below, under a lock
    if env["PERSISTENCE_MODULE"] == POSTGRES:
        env |= {"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "2"}
    where = masked(settings.db)
    if env["PERSISTENCE_MODULE"] == SQLITE:
        _check_sqlite_file(Path(env["SQLITE_DBNAME"]), create=create)
    engine = read_model_engine(env)
    try:
        if engine.dialect.name == "postgresql":
            _check_postgres(engine, settings.db)
        ledger = _retry_while_locked(lambda: _open(env, engine, where, settings, create=create))
    except BaseException as error:
        engine.dispose()
        if isinstance(error, LedgerError):
            raise type(error)(scrub(str(error), settings.db)) from None
        if isinstance(error, storage_errors()):
            cause = scrub(storage_cause(error), settings.db)
            raise StorageUnavailable(f"cannot open the ledger at {where}: {cause}") from None
        raise
    return ledger


def _open(
    env: dict[str, str], engine: Engine, where: str, settings: Settings, *, create: bool
) -> Ledger:
    """The composition root's last step: the library's infrastructure for ``env`` (the
    event store's tables made where ``create`` allows, its writes signed), then the ledger
    built with every collaborator it needs."""
    factory: Any = InfrastructureFactory.construct(Environment(Ledger.name, {**os.environ, **env}))
    try:
        recorder: Any = factory.application_recorder()
        table = getattr(recorder, "events_table_name", None)
        schema = env.get("POSTGRES_SCHEMA")
        if table is not None:
            found = inspect(engine)
            if not found.has_table(table, schema=schema):
                if not create:
                    raise NoLedger(
                        f"there is no ledger at {where}: check --db, or import a plan there first"
                    )
                with _store_ddl_lock(engine):
                    recorder.create_table()
            if not found.has_table(SIGNATURES, schema=schema):
                with _store_ddl_lock(engine):
                    recorder.create_signatures_table()
        key = _ledger_key(settings, recorder, memory=env["PERSISTENCE_MODULE"] == MEMORY)
        recorder.signer = key
        runner = read_models(engine, key)  # its tables, which the protection covers too
        if table is not None:
            with _store_ddl_lock(engine) as conn:
                protect(conn, table, schema)
        postgres = env["PERSISTENCE_MODULE"] == POSTGRES
        if postgres:
            # The library registers its composite type when it starts or creates the table;
            # a process that started while another was creating it registers it now.
            recorder.datastore.register_type_adapters()
        return Ledger(
            env,
            factory=factory,
            recorder=recorder,
            read_model=runner,
            signer=key,
            scratch_engine=lambda: scratch_engine(env),
            check_clock=ServerClock(engine) if postgres else _this_machines_clock,
            skeleton=skeleton,
            projects_inline=settings.projections == "inline",
        )
    except BaseException:
        factory.close()  # the read models' engine is the caller's to dispose
        raise


def _this_machines_clock() -> None:
    """A ledger in a file or in memory records this machine's time: nothing to check it by
    (PostgreSQL's records the server's, checked by ``ServerClock``)."""


def _ledger_key(settings: Settings, recorder: Any, *, memory: bool) -> LedgerKey:
    """The ledger's signing key: made where the ledger has signed nothing yet (a new
    ledger, or one from before writes were signed), else the one that signed it."""
    if memory:
        return LedgerKey.generate()
    signed = bool(recorder.select_signatures(0, 1))
    key, _ = load_key(Path(settings.signing_key), create=not signed)
    return key


@contextmanager
def _store_ddl_lock(engine: Engine) -> Iterator[Connection]:
    """One process at a time creates the store's tables (PostgreSQL's DDL races itself:
    'tuple concurrently updated', a unique violation on pg_type). SQLite's statements say
    IF NOT EXISTS and wait for the database's write lock. Yields the connection that holds
    the lock, for the DDL that needs no other."""
    with engine.connect() as conn:
        if engine.dialect.name != "postgresql":
            yield conn
            return
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _STORE_DDL_LOCK})
        conn.commit()  # the lock is the session's: the DDL runs in transactions of its own
        try:
            yield conn
        finally:
            conn.rollback()
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _STORE_DDL_LOCK})
            conn.commit()


def _retry_while_locked(open_store: Callable[[], T], attempts: int = 5) -> T:
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


def _check_sqlite_file(path: Path, *, create: bool) -> None:
    """Refuse, with the reason, a path that is no ledger, before SQLite creates a file."""
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
        raise StorageUnavailable(_READ_ONLY.format(path=path))
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


_READ_ONLY = (
    "{path} is read-only: recledger writes to its database even to answer "
    "(it keeps its read models there, up to date with the log)"
)


def _check_postgres(engine: Engine, db: str) -> None:
    """Connect once, for the server's own reason when it refuses (no such database, no
    such role, wrong password) at once, rather than a pool's time-out. The connection is
    kept, as the read models' one."""
    try:
        engine.connect().close()
    except SQLAlchemyError as error:
        cause = scrub(storage_cause(error), db)
        raise StorageUnavailable(f"cannot connect to {masked(db)}: {cause}") from None


def storage_cause(error: BaseException) -> str:
    """The real cause of a storage failure, in one line."""
    message = str(getattr(error, "orig", None) or error)
    if "readonly database" in message:
        return "the database is read-only; " + _READ_ONLY.split(": ", 1)[1]
    if "file is not a database" in message:
        return "not a SQLite database file"
    if fatal := re.search(r"FATAL:\s+(.+)", message):
        return fatal[1].strip()
    if refused := re.search(r"(Connection refused|could not translate host name.*)", message):
        return refused[1]
    return first_line(error)


def masked(db: str) -> str:
    """``db`` with its password, if any, replaced by ``***``."""
    parts = urlsplit(db)
    if not parts.password:
        return db
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def scrub(message: str, db: str) -> str:
    """``message`` with the password of the ``--db`` URL, if it has one, masked."""
    password = urlsplit(db).password if "://" in db else None
    for secret in {password, unquote(password or "")} - {None, ""}:
        message = message.replace(secret, "***")  # type: ignore[arg-type]
    return message


class ServerClock:
    """Refuses a write when this machine's clock disagrees with the database server's.

    Recorded times come from the machine that records (the library stamps each event as
    it is created); on PostgreSQL the server's clock is the reference every client shares.
    Checked at the first write, then at most once a minute."""

    def __init__(
        self,
        engine: Engine,
        *,
        tolerance: timedelta = timedelta(seconds=5),
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine, self.tolerance, self.now = engine, tolerance, now
        self._checked_at: float | None = None

    def __call__(self) -> None:
        if self._checked_at is not None and time.monotonic() - self._checked_at < 60:
            return
        with self.engine.connect() as conn:
            before = self.now()
            server = conn.execute(text("SELECT clock_timestamp()")).scalar_one()
            after = self.now()
        skew = server - (before + (after - before) / 2)
        if abs(skew) > self.tolerance:
            raise ClockSkew(
                f"this machine's clock is {abs(skew).total_seconds():,.0f} s "
                f"{'behind' if skew > timedelta(0) else 'ahead of'} the database server's "
                f"(server: {server:%Y-%m-%d %H:%M:%S %Z}); recorded times would be wrong, "
                "so nothing was written: correct this machine's clock"
            )
        self._checked_at = time.monotonic()
