"""How the projections' transactions commit and read: the runner's writes commit without
waiting for the disk (the rows are derived, and a lost batch is applied again), and a
reader sees one state of the database for all its queries (never half of a catch-up).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text


def relax_durability(conn: Connection) -> None:
    """Commit without waiting for the disk: read models are derived, and their rows and
    tracking positions commit together, so a crash can only lose whole batches, which the
    next catch-up applies again. (SQLite: PRAGMA synchronous=NORMAL on connect.)"""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET LOCAL synchronous_commit TO OFF"))


@contextmanager
def read_snapshot(conn: Connection) -> Iterator[Connection]:
    """One transaction whose reads all see one state of the database, so that a query
    combining tables (versions and updates) never sees half of a catch-up: REPEATABLE READ
    on PostgreSQL; on SQLite (WAL), a read transaction begun explicitly."""
    if conn.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn
    else:
        with conn.begin():
            conn.exec_driver_sql("BEGIN")  # the driver would not begin one for reads
            yield conn
