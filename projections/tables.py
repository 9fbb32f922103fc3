"""The read models' tables (SQLAlchemy Core), kept in the same database as the events.

Days are stored as proleptic ordinals and recorded times as microseconds since the Unix
epoch (UTC): plain integers compare the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import DDL, BigInteger, Column, Index, Integer, MetaData, String, Table, Text, event

from domain.values import NAME_MAX, PLAN_ID_MAX, REF_MAX, SLUG_MAX, SOURCE_MAX

OPEN = 2**62
"""The end of a recorded interval that has not ended: the row is what is known now."""

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

metadata = MetaData()
RowId = Integer().with_variant(BigInteger(), "postgresql")

tracking = Table(
    "rl_tracking",
    metadata,
    Column("name", String(64), primary_key=True),  # the projection's
    Column("position", BigInteger, nullable=False),
    Column("last_event", String(80)),
    # The identity (aggregate, version, content digest) of the event at ``position``: a log
    # whose event there is another, or missing, was changed outside the ledger
    # (projection.identity, Runner.is_behind).
    Column("version", Integer, nullable=False),  # the projection's schema version
    Column("digests", Text),  # a read model's: each table's digest (JSON, hex; digest.py)
    Column("seal", String(64)),  # keyed hash of the row: its digests are the ledger's own
)

versions = Table(
    "rl_versions",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("rec_id", String(36), nullable=False),
    Column("plan_id", String(PLAN_ID_MAX), nullable=False),
    Column("ref", String(REF_MAX), nullable=False),
    Column("opened", BigInteger, nullable=False),  # when it was raised (micros): doc order
    Column("eff_from", Integer, nullable=False),
    Column("eff_to", Integer, nullable=False),
    Column("rec_from", BigInteger, nullable=False),
    Column("rec_to", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("due_end", Integer),
    # The earliest deadline among its items (it and its sub-actions) still due: overdue
    # as at D exactly when before D (domain.rules.due_by).
    Column("summary", Text, nullable=False),
    info={"item": ("rec_id",)},  # a recommendation's rows: what verify names
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
    Column("eff_order", Integer, nullable=False),  # its effective start: updates' order is
    Column("eff_end", Integer, nullable=False),  # (eff_order, eff_end, sequence)
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
    info={"item": ("rec_id",)},
)
Index(
    "rl_updates_by_rec",
    *(updates.c[c] for c in ("rec_id", "rec_to", "eff_order", "eff_end", "sequence")),
)  # a recommendation's updates, and its last one as at D, found from the end


items = Table(
    "rl_items",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("rec_id", String(36), nullable=False),
    Column("eff_from", Integer, nullable=False),  # with rec_id: its version row's key
    Column("eff_to", Integer, nullable=False),
    Column("plan_id", String(PLAN_ID_MAX), nullable=False),
    Column("ref", String(REF_MAX + 8), nullable=False),  # the item: a recommendation's, or
    Column("action", String(16)),  # its sub-action's (ref and number)
    Column("rank", Integer, nullable=False),  # 0 the recommendation, then its sub-actions
    Column("opened", BigInteger, nullable=False),  # when it was raised (micros): doc order
    Column("kind", String(8), nullable=False),  # "item", or a "lead" or "agency" it counts for
    Column("name", Text, nullable=False),  # the lead or agency ("" for an item row)
    Column("status", String(16), nullable=False),
    Column("due_end", Integer),  # its own deadline while due (domain.rules.deadline_due)
    Column("agency", Text, nullable=False),
    Column("leads", Text, nullable=False),  # JSON list
    Column("target", Text),  # JSON fuzzy date
    info={"item": ("rec_id",)},
)
"""Every item (a recommendation, each of its sub-actions) of every version known now, with
a row per lead and agency it counts for: the overdue pages and the workload, by index."""
Index(
    "rl_items_due",
    *(items.c[c] for c in ("kind", "due_end", "opened", "rec_id", "rank", "eff_from", "eff_to")),
)  # overdue pages in order, stopping after a page; their total without reading the rows
Index("rl_items_by_plan", items.c.plan_id, items.c.kind, items.c.due_end)
Index("rl_items_by_version", items.c.rec_id, items.c.eff_from)

counts = Table(
    "rl_counts",
    metadata,
    Column("kind", String(8), primary_key=True),  # "lead", "agency", or "item": every item
    Column("span", Integer, primary_key=True),  # 1: a day; BLOCK: a block of days
    Column("at", Integer, primary_key=True),  # the day (ordinal), or the block (day // BLOCK)
    Column("name", Text, primary_key=True),  # the lead or agency ("" for kind "item")
    Column("present", Integer, nullable=False),
    Column("open", Integer, nullable=False),
    Column("overdue", Integer, nullable=False),
    Column("completed", Integer, nullable=False),
    info={"item": ("kind", "name"), "additive": True},  # sums of steps (projections.digest)
)
"""How each count (items shown, open, overdue, completed) per lead and per agency, over all
plans as known now, changes on each day: the count as at D is the sum of the changes on or
before D, read as whole blocks of days before D's block and single days within it
(``projections.workload``)."""
BLOCK = 32

plans = Table(
    "rl_plans",
    metadata,
    Column("plan_key", String(36), primary_key=True),  # the plan's aggregate id
    Column("plan_id", String(PLAN_ID_MAX), nullable=False),
    Column("title", Text, nullable=False),
    Column("partnership", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("opened", BigInteger, nullable=False),  # recorded (micros): the plans' order
    Column("versions", Text, nullable=False),  # its document versions, JSON, in order
    info={"item": ("plan_id",)},
)

agency_names = Table(
    "rl_agency_names",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("agency_key", String(36), nullable=False),  # the agency's aggregate id
    Column("slug", String(SLUG_MAX), nullable=False),
    Column("name", String(NAME_MAX), nullable=False),  # its canonical name
    Column("kind", String(16), nullable=False),
    Column("spelling", String(NAME_MAX), nullable=False),  # its name, or one of its aliases
    Column("spelling_key", String(NAME_MAX), nullable=False),  # ``domain.agency.spelling_key``
    Column("recorded", BigInteger, nullable=False),  # when the spelling became known (micros)
    info={"item": ("slug",)},
)
Index("rl_agency_names_by_key", agency_names.c.spelling_key)

people = Table(
    "rl_people",
    metadata,
    Column("person_key", String(36), primary_key=True),  # the person's aggregate id
    Column("email", String(NAME_MAX), nullable=False),
    Column("name", String(NAME_MAX), nullable=False),
    Column("post", String(NAME_MAX), nullable=False),
    Column("agency", String(SLUG_MAX), nullable=False),  # its slug, or ""
    Column("reminders", Integer, nullable=False),  # 1: wants reminders by e-mail
    Column("registered", BigInteger, nullable=False),  # micros
    info={"item": ("email",)},
)

person_names = Table(
    "rl_person_names",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("person_key", String(36), nullable=False),
    Column("spelling", String(NAME_MAX), nullable=False),  # their name, or one of their aliases
    Column("spelling_key", String(NAME_MAX), nullable=False),
    Column("recorded", BigInteger, nullable=False),  # when the spelling became known (micros)
    info={"item": ("person_key",)},
)
Index("rl_person_names_by_key", person_names.c.spelling_key)

proposals = Table(
    "rl_proposals",
    metadata,
    Column("proposal", String(80), primary_key=True),  # the ChangeProposed event's id
    Column("rec_id", String(36), nullable=False),
    Column("plan_id", String(PLAN_ID_MAX), nullable=False),
    Column("ref", String(REF_MAX), nullable=False),  # the item's: a sub-action's own
    Column("kind", String(16), nullable=False),  # what needs the sign-off
    Column("change", String(32), nullable=False),
    Column("proposed", Text, nullable=False),  # the change's fields, JSON
    Column("reason", Text),
    Column("actor", String(NAME_MAX), nullable=False),
    Column("recorded", BigInteger, nullable=False),
    Column("decision", String(16), nullable=False),  # pending, approved or rejected
    Column("decided_by", String(NAME_MAX)),
    Column("decided", BigInteger),
    Column("decision_reason", Text),
    info={"item": ("rec_id",)},
)
Index("rl_proposals_pending", proposals.c.decision, proposals.c.plan_id)

update_requests = Table(
    "rl_update_requests",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("request", String(80), nullable=False),  # the UpdatesRequested event's id
    Column("plan_id", String(PLAN_ID_MAX), nullable=False),
    Column("rec_id", String(36), nullable=False),
    Column("ref", String(REF_MAX), nullable=False),  # the item's: a sub-action's own
    Column("action", String(16), nullable=False),  # its sub-action's number, or ""
    Column("requested", BigInteger, nullable=False),  # micros
    Column("due", Integer),  # day number: answer by
    Column("answered", BigInteger),  # micros: the first progress update recorded since
    info={"item": ("rec_id",)},
)
Index("rl_update_requests_open", update_requests.c.rec_id, update_requests.c.answered)

search_texts = Table(
    "rl_search",
    metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("rec_id", String(36), nullable=False),
    Column("event_id", String(36), nullable=False),  # the event that recorded the text
    Column("plan_id", String(PLAN_ID_MAX), nullable=False),
    Column("ref", String(REF_MAX + 8), nullable=False),  # the item's: a sub-action's own
    Column("kind", String(16), nullable=False),  # recommendation, sub_action or update
    Column("eff_from", Integer, nullable=False),  # the first day as at which it counts
    Column("raised", Integer, nullable=False),  # the same, of its recommendation
    Column("item_from", Integer, nullable=False),  # the same, of its item: when it exists
    Column("text", Text, nullable=False),  # as corrected
    info={"item": ("rec_id",)},
)
"""Every text the log holds as known now (each recommendation's, sub-action's and update's,
read through its corrections) and the day it counts from, indexed by the database's own
full-text engine: an FTS5 table kept by triggers on SQLite; on PostgreSQL a generated
``words`` column (``to_tsvector('english', text)``) under a GIN index; both with English
stemming (``projections.search``)."""
Index("rl_search_by_rec", search_texts.c.rec_id)
SEARCH_INDEX = "rl_search_words"


def _ddl(statement: str, dialect: str) -> Any:
    return DDL(statement).execute_if(dialect=dialect)  # type: ignore[no-untyped-call]


for _statement in (
    f"CREATE VIRTUAL TABLE {SEARCH_INDEX} USING fts5(text, content='rl_search', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER rl_search_added AFTER INSERT ON rl_search BEGIN "
    f"INSERT INTO {SEARCH_INDEX}(rowid, text) VALUES (new.id, new.text); END",
    f"CREATE TRIGGER rl_search_removed AFTER DELETE ON rl_search BEGIN "
    f"INSERT INTO {SEARCH_INDEX}({SEARCH_INDEX}, rowid, text) "
    "VALUES ('delete', old.id, old.text); END",
):
    event.listen(search_texts, "after_create", _ddl(_statement, "sqlite"))
event.listen(search_texts, "before_drop", _ddl(f"DROP TABLE IF EXISTS {SEARCH_INDEX}", "sqlite"))
for _statement in (  # the words stored, so that ranking a match reads them, not the text
    "ALTER TABLE %(fullname)s ADD COLUMN words tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED",
    f"CREATE INDEX {SEARCH_INDEX} ON %(fullname)s USING gin (words)",
):
    event.listen(search_texts, "after_create", _ddl(_statement, "postgresql"))


def day_number(day: date) -> int:
    return day.toordinal()


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // (datetime.resolution)


def moment(micros_since_epoch: int) -> datetime:
    return EPOCH + micros_since_epoch * datetime.resolution
