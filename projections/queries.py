"""Questions the users ask, answered from the read models on both time axes.

- as at D (effective axis): a fact counts when its effective interval ends on or before D;
- as known at T (recorded axis): a fact counts when it was recorded at or before T — a
  correction recorded after T is ignored, so the mistake it corrected shows again;
- open, due, overdue and RAG as at D: the rules of ``domain.rules``; the read models keep
  each item's status and the day it is due by (``due_end``), and the SQL here only
  compares them (overdue as at D: ``due_end`` before D).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    ScalarSelect,
    Select,
    Table,
    and_,
    case,
    func,
    or_,
    select,
)

from domain.fuzzy_date import FuzzyDate
from domain.kinds import Status
from domain.refs import Ref
from domain.rules import NO_LEAD, OPEN_STATUSES, is_open
from projections.item import Correction, Item
from projections.record import decode
from projections.tables import OPEN, day_number, items, micros, moment, updates, versions
from projections.views import LastUpdate, OverdueRow, Page, RecommendationView, UpdateView
from projections.workload import COUNTS, counts_as_at, load, loads_as_at


def _known(table: Table, known_at: datetime | None) -> ColumnElement[bool]:
    """Rows as known at a moment; None means now: the rows still open (an indexed equality)."""
    if known_at is None:
        return table.c.rec_to == OPEN
    t = micros(known_at)
    return and_(table.c.rec_from <= t, table.c.rec_to > t)


def _versions_as_at(
    plan_id: str | None, as_at: date, known_at: datetime | None
) -> list[ColumnElement[bool]]:
    d = day_number(as_at)
    conditions = [_known(versions, known_at), versions.c.eff_from <= d, versions.c.eff_to > d]
    if plan_id is not None:
        conditions.insert(0, versions.c.plan_id == plan_id)
    return conditions


def snapshot(
    conn: Connection, plan_id: str | None, as_at: date, known_at: datetime | None
) -> list[RecommendationView]:
    """Every recommendation (of one plan, or all) as at ``as_at``, as known at ``known_at``."""
    views = _views(conn, _versions_as_at(plan_id, as_at, known_at), as_at, known_at)
    return sorted(views, key=in_document_order(views))


def overdue(
    conn: Connection, plan_id: str | None, as_at: date, known_at: datetime | None
) -> list[RecommendationView]:
    """The overdue items (recommendations, and sub-actions by their own targets) as at
    ``as_at``, in full, most overdue first; ties in the order they were raised."""
    conditions = [
        *_versions_as_at(plan_id, as_at, known_at),
        versions.c.due_end < day_number(as_at),
    ]
    views = sorted(_views(conn, conditions, as_at, known_at), key=lambda v: (v.position, v.ref))
    found = [
        (item.days_overdue or 0, index, rank, item)
        for index, view in enumerate(views)
        for rank, item in enumerate(view.items())
        if item.overdue
    ]
    return [item for *_, item in sorted(found, key=lambda f: (-f[0], f[1], f[2]))]


def overdue_page(
    conn: Connection,
    plan_id: str | None,
    as_at: date,
    known_at: datetime | None,
    limit: int | None = None,
    offset: int = 0,
) -> Page:
    """Overdue rows as at ``as_at`` (in ``overdue``'s order), ``limit`` of them from
    ``offset``, with the total. As known now, from the items' index alone; as known at an
    earlier time, from the versions (``overdue``)."""
    if known_at is not None:
        found = [OverdueRow.of(view) for view in overdue(conn, plan_id, as_at, known_at)]
        chosen = found[offset : None if limit is None else offset + limit]
        return Page(len(found), chosen, limit, offset)
    day = day_number(as_at)
    where = [*_items_as_at(plan_id, "item", day), items.c.due_end < day]
    total = (
        sum(row.overdue for row in counts_as_at(conn, "item", day))
        if plan_id is None
        else conn.execute(select(func.count()).select_from(items).where(*where)).scalar_one()
    )
    query = (
        select(items, _last_update_id(day).label("last_update"))
        .where(*where)
        .order_by(items.c.due_end, items.c.opened, items.c.rec_id, items.c.rank)
        .offset(offset)
        .limit(limit)
    )
    found_rows = conn.execute(query).all()
    last = _updates_by_id(conn, [row.last_update for row in found_rows if row.last_update])
    rows = [
        OverdueRow(
            plan=row.plan_id,
            ref=row.ref,
            parent=row.ref.rpartition(".")[0] if row.action else None,
            agency=row.agency,
            leads=_leads(row.leads),
            target=_fuzzy(row.target) if row.target else None,
            status=Status(row.status),
            days_overdue=day - row.due_end,
            last_update=_last(last.get(row.last_update)),
        )
        for row in found_rows
    ]
    return Page(total, rows, limit, offset)


def _last(update: UpdateView | None) -> LastUpdate | None:
    return update.last() if update else None


def _last_update_id(day: int) -> ScalarSelect[Any]:
    """The id of an item's last update as at ``day``, as known now (in updates' order)."""
    same_item = or_(
        updates.c.action == items.c.action,
        and_(updates.c.action.is_(None), items.c.action.is_(None)),
    )
    return (
        select(updates.c.id)
        .where(
            updates.c.rec_id == items.c.rec_id,
            updates.c.rec_to == OPEN,
            updates.c.eff_end <= day,
            same_item,
        )
        .order_by(updates.c.eff_order.desc(), updates.c.eff_end.desc(), updates.c.sequence.desc())
        .limit(1)
        .correlate(items)
        .scalar_subquery()
    )


@lru_cache(maxsize=4096)
def _fuzzy(stored: str) -> FuzzyDate:
    """A stored date (JSON): the same few recur across rows, so each is read once."""
    return FuzzyDate.from_data(json.loads(stored))


@lru_cache(maxsize=4096)
def _leads(stored: str) -> tuple[str, ...]:
    return tuple(json.loads(stored))


def _items_as_at(plan_id: str | None, kind: str, day: int) -> list[ColumnElement[bool]]:
    conditions = [items.c.kind == kind, items.c.eff_from <= day, items.c.eff_to > day]
    return conditions if plan_id is None else [items.c.plan_id == plan_id, *conditions]


def in_document_order(
    views: list[RecommendationView],
) -> Callable[[RecommendationView], tuple[int, int, Any]]:
    """Plans and sections in the order they were first recorded (for an imported plan,
    the document's order: Overview, then each agency as the document gives them), and
    within a section by number (2 < 10 < 21.10.1)."""
    plans: dict[str, int] = {}
    sections: dict[tuple[str, str], int] = {}
    for view in views:
        plans[view.plan] = min(plans.get(view.plan, view.position), view.position)
        key = (view.plan, view.section)
        sections[key] = min(sections.get(key, view.position), view.position)
    return lambda v: (plans[v.plan], sections[(v.plan, v.section)], Ref.stored(v.ref).sort_key)


def _views(
    conn: Connection,
    conditions: list[ColumnElement[bool]],
    as_at: date,
    known_at: datetime | None,
) -> list[RecommendationView]:
    """The recommendations whose versions meet ``conditions``, with their updates as at D."""
    query = select(versions.c.rec_id, versions.c.summary, versions.c.opened).where(*conditions)
    found = {row.rec_id: (decode(Item, row.summary), row.opened) for row in conn.execute(query)}
    if not found:
        return []
    # A plan's few ids go as a list (an index lookup each); many, as the query itself.
    chosen = list(found) if len(found) <= 200 else select(versions.c.rec_id).where(*conditions)
    written = _updates(conn, chosen, as_at, known_at)
    return [
        RecommendationView.of(item, written.get(rec_id, []), as_at, opened)
        for rec_id, (item, opened) in found.items()
    ]


_UPDATE_COLUMNS = [
    updates.c[c]
    for c in (
        "id", "rec_id", "sequence", "eff_order", "eff_end", "effective", "text", "actor",
        "recorded_at", "source", "event_id", "action", "corrected_by", "corrected_actor",
        "corrected_at", "correction_reason",
    )
]  # fmt: skip


def _updates(
    conn: Connection, rec_ids: list[str] | Select[Any], as_at: date, known_at: datetime | None
) -> dict[str, list[UpdateView]]:
    """The updates of recommendations as at ``as_at``, each's in updates' order."""
    query = select(*_UPDATE_COLUMNS).where(
        updates.c.rec_id.in_(rec_ids),
        _known(updates, known_at),
        updates.c.eff_end <= day_number(as_at),
    )
    found: dict[str, list[tuple[tuple[Any, ...], UpdateView]]] = defaultdict(list)
    for row in conn.execute(query):
        found[row.rec_id].append(((row.eff_order, row.eff_end, row.sequence), _update_view(row)))
    return {
        rec_id: [v for _, v in sorted(items, key=lambda i: i[0])] for rec_id, items in found.items()
    }


def _updates_by_id(conn: Connection, ids: list[int]) -> dict[int, UpdateView]:
    found: dict[int, UpdateView] = {}
    for start in range(0, len(ids), 5000):  # within every database's limit on parameters
        query = select(*_UPDATE_COLUMNS).where(updates.c.id.in_(ids[start : start + 5000]))
        found.update((row.id, _update_view(row)) for row in conn.execute(query))
    return found


def _update_view(row: Any) -> UpdateView:
    correction = (
        Correction(
            row.corrected_by, row.corrected_actor, moment(row.corrected_at), row.correction_reason
        )
        if row.corrected_by
        else None
    )
    return UpdateView(
        effective=_fuzzy(row.effective),
        text=row.text,
        actor=row.actor,
        recorded_at=moment(row.recorded_at),
        source=row.source,
        event_id=row.event_id,
        sequence=row.sequence,
        correction=correction,
        action=row.action,
    )


def recommendation_ids(conn: Connection, plan_id: str) -> list[str]:
    """Every recommendation ever raised in a plan."""
    query = select(versions.c.rec_id).where(versions.c.plan_id == plan_id).distinct()
    return list(conn.execute(query).scalars())


def workload_now(
    conn: Connection, by: Literal["lead", "agency"], plan_id: str | None, as_at: date
) -> list[dict[str, Any]]:
    """``workload`` as known now: over all plans from the counts' steps
    (``projections.workload``), for one plan counted from its items."""
    day = day_number(as_at)
    if plan_id is None:
        return sorted(loads_as_at(conn, by, day), key=lambda row: row[by])
    measures = {
        "open": items.c.status.in_([status.value for status in OPEN_STATUSES]),
        "overdue": items.c.due_end < day,
        "completed": items.c.status == Status.COMPLETED.value,
    }
    sub_action = items.c.rank > 0
    rows = conn.execute(
        select(
            items.c.name,
            *(func.sum(case((when, 1), else_=0)).label(c) for c, when in measures.items()),
            *(func.sum(case((and_(when, sub_action), 1), else_=0)).label(f"sub_{c}")
              for c, when in measures.items()),
        )
        .where(*_items_as_at(plan_id, by, day))
        .group_by(items.c.name)
        .order_by(items.c.name)
    )  # fmt: skip
    return [
        load(by, row.name, [getattr(row, c) for c in COUNTS],
             [getattr(row, f"sub_{c}") for c in COUNTS])
        for row in rows
    ]  # fmt: skip


def workload(
    views: Iterable[RecommendationView], by: Literal["lead", "agency"]
) -> list[dict[str, Any]]:
    """Open, overdue and completed counts per lead or per agency, over every item:
    recommendations and their sub-actions, each with its own leads and status; then the
    same of recommendations and of sub-actions apart (``projections.workload.load``)."""
    counted: dict[str, list[list[int]]] = defaultdict(lambda: [[0, 0, 0], [0, 0, 0]])
    for item in (item for view in views for item in view.items()):
        names = item.leads if by == "lead" else (item.agency,)
        for name in names or (NO_LEAD,):
            # a name with nothing open, overdue or completed is listed too
            for count in counted[name] if item.parent else counted[name][:1]:
                count[0] += is_open(item.status)
                count[1] += item.overdue
                count[2] += item.status == Status.COMPLETED
    return [load(by, name, every, subs) for name, (every, subs) in sorted(counted.items())]
