"""Exporting the log to a file, and restoring a ledger from one.

``export_log`` writes every stored event, undecoded, as ``domain.integrity`` lines: the
bytes of each event as stored, its position and its hash, each write's signature after
its last event, then the size and the root. ``restore`` reads such a file into an empty
ledger in one transaction, refusing it at its first bad line
(``adapters.verifier.read_export``): the restored events are the same bytes at the same
positions, with the same signatures, so the restored log has the same root, verifies
under the same key, and its export is the same file, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import eventsourcing.postgres as es_postgres
from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from adapters.stores.memory import SigningMemoryRecorder
from adapters.stores.postgres import ChunkedPostgresApplicationRecorder
from adapters.verifier import Item, VerificationFailed, read_export
from domain import integrity
from domain.errors import InvalidCommand
from service.integrity import every_signature, log_entries
from service.ledger import Ledger

_BATCH = 1000


def export_log(ledger: Ledger, path: Path) -> tuple[int, bytes]:
    """Write the whole log to ``path``, each write's signature after its last entry;
    return its size and root."""
    frontier = integrity.Frontier()
    signatures = signatures_by_last_event(ledger)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(integrity.header_line() + "\n")
        for note, entry in log_entries(ledger):
            out.write(entry.to_line() + "\n")
            frontier.append(entry.leaf())
            signed = signatures.get(note.id)
            if signed is not None:
                out.write(signed.to_line() + "\n")
        out.write(integrity.trailer_line(frontier.size, frontier.root()) + "\n")
    return frontier.size, frontier.root()


def signatures_by_last_event(ledger: Ledger) -> dict[int, integrity.WriteSignature]:
    """Each write's signature by the notification id of its last event: the one by the
    ledger's key where several end at one event (``adapters/stores/signed.py``)."""
    found: dict[int, integrity.WriteSignature] = {}
    for signed in every_signature(ledger):
        kept = found.get(signed.last_id)
        if kept is None or (kept.key != _key(ledger) and signed.key == _key(ledger)):
            found[signed.last_id] = signed
    return found


def _key(ledger: Ledger) -> str:
    return ledger.signer.fingerprint


def restore(ledger: Ledger, path: Path) -> int:
    """Append every event of an exported log, and its writes' signatures, to an empty
    ledger, all or nothing; return how many events. The read models and the seals then
    catch up. The export's writes must be signed with this ledger's key."""
    count = 0
    with _appending(ledger) as store:
        group: list[StoredEvent] = []
        last_id = 0
        for item in read_export_or_refuse(path):
            if isinstance(item, integrity.WriteSignature):
                if item.key != _key(ledger):
                    raise InvalidCommand(
                        f"restore refused: {path} is signed with key {item.key}, this ledger's "
                        f"key is {_key(ledger)}: restore with RECLEDGER_SIGNING_KEY set to the "
                        "key that signed it; nothing was restored"
                    )
                if group:
                    last_id = store.append(group)
                    group = []
                store.sign(replace(item, last_id=last_id))
                continue
            group.append(
                StoredEvent(
                    originator_id=item.originator_id,
                    originator_version=item.originator_version,
                    topic=item.topic,
                    state=item.state,
                )
            )
            count += 1
            if len(group) >= _BATCH:
                last_id = store.append(group)
                group = []
        if group:
            store.append(group)
    ledger.project(behind=True)
    return count


def read_export_or_refuse(path: Path) -> Iterator[Item]:
    try:
        yield from read_export(path)
    except VerificationFailed as failure:
        raise InvalidCommand(f"restore refused: {failure}; nothing was restored") from None


class Store(Protocol):
    def append(self, events: Sequence[StoredEvent]) -> int:
        """Append events (unsigned); return the notification id of the last."""

    def sign(self, signed: integrity.WriteSignature) -> None:
        """Record a write's signature, as exported."""


@dataclass
class _Cursor:
    """Appending through a recorder's cursor, without signing (the export's signatures
    are restored as they were made)."""

    insert: Callable[[Sequence[StoredEvent]], Sequence[int] | None]
    record: Callable[[integrity.WriteSignature], None]

    def append(self, events: Sequence[StoredEvent]) -> int:
        return list(self.insert(events) or [0])[-1]

    def sign(self, signed: integrity.WriteSignature) -> None:
        self.record(signed)


@contextmanager
def _appending(ledger: Ledger) -> Iterator[Store]:
    """One transaction that appends events to the event store, if it holds none."""
    recorder: Any = ledger.recorder
    if isinstance(recorder, ChunkedPostgresApplicationRecorder):
        with (
            recorder.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            recorder._lock_table(curs)
            curs.execute(
                f'SELECT 1 FROM "{recorder.datastore.schema}"."{recorder.events_table_name}" '
                "LIMIT 1"
            )
            _refuse_unless_empty(curs.fetchall())

            def insert(events: Sequence[StoredEvent]) -> Sequence[int] | None:
                es_postgres.PostgresAggregateRecorder._insert_stored_events(recorder, curs, events)
                return recorder._fetch_ids_after_insert_events(curs, events)

            yield _Cursor(insert, lambda signed: recorder.insert_signature(curs, signed))
            recorder._notify_channel(curs)
        return
    if isinstance(recorder, SigningMemoryRecorder):
        _refuse_unless_empty(recorder.select_notifications(None, 1))
        pending: list[StoredEvent] = []
        signatures: list[integrity.WriteSignature] = []

        def held(events: Sequence[StoredEvent]) -> list[int]:
            pending.extend(events)
            return [len(pending)]

        yield _Cursor(held, signatures.append)
        with recorder._database_lock:
            POPOApplicationRecorder.insert_events(recorder, pending)
            for signed in signatures:
                recorder.add_signature(signed)
        return
    with recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(f"SELECT 1 FROM {recorder.events_table_name} LIMIT 1")
        _refuse_unless_empty(cursor.fetchall())
        yield _Cursor(
            lambda events: SQLiteApplicationRecorder._insert_events(recorder, cursor, events),
            lambda signed: recorder.insert_signature(cursor, signed),
        )


def _refuse_unless_empty(found: Iterable[Any]) -> None:
    if list(found):
        raise InvalidCommand(
            "restore refused: this ledger already holds events; restore into an empty one"
        )
