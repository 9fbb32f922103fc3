"""The PostgreSQL event store, with an insert that cannot hang on large saves.

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

Select it with ``APPLICATION_RECORDER_TOPIC=adapters.postgres_recorder:
ChunkedPostgresApplicationRecorder`` beside ``PERSISTENCE_MODULE=eventsourcing.postgres``:
``eventsourcing.postgres.PostgresFactory.application_recorder`` builds the class that
topic names. (Not a factory of our own under another ``PERSISTENCE_MODULE``: the
composition root recognises PostgreSQL by that module's name.)

It also settles the library's connection pool before its first use (``__init__``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import eventsourcing.postgres as es_postgres
from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.utils import retry

from adapters.event_stores import APPLICATION_NAME, SIGNATURES, SignedWrites


def writer_lock(schema: str, table: str) -> tuple[str, tuple[str]]:
    """The statement (and its parameters) that every writer of the events table runs in its
    transaction before inserting: one writer at a time, so ids commit in order."""
    return "SELECT pg_advisory_xact_lock(hashtext(%s))", (f"recledger-writer:{schema}.{table}",)


class ChunkedPostgresApplicationRecorder(SignedWrites, es_postgres.PostgresApplicationRecorder):
    """Insert events without pipeline mode, in bounded statements, in one transaction,
    with the write's signature (``adapters/event_stores.py``)."""

    max_events_per_statement = 1000
    mark = "%s"

    def __init__(self, datastore: es_postgres.PostgresDatastore, **kwargs: Any) -> None:
        # Before the library first uses its pool (to register its types, in this call): its
        # connections are named, and it is opened with its first connection ready. The
        # library opens it without waiting: the use finds none ready and the pool opens a
        # spare too, two connections (measured) where one serves (``storage.bootstrap``).
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

    def create_signatures_table(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                f"CREATE TABLE IF NOT EXISTS {self.signatures_table()} (last_id bigint "
                "NOT NULL, count integer NOT NULL, key text NOT NULL, signature bytea NOT NULL)"
            )
            curs.execute(
                f'CREATE INDEX IF NOT EXISTS "{SIGNATURES}_by_last" '
                f"ON {self.signatures_table()} (last_id)"
            )
