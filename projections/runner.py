"""Keeping read models current from the event log: exactly once, in the same database.

A read model is a ``Projection`` (``projections.projection``): a name, a schema version,
its tables, and how it applies a batch of events. The ``Runner`` owns everything else, the
same for every projection: one tracking row per projection (its position in the log, the
identity of the event there, and its schema version: ``projections.tracking``), the lock,
the batches, rebuilding a projection whose schema version changed
(``projections.schema``), durability (``projections.transactions``), progress. Adding a
projection touches no code here.

**Exactly once.** ``catch_up`` locks the tracking rows (``SELECT ... FOR UPDATE`` on
PostgreSQL; on SQLite the first write takes the database's write lock), reads the
notifications after the lowest position, gives each projection those after its own, and
writes every projection's rows and its new position in one transaction. A crash or a
concurrent catch-up can neither skip nor repeat an event.

**Why "every notification after the position" is safe.** Reading on from a position
assumes that no notification with a lower id can become visible later: an id must never
commit after a larger one. On PostgreSQL, ids come from a sequence, and two concurrent
transactions could commit them out of order; the event store prevents that by taking
one lock for every writer before inserting (``adapters/stores/postgres.py``, as the
library's own recorder does with ``LOCK TABLE``), so inserts commit one at a time, in id
order. On SQLite there is one writer at a time. The test
``tests/integration/test_concurrent_writers.py`` runs writer processes and catch-ups at
once on PostgreSQL and checks every event is applied exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from domain.errors import ReadModelsBehind
from projections.digest import Tally, combined
from projections.projection import EventSource, Projection
from projections.schema import create_schema, schema_is_current
from projections.tables import tracking
from projections.tracking import (
    REBUILD,
    Tracked,
    check_position,
    decode_digests,
    position_fails,
    sealed_columns,
    tracking_seal,
)
from projections.transactions import relax_durability


class Runner:
    """Brings every projection up to date with the log, exactly once, keeping each read
    model's digests (``projections.digest``) in its tracking row, sealed with a hash keyed
    by ``key`` over the position they are of: a row whose seal does not hold was written
    by someone without the key, and nothing is applied over it."""

    tally: type[Tally] = Tally
    """What keeps the digests of a catch-up's writes."""

    def __init__(self, engine: Engine, projections: Sequence[Projection], key: bytes) -> None:
        self.engine = engine
        self.key = key
        self.projections = {projection.name: projection for projection in projections}
        self._names = sorted(self.projections)  # locks are always taken in this order
        self._derived = [n for n in self._names if not self.projections[n].evidence]
        self._cached_at: dict[str, int] = {}
        """The position each projection's memory was current at; another, and it forgets."""
        self.stopped: dict[str, str] = {}
        """Why an evidence projection stopped following the log, by name."""
        if not schema_is_current(engine, self.projections):
            create_schema(engine, self.projections, key)

    def projection(self, name: str) -> Any:
        return self.projections[name]

    @property
    def read_models(self) -> list[str]:
        """The names of the projections that are read models (not evidence)."""
        return list(self._derived)

    # Catching up

    def is_behind(self, conn: Connection, source: EventSource) -> bool:
        """Whether the log holds events not yet applied (read on the caller's connection).

        Raises ``ReadModelsBehind`` when the log no longer holds, at a tracked position,
        the event applied there: it was changed outside the ledger, and answering from
        these rows would hide that (an event stored at a reused position is never skipped).
        """
        rows = conn.execute(
            select(tracking.c.position, tracking.c.last_event).where(
                tracking.c.name.in_(self._derived)
            )
        ).all()
        position, applied = min((row.position, row.last_event or "") for row in rows)
        log = source.log_from(position, 2)
        if position:
            if why := check_position(position, applied or None, log[:1]):
                raise ReadModelsBehind(f"the read models {why}; {REBUILD}")
            return len(log) > 1
        return bool(log)

    def position(self) -> int:
        """The position up to which every projection has applied the log."""
        with self.engine.connect() as conn:
            return min(self._positions(conn).values())

    def read_position(self) -> int:
        """The position up to which every read model (not the evidence) has applied the
        log: their answers are those of the log up to here."""
        with self.engine.connect() as conn:
            positions = self._positions(conn)
        return min(positions[name] for name in self._derived)

    def catch_up(
        self,
        source: EventSource,
        *,
        batch_size: int = 1000,
        progress: Callable[[int], None] | None = None,
        behind: bool = False,
    ) -> int:
        """Apply every event recorded before the call and not yet applied; return how many
        notifications were read.

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
                    relax_durability(conn)
                    positions = self._lock(conn, source)
                    if not positions:
                        return applied
                    for name, position in positions.items():
                        if self._cached_at.get(name) != position:
                            self.projections[name].forget()  # another process moved it on
                    self._cached_at = positions
                    notes = source.notifications_after(min(positions.values()), batch_size)
                    if not notes:
                        return applied
                    digests = self._digests(conn, positions)
                    tallies: dict[str, Tally] = {}
                    for name, position in positions.items():
                        projection = self.projections[name]
                        item = 3 if projection.evidence else 2
                        events = [note[item] for note in notes if note[0] > position]
                        if events:
                            tallies[name] = self.tally(self.key)
                            projection.apply(conn, events, source, tallies[name])
                    last, last_event = notes[-1][0], notes[-1][1]
                    for name, position in positions.items():
                        if position >= last:  # never back: one ahead of this batch (the
                            continue  # seals, after a rebuild cut short) would apply twice
                        found = digests.get(name)
                        if found is not None and name in tallies:
                            found = combined(found, tallies[name].changes)
                        conn.execute(
                            update(tracking)
                            .where(tracking.c.name == name)
                            .values(
                                position=last,
                                last_event=last_event,
                                **self._sealed(name, last, last_event, found),
                            )
                        )
            except BaseException:
                self._forget_all()
                raise
            self._cached_at = {name: max(position, last) for name, position in positions.items()}
            applied += len(notes)
            if progress is not None:
                progress(len(notes))
            if len(notes) < batch_size:
                return applied  # the end of the log as it was read

    def clear(self, names: Sequence[str] | None = None) -> None:
        """Forget every row of the read models named (default all), to rebuild them from
        the first event. Evidence is never cleared."""
        chosen = list(names or self._derived)
        if evidence := [name for name in chosen if self.projections[name].evidence]:
            raise ValueError(f"{', '.join(evidence)}: evidence is never cleared")
        with self.engine.begin() as conn:
            self._lock(conn, None)
            for name in chosen:
                for table in self.projections[name].tables:
                    # Dropping and creating: far less to write (and, on SQLite, to log)
                    # than deleting millions of rows.
                    table.drop(conn)
                    table.create(conn)
            for name in chosen:
                conn.execute(
                    update(tracking)
                    .where(tracking.c.name == name)
                    .values(position=0, last_event=None, **self._sealed(name, 0, None, None))
                )
        self._forget_all()

    def _forget_all(self) -> None:
        for projection in self.projections.values():
            projection.forget()
        self._cached_at = {}

    # Digests

    def seal(self, name: str, position: int, last_event: str | None, digests: str | None) -> str:
        """The keyed hash that says a tracking row was written by the ledger: its
        projection, position, the event there, and its tables' digests then."""
        return tracking_seal(self.key, name, position, last_event, digests)

    def _sealed(
        self, name: str, position: int, last_event: str | None, digests: dict[str, int] | None
    ) -> dict[str, str | None]:
        """The ``digests`` and ``seal`` columns of a tracking row (empty digests where
        ``digests`` is None: a read model just cleared)."""
        return sealed_columns(self.key, self.projections[name], position, last_event, digests)

    def tracked(self, conn: Connection) -> dict[str, Tracked]:
        """Each read model's tracking row as stored, and whether its seal holds."""
        rows = conn.execute(
            select(tracking).where(tracking.c.name.in_(self._derived)).order_by(tracking.c.name)
        ).all()
        return {
            row.name: Tracked(
                row.position,
                decode_digests(row.digests),
                row.seal == self.seal(row.name, row.position, row.last_event, row.digests),
            )
            for row in rows
        }

    def _digests(
        self, conn: Connection, positions: dict[str, int]
    ) -> dict[str, dict[str, int] | None]:
        """The digests of the read models about to be written, refusing any whose
        tracking row the ledger did not write (applying over it would seal what someone
        else put there)."""
        found: dict[str, dict[str, int] | None] = {}
        for name, row in self.tracked(conn).items():
            if name not in positions:
                continue
            if not row.sealed:
                raise ReadModelsBehind(
                    f"the {name} read model's tracking row was changed outside the ledger "
                    f"(its seal does not hold); {REBUILD}"
                )
            found[name] = row.digests
        return found

    # Tracking

    def _positions(self, conn: Connection) -> dict[str, int]:
        rows = conn.execute(
            select(tracking.c.name, tracking.c.position).where(tracking.c.name.in_(self._names))
        )
        return {row.name: row.position for row in rows}

    def _lock(self, conn: Connection, source: EventSource | None) -> dict[str, int]:
        """Take the tracking rows for this transaction (always in name order); read each
        projection's position, checked against the log if given (the event applied there
        must still be there): a read model that fails raises; evidence that fails is left
        out, its reason in ``stopped``."""
        columns = (tracking.c.name, tracking.c.position, tracking.c.last_event)
        mine = tracking.c.name.in_(self._names)
        if conn.dialect.name == "postgresql":
            query = select(*columns).where(mine).order_by(tracking.c.name).with_for_update()
            rows = conn.execute(query).all()
        else:  # SQLite: a write takes the database's write lock until commit.
            rows = conn.execute(
                update(tracking)
                .where(mine)
                .values(position=tracking.c.position)
                .returning(*columns)
            ).all()
        found = {row.name: row.position for row in rows}
        if source is None:
            return found
        checked: dict[tuple[int, str | None], str | None] = {}
        for row in sorted(rows, key=lambda row: self.projections[row.name].evidence):
            at = (row.position, row.last_event)
            if at not in checked:
                checked[at] = position_fails(*at, source)
            if checked[at] is None:
                self.stopped.pop(row.name, None)
            elif self.projections[row.name].evidence:
                self.stopped[row.name] = f"the {row.name} {checked[at]}; run recledger verify"
                del found[row.name]
            else:
                raise ReadModelsBehind(f"the read models {checked[at]}; {REBUILD}")
        return found
