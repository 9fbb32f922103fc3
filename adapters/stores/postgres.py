"""A ledger on PostgreSQL: the eventsourcing library's store (``eventsourcing.postgres``,
psycopg 3 with a connection pool), with a recorder of recledger's own
(``ChunkedPostgresApplicationRecorder``), its read models in the same database (the same
schema, ``?schema=NAME``), and the server's clock as the reference for recorded times
(``ServerClock``). This module, and psycopg, load only for a PostgreSQL ledger.

The recorder: an insert that cannot hang on large saves.
Why this exists: ``eventsourcing.postgres.PostgresApplicationRecorder.insert_events``
(9.5.6) sends the lock, the NOTIFY and one INSERT of *all* the events in psycopg's
pipeline mode, then calls ``pipeline.sync()``. psycopg (3.3.9, both implementations)
stops sending once its queue of pipeline commands is empty even when the libpq output
buffer has not been fully flushed (``pgconn.flush()`` returned 1), and then waits only
to read. With a large INSERT parameter the tail of the message, and the Sync, stay in
libpq's buffer: the server waits for them (``ClientRead``, query ``INSERT``), the
client waits for results, forever. A 4,000-recommendation import (~16k events, one
save) hung in 14 of 32 runs (0 of 9 with <= 8k events); what counts is the message's
size: 16k events of ~0.7 kB hang 10 of 10 times, 8k 3 of 6, 4k 0 of 6.

This recorder gives the same guarantees as the library's insert, without pipeline
mode: one transaction for all the events; ``SET LOCAL lock_timeout`` and a lock that
serialises the writers first, so notification ids commit in the order they were issued
(the library's db functions omit this lock, so they are not used here). The lock is a
transaction-level advisory lock named after the events table (``writer_lock``), not the
library's ``LOCK TABLE ... IN EXCLUSIVE MODE``: that mode needs UPDATE, DELETE or
TRUNCATE rights on the table, and the application's role has none
(``adapters/append_only.py``);
``NOTIFY`` on the events channel; a unique violation raises
``eventsourcing.persistence.IntegrityError`` (via the datastore's connection); the
notification ids are returned in order. Outside a pipeline psycopg flushes each
statement completely before it reads, and the events go in statements of at most
``max_events_per_statement`` rows, so no message is larger than ~1,000 events.

Select it with ``APPLICATION_RECORDER_TOPIC=adapters.stores.postgres:
ChunkedPostgresApplicationRecorder`` beside ``PERSISTENCE_MODULE=eventsourcing.postgres``:
``eventsourcing.postgres.PostgresFactory.application_recorder`` builds the class that
topic names. (Not a factory of our own under another ``PERSISTENCE_MODULE``: the
composition root recognises PostgreSQL by that module's name.)

It also settles the library's connection pool before its first use (``__init__``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

import eventsourcing.postgres as es_postgres
import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.utils import retry
from sqlalchemy import URL, Connection, Engine, create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from adapters.stores.common import masked, scrub, storage_cause
from adapters.stores.signed import SIGNATURES, SignedWrites
from domain.errors import ClockSkew, StorageUnavailable

T = TypeVar("T")

PERSISTENCE_MODULE = "eventsourcing.postgres"

APPLICATION_NAME = "recledger"
"""What recledger's PostgreSQL connections call themselves (``pg_stat_activity``), unless
``PGAPPNAME`` names them otherwise."""

LEDGER_ENV: Mapping[str, str] = {"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "2"}
"""A ledger's event store holds one connection, with 2 spares opened only when uses
overlap (``adapters.storage.bootstrap``)."""

_STORE_DDL_LOCK = 0x72656C01
"""The PostgreSQL advisory lock held while the event store's tables are created."""


def writer_lock(schema: str, table: str) -> tuple[str, tuple[str]]:
    """The statement (and its parameters) that every writer of the events table runs in its
    transaction before inserting: one writer at a time, so ids commit in order."""
    return "SELECT pg_advisory_xact_lock(hashtext(%s))", (f"recledger-writer:{schema}.{table}",)


