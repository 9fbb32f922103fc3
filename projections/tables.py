"""The read models' tables (SQLAlchemy Core), kept in the same database as the events.

Days are stored as proleptic ordinals and recorded times as microseconds since the Unix
epoch (UTC): plain integers compare the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text

from domain.values import NAME_MAX, PLAN_ID_MAX, REF_MAX, SOURCE_MAX

SCHEMA_VERSION = 9
"""Bumped when these tables change: read models are derived, so a new schema is rebuilt."""

OPEN = 2**62
"""The end of a recorded interval that has not ended: the row is what is known now."""

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

metadata = MetaData()
RowId = Integer().with_variant(BigInteger(), "postgresql")

tracking = Table(
    "rl_tracking",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("last_event", String(80)),
    # The identity (aggregate, version, content digest) of the event at ``position``: a log
    # whose event there is another, or missing, was changed outside the ledger
    # (read_model.identity, ReadModel.is_behind).
)

versions = Table(
    "rl_versions",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("rec_id", String(36), nullable=False),
    Column("plan_id", String(PLAN_ID_MAX), nullable=False),
    Column("ref", String(REF_MAX), nullable=False),
    Column("eff_from", Integer, nullable=False),
    Column("eff_to", Integer, nullable=False),
    Column("rec_from", BigInteger, nullable=False),
    Column("rec_to", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("due_end", Integer),
    # The earliest deadline among its items (it and its sub-actions) still due: overdue
    # as at D exactly when before D (projections.queries.due_by).
    Column("summary", Text, nullable=False),
)
Index("rl_versions_by_plan", versions.c.plan_id, versions.c.rec_to, versions.c.eff_from)
Index("rl_versions_by_rec", versions.c.rec_id, versions.c.rec_to)
Index("rl_versions_due", versions.c.rec_to, versions.c.due_end)

updates = Table(
    "rl_updates",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("rec_id", String(36), nullable=False),
    Column("plan_id", String(PLAN_ID_MAX), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("action", String(16)),  # the sub-action it is about; None: the recommendation
    Column("sequence", Integer, nullable=False),
    Column("eff_end", Integer, nullable=False),
    Column("rec_from", BigInteger, nullable=False),
    Column("rec_to", BigInteger, nullable=False),
    Column("effective", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("actor", String(NAME_MAX), nullable=False),
    Column("recorded_at", BigInteger, nullable=False),
    Column("source", String(SOURCE_MAX), nullable=False),
    # The latest correction that amended it (None: as first recorded).
    Column("corrected_by", String(36)),
    Column("corrected_actor", String(NAME_MAX)),
    Column("corrected_at", BigInteger),
    Column("correction_reason", Text),
)
Index("rl_updates_by_rec", updates.c.rec_id, updates.c.rec_to, updates.c.eff_end)


def day_number(day: date) -> int:
    return day.toordinal()


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // (datetime.resolution)


def moment(micros_since_epoch: int) -> datetime:
    return EPOCH + micros_since_epoch * datetime.resolution
