"""Writing many read-model rows at once, the fastest way each database offers.

A projection computes a batch's rows in memory; these write them in one go: ``COPY`` on
PostgreSQL, the driver's own ``executemany`` on SQLite. Both skip SQLAlchemy's per-row
parameter processing, which costs more than the insert itself for plain values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, select, tuple_

from projections.digest import Tally

_COPY_FROM = 16
"""Fewer rows go in one INSERT statement: COPY costs a round trip more to start."""


def insert_rows(
    conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]], tally: Tally | None = None
) -> None:
    """Insert ``rows`` (plain values, every row with the same keys) into ``table``; tally
    them, where the table is a read model's."""
    if not rows:
        return
    if tally is not None:
        tally.rows(table, rows)
    columns = list(rows[0])
    values = [tuple(row[c] for c in columns) for row in rows]
    if conn.dialect.name == "postgresql" and len(values) >= _COPY_FROM:
        copy_sql = f"COPY {_table(conn, table)} ({_names(conn, columns)}) FROM STDIN"
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(copy_sql) as copy:
            for row in values:
                copy.write_row(row)
    else:
        conn.exec_driver_sql(_insert(conn, table, columns), values)


def add_to_rows(
    conn: Connection,
    table: Table,
    keys: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    tally: Tally,
) -> None:
    """Add each row's other columns to those of the row with the same ``keys`` (a new row
    if there is none); then delete the rows this leaves with nothing but zeros, so that
    the table is the same however its changes were batched. (An additive table: its
    digest changes by the amounts added, ``projections.digest``.)"""
    if not rows:
        return
    tally.rows(table, rows)
    columns = list(rows[0])
    added = [c for c in columns if c not in keys]
    name = conn.dialect.identifier_preparer.quote
    plain = name(table.name)
    upsert = (
        f"{_insert(conn, table, columns)} ON CONFLICT ({_names(conn, keys)}) DO UPDATE SET "
        + ", ".join(f"{name(c)} = {plain}.{name(c)} + excluded.{name(c)}" for c in added)
    )
    conn.exec_driver_sql(upsert, [tuple(row[c] for c in columns) for row in rows])
    mark = _mark(conn)
    where = [f"{name(c)} = {mark}" for c in keys] + [f"{name(c)} = 0" for c in added]
    conn.exec_driver_sql(
        f"DELETE FROM {_table(conn, table)} WHERE {' AND '.join(where)}",
        [tuple(row[c] for c in keys) for row in rows],
    )


def rows_matching(
    conn: Connection,
    table: Table,
    keys: Sequence[str],
    values: Sequence[Sequence[Any]],
    *where: ColumnElement[bool],
) -> list[dict[str, Any]]:
    """The rows whose ``keys`` hold one of ``values`` (and that meet ``where``): what an
    update or a delete by those keys is about to change, for its tally."""
    found: list[dict[str, Any]] = []
    columns = tuple_(*(table.c[key] for key in keys))
    for start in range(0, len(values), _MATCH_BATCH):
        chunk = [tuple(v) for v in values[start : start + _MATCH_BATCH]]
        query = select(table).where(columns.in_(chunk), *where)
        found.extend(row._asdict() for row in conn.execute(query))
    return found


_MATCH_BATCH = 2000
"""Keys per query: SQLite allows 32,766 parameters in a statement."""


def _insert(conn: Connection, table: Table, columns: Sequence[str]) -> str:
    marks = ", ".join([_mark(conn)] * len(columns))
    return f"INSERT INTO {_table(conn, table)} ({_names(conn, columns)}) VALUES ({marks})"


def _table(conn: Connection, table: Table) -> str:
    """The table's name as written in SQL, in the schema the engine maps tables to."""
    prepare = conn.dialect.identifier_preparer
    schema = (conn.get_execution_options().get("schema_translate_map") or {}).get(None)
    return (f"{prepare.quote_schema(schema)}." if schema else "") + prepare.quote(table.name)


def _names(conn: Connection, columns: Sequence[str]) -> str:
    return ", ".join(conn.dialect.identifier_preparer.quote(c) for c in columns)


def _mark(conn: Connection) -> str:
    """The driver's parameter mark: ``?`` for sqlite3, ``%s`` for psycopg."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"