class ChunkedPostgresApplicationRecorder(SignedWrites, es_postgres.PostgresApplicationRecorder):
    """Insert events without pipeline mode, in bounded statements, in one transaction,
    with the write's signature (``adapters/stores/signed.py``)."""

    max_events_per_statement = 1000
    mark = "%s"
    signature_columns = (
        "last_id bigint NOT NULL, count integer NOT NULL, key text NOT NULL, "
        "signature bytea NOT NULL"
    )
    signatures_index = f'"{SIGNATURES}_by_last"'

    def __init__(self, datastore: es_postgres.PostgresDatastore, **kwargs: Any) -> None:
        # Before the library first uses its pool (to register its types, in this call): its
        # connections are named, and it is opened with its first connection ready. The
        # library opens it without waiting: the use finds none ready and the pool opens a
        # spare too, two connections (measured) where one serves (``adapters.storage.bootstrap``).
        assert isinstance(datastore.pool.kwargs, dict)
        datastore.pool.kwargs.setdefault("fallback_application_name", APPLICATION_NAME)
        datastore.pool.open(wait=True, timeout=datastore.pool.timeout)
        super().__init__(datastore, **kwargs)

    def _lock_table(self, curs: Any) -> None:
        curs.execute(self.lock_table_statements[0])  # SET LOCAL lock_timeout
        curs.execute(*writer_lock(self.datastore.schema, self.events_table_name))

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        step = self.max_events_per_statement
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            self._insert_events(curs, stored_events, **kwargs)  # the library's hook
            if not stored_events:
                return None
            self._lock_table(curs)
            self._notify_channel(curs)
            notification_ids: list[int] = []
            for start in range(0, len(stored_events), step):
                chunk = stored_events[start : start + step]
                # The aggregate recorder's plain INSERT ... RETURNING notification_id
                # (this class's own override would lock and notify again).
                es_postgres.PostgresAggregateRecorder._insert_stored_events(self, curs, chunk)
                ids = self._fetch_ids_after_insert_events(curs, chunk)
                notification_ids.extend(ids or ())
            if notification_ids:
                self.insert_signature(curs, self.signature_of(stored_events, notification_ids[-1]))
            return notification_ids

    def signatures_table(self) -> str:
        return f'"{self.datastore.schema}"."{SIGNATURES}"'


def env(db: str) -> dict[str, str]:
    """The eventsourcing environment for a PostgreSQL ``--db`` URL."""
    parts = urlsplit(db)
    found = {
        "PERSISTENCE_MODULE": PERSISTENCE_MODULE,
        "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")) or "postgres",
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_CONNECT_TIMEOUT": "5",
        # The library's insert can hang on a large save (ChunkedPostgresApplicationRecorder).
        "APPLICATION_RECORDER_TOPIC": f"{__name__}:{ChunkedPostgresApplicationRecorder.__name__}",
    }
    schema = parse_qs(parts.query).get("schema")
    if schema:
        found["POSTGRES_SCHEMA"] = schema[0]
    return found


def conninfo(env: dict[str, str]) -> str:
    """A libpq connection string for the ledger's database."""
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
    """The read models' engine, in the ledger's database (and schema)."""
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
    """An empty database for a while, gone after: the session's own temporary schema (one
    connection, so the application's role needs no right to create a schema)."""
    engine = read_model_engine({**env, "POSTGRES_SCHEMA": "pg_temp"}, single=True)
    try:
        yield engine
    finally:
        engine.dispose()


def check(env: dict[str, str], engine: Engine, db: str, *, create: bool) -> None:
    """Connect once, for the server's own reason when it refuses (no such database, no
    such role, wrong password) at once, rather than a pool's time-out. The connection is
    kept, as the read models' one."""
    try:
        engine.connect().close()
    except SQLAlchemyError as error:
        cause = scrub(storage_cause(error), db)
        raise StorageUnavailable(f"cannot connect to {masked(db)}: {cause}") from None


@contextmanager
def ddl_lock(engine: Engine) -> Iterator[Connection]:
    """One process at a time creates the store's tables (PostgreSQL's DDL races itself:
    'tuple concurrently updated', a unique violation on pg_type). Yields the connection
    that holds the lock, for the DDL that needs no other."""
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _STORE_DDL_LOCK})
        conn.commit()  # the lock is the session's: the DDL runs in transactions of its own
        try:
            yield conn
        finally:
            conn.rollback()
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _STORE_DDL_LOCK})
            conn.commit()


def opening(open_store: Callable[[], T]) -> T:
    """Opened once: the server says at once why it cannot be."""
    return open_store()


def ready(recorder: Any) -> None:
    """The library registers its composite type when it starts or creates the table; a
    process that started while another was creating it registers it now."""
    recorder.datastore.register_type_adapters()


def clock_check(engine: Engine) -> Callable[[], None]:
    """The server's clock is the reference for recorded times."""
    return ServerClock(engine)


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
