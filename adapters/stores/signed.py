"""Event stores that sign what they append: each write's signature is stored in the same
transaction as its events, so an event without one was not appended by a holder of the
ledger's key.

A write is one call of ``insert_events`` (one command's events, or one import's): its
signature covers the digests of its events in order (``domain.integrity.sign_write``)
and is stored in ``rl_signatures`` under the notification id of its last event, with how
many events it covers (not unique: SQLite gives the id of an event removed from the end
of the log to the next one, and the removed event's signature stays). ``verify`` walks
the log and checks that every event is covered by a signature that holds under the
ledger's key. The table is append-only, like the events (``adapters/append_only.py``).

Each backend's recorder is the eventsourcing library's, with that one addition
(``SignedWrites``): ``adapters/stores/memory.py``, ``sqlite.py`` and ``postgres.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from domain.errors import StorageUnavailable
from domain.integrity import Signer, WriteSignature, sign_write

SIGNATURES = "rl_signatures"


class SignedWrites:
    """What every signing recorder shares: the key, the signature of a write, and the
    signatures' table (through the library's datastore, in the recorder's transaction)."""

    signer: Signer | None = None
    """Set by the composition root (``adapters.storage.bootstrap``); without it, nothing
    is written."""
    mark = "?"
    """The driver's parameter mark."""
    signature_columns = (
        "last_id INTEGER NOT NULL, count INTEGER NOT NULL, key TEXT NOT NULL, "
        "signature BLOB NOT NULL"
    )
    """The signatures' columns, in the database's types."""
    signatures_index = f"{SIGNATURES}_by_last"
    datastore: Any

    def create_signatures_table(self) -> None:
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.signatures_table()} ({self.signature_columns})"
            )
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {self.signatures_index} "
                f"ON {self.signatures_table()} (last_id)"
            )

    def signature_of(self, stored: Sequence[Any], last_id: int) -> WriteSignature:
        if self.signer is None:
            raise StorageUnavailable(
                "this ledger was opened without its signing key, so it cannot record"
            )
        return sign_write(self.signer, stored, last_id)

    def signatures_table(self) -> str:
        return SIGNATURES

    def insert_signature(self, cursor: Any, found: WriteSignature) -> None:
        marks = ", ".join([self.mark] * 4)
        cursor.execute(
            f"INSERT INTO {self.signatures_table()} (last_id, count, key, signature) "
            f"VALUES ({marks})",
            (found.last_id, found.count, found.key, found.signature),
        )

    def add_signature(self, found: WriteSignature) -> None:
        """Record a signature of events already stored (``recledger attest``)."""
        with self.datastore.transaction(commit=True) as cursor:
            self.insert_signature(cursor, found)

    def select_signatures(self, after: int, limit: int) -> list[WriteSignature]:
        """The signatures of the writes whose last event comes after ``after``, in order."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                f"SELECT last_id, count, key, signature FROM {self.signatures_table()} "
                f"WHERE last_id > {self.mark} ORDER BY last_id LIMIT {self.mark}",
                (after, limit),
            )
            return signatures_of(cursor.fetchall())


def signatures_of(rows: Sequence[Any]) -> list[WriteSignature]:
    """Signature rows (tuples, or mappings as psycopg's dict rows are) as values."""
    columns = ("last_id", "count", "key", "signature")
    values = [[r[c] for c in columns] if isinstance(r, dict) else r for r in rows]
    return [WriteSignature(int(v[0]), int(v[1]), str(v[2]), bytes(v[3])) for v in values]
