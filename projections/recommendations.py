"""The recommendations projection: every recommendation's state on both time axes.

Each event turns the recommendation's open segments (``projections.timeline``) into new
ones; the versions that no longer hold are closed at the event's recorded time and new
ones opened, and progress updates get rows of their own. A batch's rows are computed in
memory and written at its end in bulk (``projections.bulk``): a version opened and closed
within the batch (most of them, in a rebuild or an import) is written once, closed, and
only the versions still open get their item rows and workload counts.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, bindparam, delete, select, update

from domain.fuzzy_date import FuzzyDate
from domain.rules import NO_LEAD, deadline_due, due_by
from projections import record, workload
from projections.bulk import insert_rows, rows_matching
from projections.digest import Tally
from projections.item import Item
from projections.projection import EventSource
from projections.record import decode
from projections.tables import OPEN, counts, day_number, items, micros, updates, versions
from projections.timeline import Segment, advance, as_shown, effective_day

if TYPE_CHECKING:
    from domain.recommendation import Recommendation


def dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@lru_cache(maxsize=8192)
def encoded(summary: Item) -> str:
    """A record as stored; the same record recurs as segments split, so keep a few."""
    return record.encoded(summary)


@dataclass
class _Known:
    """A recommendation's open segments, and its events when they have been needed."""

    segments: list[Segment]
    history: list[Any] | None
    opened: int
    """When it was raised (micros): its place in the document's order."""


@dataclass
class _Batch:
    """Row changes of one batch, written with a few ``executemany`` at the end."""

    open_versions: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    """Opened in this batch and still open, by (rec id, eff_from)."""
    closed_versions: list[dict[str, Any]] = field(default_factory=list)
    """Opened and closed within this batch: written closed."""
    versions_to_close: list[dict[str, Any]] = field(default_factory=list)
    """Rows already in the table that this batch closes."""
    open_segments: dict[tuple[str, int], Segment] = field(default_factory=dict)
    """The segments of the versions opened in this batch and still open: their items."""
    items_to_delete: list[dict[str, Any]] = field(default_factory=list)
    """The keys of versions already in the table that this batch closes: their items go."""
    counted: workload.Steps = field(default_factory=dict)
    """The steps of the workload counts, from the item rows this batch deletes and writes."""
    open_updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    closed_updates: list[dict[str, Any]] = field(default_factory=list)
    updates_to_close: list[dict[str, Any]] = field(default_factory=list)


