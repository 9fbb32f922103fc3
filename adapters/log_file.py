"""Exporting the log to a file, and restoring a ledger from one.

``export_log`` writes every stored event, undecoded, as ``domain.integrity`` lines: the
bytes of each event as stored, its position and its hash, then the size and the root.
``restore`` reads such a file into an empty ledger in one transaction, refusing it at
its first bad line (``adapters.verifier.read_export``): the restored events are the same
bytes at the same positions, so the restored log has the same root, and its export is
the same file, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

import eventsourcing.postgres as es_postgres
from eventsourcing.persistence import StoredEvent

from adapters.postgres_recorder import ChunkedPostgresApplicationRecorder
from adapters.verifier import VerificationFailed, read_export
from domain import integrity
from domain.errors import InvalidCommand
from service.integrity import log_entries
from service.ledger import Ledger

_BATCH = 1000


def export_log(ledger: Ledger, path: Path) -> tuple[int, bytes]:
    """Write the whole log to ``path``; return its size and root."""
    frontier = integrity.Frontier()
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(integrity.header_line() + "\n")
        for _, entry in log_entries(ledger):
            out.write(entry.to_line() + "\n")
            frontier.append(entry.leaf())
        out.write(integrity.trailer_line(frontier.size, frontier.root()) + "\n")
    return frontier.size, frontier.root()


def restore(ledger: Ledger, path: Path) -> int:
    """Append every event of an exported log to an empty ledger, all or nothing; return
    how many. The read models and the seals then catch up."""
    count = 0
    with _appending(ledger) as append:
        entries = read_export_or_refuse(path)
        while chunk := list(islice(entries, _BATCH)):
            append(
                [
                    StoredEvent(
                        originator_id=e.originator_id,
                        originator_version=e.originator_version,
                        topic=e.topic,
                        state=e.state,
                    )
                    for e in chunk
                ]
            )
            count += len(chunk)
    ledger.project(behind=True)
    return count


def read_export_or_refuse(path: Path) -> Iterator[integrity.Entry]:
    try:
        yield from read_export(path)
    except VerificationFailed as failure:
        raise InvalidCommand(f"restore refused: {failure}; nothing was restored") from None


Append = Callable[[Sequence[StoredEvent]], None]


@contextmanager
def _appending(ledger: Ledger) -> Iterator[Append]:
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
            yield lambda events: es_postgres.PostgresAggregateRecorder._insert_stored_events(
                recorder, curs, events
            )
            recorder._notify_channel(curs)
        return
    if not hasattr(recorder, "datastore"):  # in memory
        _refuse_unless_empty(recorder.select_notifications(None, 1))
        pending: list[StoredEvent] = []
        yield pending.extend
        recorder.insert_events(pending)
        return
    with recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(f"SELECT 1 FROM {recorder.events_table_name} LIMIT 1")
        _refuse_unless_empty(cursor.fetchall())
        yield lambda events: recorder._insert_events(cursor, events)


def _refuse_unless_empty(found: Iterable[Any]) -> None:
    if list(found):
        raise InvalidCommand(
            "restore refused: this ledger already holds events; restore into an empty one"
        )
