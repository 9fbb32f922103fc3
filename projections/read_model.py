"""Keeping the read models current from the event log: exactly once, in the same database.

``catch_up`` reads the notifications after the tracking position and applies them in
batches; each batch's read-model rows and the new tracking position are written in one
transaction, so a crash or a concurrent catch-up can neither skip nor repeat an event.
The tracking row is locked first (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the
first write takes the database's write lock), so two processes catching up take turns.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import Connection, Engine, bindparam, insert, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from domain.errors import ReadModelsBehind
from domain.recommendation import Recommendation, amendments
from projections.queries import due_by
from projections.tables import (
    OPEN,
    SCHEMA_VERSION,
    day_number,
    metadata,
    micros,
    tracking,
    updates,
    versions,
)
from projections.timeline import (
    Segment,
    Summary,
    advance,
    effective_day,
    summary_data,
    summary_from_data,
)

_DDL_LOCK = 0x72656C02
"""The PostgreSQL advisory lock held while the read models' tables are created."""

NAME = "recledger"
SCHEMA = "schema"
"""A tracking row that holds the read models' schema version instead of a position."""


class EventSource(Protocol):
    """What the read model needs of the event store."""

    def notifications_after(self, position: int, limit: int) -> Sequence[tuple[int, str, Any]]:
        """(notification id, ``identity``, domain event) after ``position``, in log order."""

    def events_of(self, aggregate_id: UUID, up_to_version: int) -> Sequence[Any]:
        """One aggregate's events, first to ``up_to_version``."""

    def log_from(self, position: int, limit: int) -> Sequence[tuple[int, str]]:
        """(notification id, ``identity``) of the events from ``position`` (inclusive)."""


def identity(stored: Any) -> str:
    """What tells one stored event from any other that could take its place in the log:
    its aggregate, version and a digest of its content (recorded time included)."""
    digest = hashlib.blake2b(stored.state, digest_size=8).hexdigest()
    return f"{stored.originator_id}/{stored.originator_version}/{digest}"


def dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@lru_cache(maxsize=8192)
def encoded(summary: Summary) -> str:
    """A summary as stored; the same summary recurs as segments split, so keep a few."""
    return dumps(summary_data(summary))


@dataclass
class _Known:
    """A recommendation's open segments, and its events when they have been needed."""

    segments: list[Segment]
    history: list[Any] | None


@dataclass
class _Batch:
    """Row changes of one batch, written with a few ``executemany`` at the end."""

    open_versions: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    """Opened in this batch and still open, by (rec id, eff_from)."""
    closed_versions: list[dict[str, Any]] = field(default_factory=list)
    """Opened and closed within this batch: written closed."""
    versions_to_close: list[dict[str, Any]] = field(default_factory=list)
    """Rows already in the table that this batch closes."""
    open_updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    closed_updates: list[dict[str, Any]] = field(default_factory=list)
    updates_to_close: list[dict[str, Any]] = field(default_factory=list)


