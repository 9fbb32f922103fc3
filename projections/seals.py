"""The seals: every stored event's Merkle leaf, recorded as the log grows.

The sealer is one more projection of the runner, so each seal commits with its tracking
position, exactly once, in the transaction that brings the read models up to date. It is
*evidence*, not a read model: the runner never drops or rebuilds it (re-sealing a changed
log would launder the change), and both its tables are append-only in the database
(``adapters/append_only.py``). ``verify`` recomputes every leaf from the stored events
and compares them with these.

A head row per sealed batch holds the tree's size, root and frontier
(``domain.integrity.Frontier``), so sealing the next event costs a hash or two.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    LargeBinary,
    String,
    Table,
    func,
    select,
)

from domain.errors import ReadModelsBehind
from domain.integrity import Entry, Frontier
from projections.bulk import insert_rows
from projections.digest import Tally
from projections.projection import EventSource
from projections.tables import metadata, micros

seals = Table(
    "rl_seals",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),  # 1-based
    Column("notification_id", BigInteger, nullable=False),
    Column("originator_id", String(36), nullable=False),
    Column("originator_version", BigInteger, nullable=False),
    Column("leaf", LargeBinary(32), nullable=False),
)

heads = Table(
    "rl_log_heads",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("frontier", LargeBinary, nullable=False),
    Column("sealed_at", BigInteger, nullable=False),  # micros since the epoch, UTC
)


@dataclass(frozen=True)
class Head:
    """The log as sealed: its size (the position of its last entry), the tree's root
    there, and when that batch was sealed (micros)."""

    size: int
    root: bytes
    sealed_at: int


@dataclass(frozen=True)
class Seal:
    position: int
    notification_id: int
    originator_id: str
    originator_version: int
    leaf: bytes


def entry(position: int, stored: Any) -> Entry:
    """A stored event (a notification) as the log's entry at ``position``. (Whatever was
    written there: a state stored as text, or none, hashes too, and differs.)"""
    state = stored.state
    if not isinstance(state, bytes):
        state = b"" if state is None else str(state).encode("utf-8")
    return Entry(
        position=position,
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic or "",
        state=state,
    )


class Sealer:
    """Seals each stored event as it is appended."""

    name = "seals"
    version = 1
    tables: tuple[Table, ...] = (seals, heads)
    evidence = True

    def __init__(self) -> None:
        self._frontier: Frontier | None = None
        self._head = 0
        """The size of the last head written."""
        self._sealed = 0
        """The notification id of the last event sealed."""

    def forget(self) -> None:
        self._frontier = None

    def apply(
        self, conn: Connection, events: Sequence[Any], source: EventSource, tally: Tally
    ) -> None:
        """Seal the events not sealed yet (the seals, not the tracking row, say which are:
        a seal appended from outside, as the database's rules let it be, is kept), then
        write a head at the seals' size."""
        frontier = self._frontier or self._load(conn)
        rows = []
        for stored in events:
            if stored.id <= self._sealed:
                continue
            leaf = entry(frontier.size + 1, stored).leaf()
            frontier.append(leaf)
            self._sealed = stored.id
            rows.append(
                {
                    "position": frontier.size,
                    "notification_id": stored.id,
                    "originator_id": str(stored.originator_id),
                    "originator_version": stored.originator_version,
                    "leaf": leaf,
                }
            )
        insert_rows(conn, seals, rows)
        if frontier.size > self._head:
            head = {
                "size": frontier.size,
                "root": frontier.root(),
                "frontier": frontier.to_bytes(),
                "sealed_at": micros(datetime.now(UTC)),
            }
            insert_rows(conn, heads, [head])
            self._head = frontier.size
        self._frontier = frontier

    def held_up_to(self, conn: Connection) -> int:
        last = conn.execute(
            select(seals.c.notification_id).order_by(seals.c.position.desc()).limit(1)
        ).scalar()
        return last or 0

    def _load(self, conn: Connection) -> Frontier:
        """The tree as sealed: the last head's frontier, and the seals after it."""
        row = conn.execute(
            select(heads.c.size, heads.c.frontier).order_by(heads.c.size.desc()).limit(1)
        ).first()
        frontier = Frontier() if row is None else Frontier.from_bytes(row.size, row.frontier)
        self._head = frontier.size
        for seal in seals_from(conn, frontier.size + 1):
            frontier.append(seal.leaf)
        self._sealed = self.held_up_to(conn)
        return frontier


def head(conn: Connection) -> Head | None:
    """The last sealed head, if any: the one at the size the seals have reached (a head
    row alone, or a seal alone, is not trusted: each must agree with the other)."""
    row = conn.execute(
        select(heads.c.size, heads.c.root, heads.c.sealed_at).order_by(heads.c.size.desc()).limit(1)
    ).first()
    sealed = conn.execute(select(func.max(seals.c.position))).scalar()
    if row is None and sealed is None:
        return None
    if row is None or row.size != sealed:
        raise ReadModelsBehind(
            f"the seals reach position {sealed or 0:,} and their last head "
            f"{row.size if row else 0:,}: the seals were changed outside the ledger; "
            "run recledger verify"
        )
    return Head(row.size, row.root, row.sealed_at)


def heads_from(conn: Connection, batch: int = 20_000) -> Iterator[Head]:
    """Every sealed head, in order of size, read in batches."""
    size = 0
    while True:
        rows = conn.execute(
            select(heads.c.size, heads.c.root, heads.c.sealed_at)
            .where(heads.c.size > size)
            .order_by(heads.c.size)
            .limit(batch)
        ).all()
        for row in rows:
            yield Head(row.size, row.root, row.sealed_at)
        if len(rows) < batch:
            return
        size = rows[-1].size


def seals_from(conn: Connection, position: int, batch: int = 20_000) -> Iterator[Seal]:
    """Every seal from ``position`` on, in order, read in batches."""
    while True:
        rows = conn.execute(
            select(seals)
            .where(seals.c.position >= position)
            .order_by(seals.c.position)
            .limit(batch)
        ).all()
        for row in rows:
            yield Seal(*row)
        if len(rows) < batch:
            return
        position = rows[-1].position + 1


def sealed_at(conn: Connection, originator_id: UUID, originator_version: int) -> int | None:
    """The position at which an event (an aggregate's version) was sealed, if it was."""
    return conn.execute(
        select(seals.c.position).where(
            seals.c.originator_id == str(originator_id),
            seals.c.originator_version == originator_version,
        )
    ).scalar()


def sealed_count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(seals)).scalar_one()


def leaves(conn: Connection, size: int) -> list[bytes]:
    """The first ``size`` sealed leaves, in order."""
    return list(
        conn.execute(
            select(seals.c.leaf).where(seals.c.position <= size).order_by(seals.c.position)
        ).scalars()
    )
