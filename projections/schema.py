"""The projections' tables and tracking rows, made current with the code: created on a
fresh database; a read model whose schema version changed dropped and recreated (the
``Runner`` then rebuilds it from the log), evidence never (kept, or made, and tracked
from the position its tables hold).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from sqlalchemy import Connection, Engine, insert, select, text
from sqlalchemy.exc import SQLAlchemyError

from domain.errors import ReadModelsBehind
from projections.projection import Evidence, Projection
from projections.tables import tracking
from projections.tracking import empty_digests, sealed_columns

_DDL_LOCK = 0x72656C02
"""The PostgreSQL advisory lock held while the read models' tables are created."""


def create_schema(engine: Engine, projections: Mapping[str, Projection], key: bytes) -> None:
    """Create the tables, or drop and recreate those of a projection whose version changed;
    each new tracking row sealed with ``key``.

    One process at a time (the write lock on SQLite, an advisory lock on PostgreSQL,
    both held to the end of the transaction): many processes starting on a fresh
    database at once must not race each other's DDL."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _DDL_LOCK})
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        stored = stored_versions(conn)
        if stored is None:  # no tracking table, or one of an older shape
            tracking.drop(conn, checkfirst=True)
            tracking.create(conn)
            stored = {}
        for name in sorted(projections):
            projection = projections[name]
            if stored.get(name) == projection.version:
                continue
            position = 0
            if projection.evidence:
                if name in stored:
                    raise ReadModelsBehind(
                        f"the {name} are version {stored[name]}, this recledger keeps "
                        f"version {projection.version}: evidence is never rebuilt; use a "
                        "recledger that keeps this version"
                    )
                for table in projection.tables:  # never dropped: kept, or made
                    table.create(conn, checkfirst=True)
                position = cast(Evidence, projection).held_up_to(conn)
            else:
                for table in projection.tables:
                    table.drop(conn, checkfirst=True)
                    table.create(conn)
            conn.execute(tracking.delete().where(tracking.c.name == name))
            conn.execute(
                insert(tracking).values(
                    name=name,
                    position=position,
                    version=projection.version,
                    **sealed_columns(key, projection, position, None, empty_digests(projection)),
                )
            )


def schema_is_current(engine: Engine, projections: Mapping[str, Projection]) -> bool:
    """One read instead of a round of table checks, for the common case."""
    with engine.connect() as conn:
        stored = stored_versions(conn)
    return stored is not None and all(
        stored.get(name) == projections[name].version for name in sorted(projections)
    )


def stored_versions(conn: Connection) -> dict[str, int] | None:
    """Each projection's schema version as stored; None when there is no tracking
    table yet, or one of an older shape (a savepoint on PostgreSQL, where a failed
    statement would abort the transaction)."""
    query = select(tracking.c.name, tracking.c.version, tracking.c.seal)
    try:
        if conn.dialect.name == "postgresql":
            with conn.begin_nested():
                rows = conn.execute(query).all()
        else:
            rows = conn.execute(query).all()
    except SQLAlchemyError:
        return None
    return {row.name: row.version for row in rows}