class ReadModel:
    """The bitemporal versions and updates of every recommendation, kept from the events."""

    def __init__(self, engine: Engine, *, cache_size: int = 1024) -> None:
        self.engine = engine
        self._open: OrderedDict[str, _Known] = OrderedDict()
        self._cache_size = cache_size
        self._cache_position: int | None = None
        if not self._schema_is_current():
            self._create_schema()

    def _create_schema(self) -> None:
        """Create the tables, or drop and recreate read models of an older shape.

        One process at a time (the write lock on SQLite, an advisory lock on PostgreSQL,
        both held to the end of the transaction that creates them): many processes
        starting on a fresh database at once must not race each other's DDL."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _DDL_LOCK})
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            metadata.create_all(conn)
            stored = dict(conn.execute(select(tracking.c.name, tracking.c.position)).all())
            if stored.get(SCHEMA, SCHEMA_VERSION) != SCHEMA_VERSION:
                # Derived data in an older shape: drop it, and the catch-up rebuilds it.
                metadata.drop_all(conn)
                metadata.create_all(conn)
                stored = {}
            for name, value in ((NAME, 0), (SCHEMA, SCHEMA_VERSION)):
                if name not in stored:
                    conn.execute(insert(tracking).values(name=name, position=value))

    def _schema_is_current(self) -> bool:
        """One read instead of a round of table checks, for the common case."""
        try:
            with self.engine.connect() as conn:
                stored = dict(conn.execute(select(tracking.c.name, tracking.c.position)).all())
        except SQLAlchemyError:  # no tracking table yet
            return False
        return stored.get(SCHEMA) == SCHEMA_VERSION and NAME in stored

    def is_behind(self, conn: Connection, source: EventSource) -> bool:
        """Whether the log holds events not yet applied (read on the caller's connection).

        Raises ``ReadModelsBehind`` when the log no longer holds, at the tracked position,
        the event applied there: it was changed outside the ledger, and answering from
        these rows would hide that (an event stored at a reused position is never skipped).
        """
        position, applied = conn.execute(
            select(tracking.c.position, tracking.c.last_event).where(tracking.c.name == NAME)
        ).one()
        log = source.log_from(position, 2)
        if position:
            _check_position(position, applied, log[:1])
            return len(log) > 1
        return bool(log)

    def position(self) -> int:
        with self.engine.connect() as conn:
            return self._position(conn)

    def catch_up(
        self,
        source: EventSource,
        *,
        batch_size: int = 1000,
        progress: Callable[[int], None] | None = None,
        behind: bool = False,
    ) -> int:
        """Apply every event recorded before the call and not yet applied; return how many.

        Unless the caller knows it is ``behind`` (it has just written), nothing new (the
        usual case for a query) costs two reads and no transaction."""
        applied = 0
        if not behind:
            with self.engine.connect() as conn:
                if not self.is_behind(conn, source):
                    return applied
        while True:
            try:
                with self.engine.begin() as conn:
                    self._relax_durability(conn)
                    position, last_event = self._lock(conn)
                    if position:
                        _check_position(position, last_event, source.log_from(position, 1))
                    if position != self._cache_position:
                        self._open.clear()
                    notes = source.notifications_after(position, batch_size)
                    if not notes:
                        self._cache_position = position
                        return applied
                    batch = _Batch()
                    for _, _, event in notes:
                        self._apply(conn, batch, source, event)
                    self._flush(conn, batch)
                    last, last_event = notes[-1][0], notes[-1][1]
                    conn.execute(
                        update(tracking)
                        .where(tracking.c.name == NAME)
                        .values(position=last, last_event=last_event)
                    )
            except BaseException:
                self._open.clear()
                self._cache_position = None
                raise
            self._cache_position = last
            applied += len(notes)
            if progress is not None:
                progress(len(notes))
            if len(notes) < batch_size:
                return applied  # the end of the log as it was read

    def clear(self) -> None:
        """Forget every row, to rebuild from the first event."""
        with self.engine.begin() as conn:
            self._lock(conn)
            _recreate(conn)
            conn.execute(
                update(tracking).where(tracking.c.name == NAME).values(position=0, last_event=None)
            )
        self._open.clear()
        self._cache_position = None

    # Applying one event

    def _apply(self, conn: Connection, batch: _Batch, source: EventSource, event: Any) -> None:
        if not isinstance(event, Recommendation.Event):
            return  # a plan's events are read from the plan itself
        rec_id = str(event.originator_id)
        known = (
            _Known([], [])
            if isinstance(event, Recommendation.Raised)
            else self._known(conn, rec_id)
        )
        if known.history is not None:
            known.history.append(event)

        def history() -> list[Any]:
            if known.history is None:
                known.history = list(
                    source.events_of(event.originator_id, event.originator_version)
                )
            return known.history

        before = known.segments
        known.segments = advance(before, event, history)
        moment = micros(event.timestamp)
        self._replace_versions(batch, rec_id, before, known.segments, moment)
        self._cache(rec_id, known)
        summary = known.segments[0].summary
        if isinstance(event, Recommendation.ProgressRecorded):
            self._add_update(batch, rec_id, summary.plan_id, event, event.data(), moment)
        elif isinstance(event, Recommendation.Corrected):
            self._correct_update(batch, history(), event, summary.plan_id, moment)

    def _known(self, conn: Connection, rec_id: str) -> _Known:
        """What is known of a recommendation now: from the cache, else from the table."""
        if rec_id in self._open:
            self._open.move_to_end(rec_id)
            return self._open[rec_id]
        rows = conn.execute(
            select(versions.c.eff_from, versions.c.eff_to, versions.c.summary)
            .where(versions.c.rec_id == rec_id, versions.c.rec_to == OPEN)
            .order_by(versions.c.eff_from)
        )
        segments = [
            Segment(
                date.fromordinal(row.eff_from),
                date.fromordinal(row.eff_to),
                summary_from_data(json.loads(row.summary)),
            )
            for row in rows
        ]
        return _Known(segments, None)

    def _cache(self, rec_id: str, known: _Known) -> None:
        self._open[rec_id] = known
        self._open.move_to_end(rec_id)
        while len(self._open) > self._cache_size:
            self._open.popitem(last=False)

    @staticmethod
    def _replace_versions(
        batch: _Batch, rec_id: str, before: list[Segment], after: list[Segment], moment: int
    ) -> None:
        for gone in _missing(before, after):
            key = (rec_id, day_number(gone.eff_from))
            pending = batch.open_versions.pop(key, None)
            if pending is not None:
                batch.closed_versions.append({**pending, "rec_to": moment})
            else:
                batch.versions_to_close.append(
                    {"key_rec": rec_id, "key_from": key[1], "rec_to": moment}
                )
        for new in _missing(after, before):
            batch.open_versions[(rec_id, day_number(new.eff_from))] = {
                "rec_id": rec_id,
                "plan_id": new.summary.plan_id,
                "ref": new.summary.ref,
                "eff_from": day_number(new.eff_from),
                "eff_to": day_number(new.eff_to),
                "rec_from": moment,
                "rec_to": OPEN,
                "status": new.summary.status.value,
                "due_end": _day_or_none(due_by((new.summary, *new.summary.sub_actions))),
                "summary": encoded(new.summary),
            }

    @staticmethod
    def _add_update(
        batch: _Batch,
        rec_id: str,
        plan_id: str,
        event: Recommendation.Event,
        data: dict[str, Any],
        moment: int,
        correction: Recommendation.Corrected | None = None,
    ) -> None:
        """An update's row; ``correction``, the latest amendment it is read through."""
        effective = data["effective"]
        batch.open_updates[event.event_id] = {
            "rec_id": rec_id,
            "plan_id": plan_id,
            "event_id": event.event_id,
            "action": data["action"],
            "sequence": event.originator_version,
            "eff_end": day_number(effective_day(event, data)),
            "rec_from": moment,
            "rec_to": OPEN,
            "effective": dumps(effective.to_data()),
            "text": data["text"],
            "actor": event.actor,
            "recorded_at": micros(event.timestamp),
            "source": event.source,
            "corrected_by": correction.event_id if correction else None,
            "corrected_actor": correction.actor if correction else None,
            "corrected_at": micros(correction.timestamp) if correction else None,
            "correction_reason": correction.reason if correction else None,
        }

    def _correct_update(
        self,
        batch: _Batch,
        history: Sequence[Any],
        correction: Recommendation.Corrected,
        plan_id: str,
        moment: int,
    ) -> None:
        target = next(e for e in history if e.event_id == correction.corrects)
        if not isinstance(target, Recommendation.ProgressRecorded):
            return
        pending = batch.open_updates.pop(target.event_id, None)
        if pending is not None:
            batch.closed_updates.append({**pending, "rec_to": moment})
        else:
            batch.updates_to_close.append(
                {
                    "key_rec": str(target.originator_id),
                    "key_event": target.event_id,
                    "rec_to": moment,
                }
            )
        if not correction.retract:
            merged = {**target.data(), **amendments(history).get(target.event_id, {})}
            rec_id = str(correction.originator_id)
            self._add_update(batch, rec_id, plan_id, target, merged, moment, correction)

    # Writing a batch

    @staticmethod
    def _flush(conn: Connection, batch: _Batch) -> None:
        """Close rows first (only open rows match), then insert: the order that keeps
        at most one open row per (recommendation, eff_from) and per update."""
        if batch.versions_to_close:
            conn.execute(
                update(versions)
                .where(
                    versions.c.rec_id == bindparam("key_rec"),
                    versions.c.eff_from == bindparam("key_from"),
                    versions.c.rec_to == OPEN,
                )
                .values(rec_to=bindparam("rec_to")),
                batch.versions_to_close,
            )
        if batch.updates_to_close:
            conn.execute(
                update(updates)
                .where(
                    updates.c.rec_id == bindparam("key_rec"),
                    updates.c.rec_to == OPEN,
                    updates.c.event_id == bindparam("key_event"),
                )
                .values(rec_to=bindparam("rec_to")),
                batch.updates_to_close,
            )
        for table, rows in (
            (versions, [*batch.closed_versions, *batch.open_versions.values()]),
            (updates, [*batch.closed_updates, *batch.open_updates.values()]),
        ):
            if rows:
                conn.execute(insert(table), rows)

    @staticmethod
    def _relax_durability(conn: Connection) -> None:
        """Commit without waiting for the disk: the read model is derived, and its rows and
        tracking position commit together, so a crash can only lose whole batches, which
        the next catch-up applies again. (SQLite: PRAGMA synchronous=NORMAL on connect.)"""
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL synchronous_commit TO OFF"))

    # Tracking

    @staticmethod
    def _position(conn: Connection) -> int:
        position: int = conn.execute(
            select(tracking.c.position).where(tracking.c.name == NAME)
        ).scalar_one()
        return position

    def _lock(self, conn: Connection) -> tuple[int, str | None]:
        """Take the tracking row for this transaction; read the position and its event."""
        columns = (tracking.c.position, tracking.c.last_event)
        if conn.dialect.name == "postgresql":
            row = conn.execute(
                select(*columns).where(tracking.c.name == NAME).with_for_update()
            ).one()
        else:  # SQLite: a write takes the database's write lock until commit.
            row = conn.execute(
                update(tracking)
                .where(tracking.c.name == NAME)
                .values(position=tracking.c.position)
                .returning(*columns)
            ).one()
        return row.position, row.last_event


def _check_position(position: int, applied: str | None, log: Sequence[tuple[int, str]]) -> None:
    """Refuse to go on from ``position`` unless the log still holds the event applied there."""
    if not log or log[0][0] != position:
        why = "ends before it" if not log else "no longer holds it"
    elif applied is not None and log[0][1] != applied:
        why = f"holds another event there ({log[0][1]}, not {applied})"
    else:
        return
    raise ReadModelsBehind(
        f"the read models applied the log up to event {position}, but the log {why}: "
        "the log was changed outside the ledger; rebuild the read models from it"
    )


def _day_or_none(day: date | None) -> int | None:
    return day_number(day) if day is not None else None


def _missing(these: list[Segment], those: list[Segment]) -> list[Segment]:
    """The segments of ``these`` not in ``those``; most are the very same objects."""
    same = {id(s) for s in those}
    return [s for s in these if id(s) not in same and s not in those]


def _recreate(conn: Connection) -> None:
    """Empty the read-model tables by dropping and creating them: far less to write (and,
    on SQLite, to log) than deleting millions of rows."""
    for table in (versions, updates):
        table.drop(conn)
        table.create(conn)
