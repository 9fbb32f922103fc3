"""Digests of the read models' tables: what makes an edit of their rows visible.

A table's digest is the sum, modulo 2**256, of a keyed hash of each of its rows (every
column but the surrogate ``id``): it does not depend on the rows' order, so a projection
keeps it as it writes, adding the hashes of the rows it inserts and taking away those of
the rows it updates or deletes (``Tally``), and ``verify`` recomputes it from the rows as
they are (``table_digest``). An additive table (``rl_counts``, whose rows are sums of
steps) is digested linearly instead: each value times a keyed hash of its row's key and
column, so adding a step changes the digest by the step alone.

The hash is keyed with a secret derived from the ledger's key (``adapters/signing.py``):
someone who can write to the database but does not hold the key cannot compute the digest
of a row, so cannot edit rows and the stored digests to agree, nor find rows whose hashes
cancel out.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, select

from projections.tables import versions

MODULUS = 1 << 256
_BATCH = 20_000


def columns(table: Table) -> list[str]:
    """The columns a row's digest covers: all but the surrogate key."""
    return [c.name for c in table.columns if c.name != "id"]


def additive(table: Table) -> bool:
    return bool(table.info.get("additive"))


def _hash(key: bytes, table: str, values: Sequence[object]) -> int:
    data = json.dumps([table, *values], separators=(",", ":")).encode("utf-8")
    return int.from_bytes(hashlib.blake2b(data, key=key, digest_size=32).digest(), "big")


class _Digester:
    """A table's row digest, for rows given as values in ``columns(table)`` order."""

    def __init__(self, table: Table, key: bytes) -> None:
        self.name, self.key = table.name, key
        self.columns = columns(table)
        keys = {c.name for c in table.primary_key.columns} if additive(table) else set()
        self.keys = [i for i, c in enumerate(self.columns) if c in keys]
        self.amounts = [(i, c) for i, c in enumerate(self.columns) if keys and c not in keys]

    def __call__(self, values: Sequence[Any]) -> int:
        if not self.amounts:
            return _hash(self.key, self.name, values)
        ids = [values[i] for i in self.keys]
        return sum(values[i] * _hash(self.key, self.name, [*ids, c]) for i, c in self.amounts)


def row_digest(key: bytes, table: Table, row: Mapping[str, Any]) -> int:
    """One row's share of its table's digest."""
    digester = _Digester(table, key)
    return digester([row[c] for c in digester.columns])


class Tally:
    """The change one transaction makes to each table's digest."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.changes: dict[str, int] = defaultdict(int)

    def rows(self, table: Table, rows: Iterable[Mapping[str, Any]], sign: int = 1) -> None:
        """Rows written (``sign`` 1) or removed (-1); for an additive table, steps added."""
        digester = _Digester(table, self.key)
        change = sum(digester([row[c] for c in digester.columns]) for row in rows)
        self.changes[table.name] = (self.changes[table.name] + sign * change) % MODULUS


def combined(digests: Mapping[str, int], changes: Mapping[str, int]) -> dict[str, int]:
    return {name: (value + changes.get(name, 0)) % MODULUS for name, value in digests.items()}


def table_digest(conn: Connection, table: Table, key: bytes) -> int:
    """The digest of the table's rows as they are (every row read)."""
    return sum(by_item(conn, table, key, ()).values()) % MODULUS


def by_item(
    conn: Connection, table: Table, key: bytes, group: Sequence[str]
) -> dict[tuple[Any, ...], int]:
    """The digest of the table's rows, per value of the ``group`` columns (the whole
    table under ``()``): where two copies of a table differ, which items differ."""
    digester = _Digester(table, key)
    at = [digester.columns.index(c) for c in group]
    found: dict[tuple[Any, ...], int] = defaultdict(int)
    query = select(*(table.c[c] for c in digester.columns))
    for rows in conn.execution_options(yield_per=_BATCH).execute(query).partitions():
        for row in rows:
            item = tuple(row[i] for i in at)
            found[item] = (found[item] + digester(row)) % MODULUS
    return dict(found)


def item_columns(table: Table) -> tuple[str, ...]:
    """The columns that say which item a row is of (``info["item"]`` in projections.tables)."""
    return tuple(table.info.get("item", ()))


def places(conn: Connection) -> dict[str, str]:
    """Each recommendation's plan and ref, by its id: how an item is named."""
    rows = conn.execute(select(versions.c.rec_id, versions.c.plan_id, versions.c.ref).distinct())
    return {row.rec_id: f"{row.plan_id} {row.ref}" for row in rows}


def differing_items(
    table: Table,
    live: Mapping[tuple[Any, ...], int],
    rebuilt: Mapping[tuple[Any, ...], int],
    named: Mapping[str, str],
) -> list[tuple[str, str]]:
    """(item, what differs) for each item whose rows in ``live`` are not those in
    ``rebuilt`` (``by_item`` of each copy of the table)."""
    found = []
    for item in sorted(live.keys() | rebuilt.keys(), key=repr):
        if live.get(item) == rebuilt.get(item):
            continue
        if item not in rebuilt:
            detail = "holds rows the log does not give"
        elif item not in live:
            detail = "lacks the rows the log gives"
        else:
            detail = "its rows differ from those the log gives"
        found.append((_name(table, item, named), detail))
    return found


def _name(table: Table, item: tuple[Any, ...], named: Mapping[str, str]) -> str:
    columns = item_columns(table)
    if columns == ("rec_id",):
        return named.get(str(item[0]), f"recommendation {item[0]}")
    return " ".join(
        f"{c} {v!r}" if c == "name" else str(v) for c, v in zip(columns, item, strict=True)
    )