class Recommendations:
    """The bitemporal versions and updates of every recommendation, the items of the
    versions known now, and the workload counts' steps: a projection."""

    name = "recommendations"
    version = 14
    evidence = False
    """Bumped when its tables change: they are derived, so a new shape is rebuilt."""
    tables: tuple[Table, ...] = (versions, updates, items, counts)

    def __init__(self, *, cache_size: int = 1024) -> None:
        self._open: OrderedDict[str, _Known] = OrderedDict()
        self._cache_size = cache_size

    def forget(self) -> None:
        self._open.clear()

    def apply(
        self, conn: Connection, events: Sequence[Any], source: EventSource, tally: Tally
    ) -> None:
        batch = _Batch()
        for event in events:
            self._apply(conn, batch, source, event)
        self._flush(conn, batch, tally)
        self._trim()

    # Applying one event

    def _apply(self, conn: Connection, batch: _Batch, source: EventSource, event: Any) -> None:
        from domain.recommendation import Recommendation  # the write model: only to apply

        if not isinstance(event, Recommendation.Event):
            return  # a plan's events are read from the plan itself
        rec_id = str(event.originator_id)
        known = (
            _Known([], [], micros(event.timestamp))
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
        self._replace_versions(batch, rec_id, before, known, moment)
        self._cache(rec_id, known)
        summary = known.segments[0].summary
        if isinstance(event, Recommendation.ProgressRecorded):
            self._add_update(batch, rec_id, summary.plan, event, event.data(), moment)
        elif isinstance(event, Recommendation.Corrected):
            self._correct_update(batch, history(), event, summary.plan, moment)

    def _known(self, conn: Connection, rec_id: str) -> _Known:
        """What is known of a recommendation now: from the cache, else from the table."""
        if rec_id in self._open:
            self._open.move_to_end(rec_id)
            return self._open[rec_id]
        rows = conn.execute(
            select(versions.c.eff_from, versions.c.eff_to, versions.c.summary, versions.c.opened)
            .where(versions.c.rec_id == rec_id, versions.c.rec_to == OPEN)
            .order_by(versions.c.eff_from)
        ).all()
        segments = [
            Segment(
                date.fromordinal(row.eff_from),
                date.fromordinal(row.eff_to),
                decode(Item, row.summary),
            )
            for row in rows
        ]
        return _Known(segments, None, rows[0].opened)

    def _cache(self, rec_id: str, known: _Known) -> None:
        """Keep what is known of a recommendation (trimmed only after a batch is written:
        until then, the table does not hold what the batch changed)."""
        self._open[rec_id] = known
        self._open.move_to_end(rec_id)

    def _trim(self) -> None:
        while len(self._open) > self._cache_size:
            self._open.popitem(last=False)

    @staticmethod
    def _replace_versions(
        batch: _Batch, rec_id: str, before: list[Segment], known: _Known, moment: int
    ) -> None:
        after = known.segments
        for gone in _missing(before, after):
            key = (rec_id, day_number(gone.eff_from))
            pending = batch.open_versions.pop(key, None)
            if pending is not None:
                batch.closed_versions.append({**pending, "rec_to": moment})
                del batch.open_segments[key]
            else:
                batch.versions_to_close.append(
                    {"key_rec": rec_id, "key_from": key[1], "rec_to": moment}
                )
                batch.items_to_delete.append({"key_rec": rec_id, "key_from": key[1]})
                workload.changes(_item_rows(rec_id, gone, known.opened), -1, batch.counted)
        for new in _missing(after, before):
            key = (rec_id, day_number(new.eff_from))
            batch.open_segments[key] = new
            batch.open_versions[key] = {
                "rec_id": rec_id,
                "plan_id": new.summary.plan,
                "ref": new.summary.ref,
                "opened": known.opened,
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
            "eff_order": day_number(effective.start or effective_day(event, data)),
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
        from domain.fold import amendments
        from domain.recommendation import Recommendation

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
    def _flush(conn: Connection, batch: _Batch, tally: Tally) -> None:
        """Close rows first (only open rows match), then insert: the order that keeps
        at most one open row per (recommendation, eff_from) and per update. Every row
        closed or deleted is read first, for the tally."""
        if batch.versions_to_close:
            _tally_closed(
                conn, tally, versions, ("rec_id", "eff_from"), ("key_rec", "key_from"),
                batch.versions_to_close,
            )  # fmt: skip
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
        if batch.items_to_delete:
            keys = [(k["key_rec"], k["key_from"]) for k in batch.items_to_delete]
            tally.rows(items, rows_matching(conn, items, ("rec_id", "eff_from"), keys), -1)
            conn.execute(
                delete(items).where(
                    items.c.rec_id == bindparam("key_rec"),
                    items.c.eff_from == bindparam("key_from"),
                ),
                batch.items_to_delete,
            )
        if batch.updates_to_close:
            _tally_closed(
                conn, tally, updates, ("rec_id", "event_id"), ("key_rec", "key_event"),
                batch.updates_to_close,
            )  # fmt: skip
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
        open_items = [
            row
            for key, segment in batch.open_segments.items()
            for row in _item_rows(key[0], segment, batch.open_versions[key]["opened"])
        ]
        insert_rows(conn, versions, [*batch.closed_versions, *batch.open_versions.values()], tally)
        insert_rows(conn, updates, [*batch.closed_updates, *batch.open_updates.values()], tally)
        insert_rows(conn, items, open_items, tally)
        workload.changes(open_items, 1, batch.counted)
        workload.write(conn, batch.counted, tally)


def _tally_closed(
    conn: Connection,
    tally: Tally,
    table: Table,
    columns: tuple[str, str],
    params: tuple[str, str],
    closing: list[dict[str, Any]],
) -> None:
    """Rows about to be closed (their ``rec_to`` set): out as they are, in as closed."""
    keys = [(c[params[0]], c[params[1]]) for c in closing]
    closed_at = {(c[params[0]], c[params[1]]): c["rec_to"] for c in closing}
    found = rows_matching(conn, table, columns, keys, table.c.rec_to == OPEN)
    tally.rows(table, found, -1)
    tally.rows(
        table,
        ({**row, "rec_to": closed_at[(row[columns[0]], row[columns[1]])]} for row in found),
    )


@lru_cache(maxsize=4096)
def _leads_json(leads: tuple[str, ...]) -> str:
    return dumps(list(leads))


@lru_cache(maxsize=4096)
def _date_json(value: FuzzyDate) -> str:
    return dumps(value.to_data())


def _missing(these: list[Segment], those: list[Segment]) -> list[Segment]:
    """The segments of ``these`` not in ``those``; most are the very same objects."""
    same = {id(s) for s in those}
    return [s for s in these if id(s) not in same and s not in those]


def _day_or_none(day: date | None) -> int | None:
    return day_number(day) if day is not None else None


def _item_rows(rec_id: str, segment: Segment, opened: int) -> list[dict[str, Any]]:
    """A version's items (the recommendation, then each sub-action): a row each, and one
    per lead and for the agency it counts for, as shown (``as_shown``)."""
    summary, rows = segment.summary, []
    for rank, item in enumerate(summary.items()):
        leads = as_shown(item.leads, summary.leads)
        agency = as_shown(item.agency, summary.agency)
        row = {
            "rec_id": rec_id,
            "eff_from": day_number(segment.eff_from),
            "eff_to": day_number(segment.eff_to),
            "plan_id": summary.plan,
            "ref": item.ref,
            "action": item.action,
            "rank": rank,
            "opened": opened,
            "status": item.status.value,
            "due_end": _day_or_none(deadline_due(item.target, item.status)),
            "agency": agency,
            "leads": _leads_json(leads),
            "target": _date_json(item.target) if item.target else None,
        }
        rows.append({**row, "kind": "item", "name": ""})
        rows.extend({**row, "kind": "lead", "name": lead} for lead in leads or (NO_LEAD,))
        rows.append({**row, "kind": "agency", "name": agency})
    return rows
