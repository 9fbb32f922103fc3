"""Workload counts over all plans as at any day, as known now, without reading every item.

Each item row of ``rl_items`` (an item of a version, counted for a lead, an agency, or as
an item) holds over its effective interval ``[eff_from, eff_to)``. So every count as at D
is a sum of steps: the row adds 1 from ``eff_from`` and takes it away from ``eff_to``; for
``overdue``, from the day after its deadline (``due_end``) if that is later. The
recommendations projection writes these steps whenever it opens or closes an item row
(``changes``), summed per day and per block of days (``rl_counts``). The counts as at D
are then a sum over the blocks before D's block and the days of its block up to D: a few
thousand rows whatever the size of the log.

The rules are those of ``domain.rules``: an item is overdue as at D when its ``due_end``
(``due_by``) is before D; open when its status is one of ``OPEN_STATUSES``; a name is
listed as at D when an item counts for it then, whatever its status. A sub-action counts
for its lead and agency twice: under ``lead`` or ``agency`` with every item, and under
``lead.s`` or ``agency.s`` (``SUB_ACTIONS``); a name's recommendations are the difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from sqlalchemy import Connection, and_, func, or_, select

from domain.kinds import Status
from domain.rules import OPEN_STATUSES
from projections.bulk import add_to_rows
from projections.digest import Tally
from projections.tables import BLOCK, counts

MEASURES = ("present", "open", "overdue", "completed")
COUNTS = MEASURES[1:]
"""What the workload of a lead or an agency says: its items open, overdue and completed."""
SUB_ACTIONS = ".s"
"""The suffix of the kinds that count sub-actions only (``lead.s``, ``agency.s``)."""
Steps = dict[tuple[str, int, str], list[int]]
"""(kind, day, name) -> the changes of each of ``MEASURES`` on that day."""

_LIVE = frozenset(status.value for status in OPEN_STATUSES)
_DONE = Status.COMPLETED.value


def changes(rows: Iterable[Mapping[str, Any]], sign: int, into: Steps) -> None:
    """Add (``sign`` 1) or take away (-1) the steps of item rows opened or closed."""
    for row in rows:
        start, end = row["eff_from"], row["eff_to"]
        if start >= end:
            continue
        kind, name, status, due = row["kind"], row["name"], row["status"], row["due_end"]
        live, done = sign * (status in _LIVE), sign * (status == _DONE)
        late = None if due is None else max(start, due + 1)
        overdue = sign if late is not None and late < end else 0
        sub_action = row["rank"] > 0 and kind != "item"
        for counted in (kind, kind + SUB_ACTIONS) if sub_action else (kind,):
            _add(into, (counted, start, name), sign, live, overdue if late == start else 0, done)
            _add(into, (counted, end, name), -sign, -live, -overdue, -done)
            if late is not None and overdue and late != start:
                _add(into, (counted, late, name), 0, 0, overdue, 0)


def _add(into: Steps, key: tuple[str, int, str], *change: int) -> None:
    found = into.get(key)
    if found is None:
        into[key] = list(change)
    else:
        for i, value in enumerate(change):
            found[i] += value


def write(conn: Connection, steps: Steps, tally: Tally) -> None:
    """Add the steps to ``rl_counts``, per day and per block (an upsert per key)."""
    blocks: Steps = {}
    for (kind, day, name), change in steps.items():
        _add(blocks, (kind, day // BLOCK, name), *change)
    rows = [
        {
            "kind": kind,
            "span": span,
            "at": at,
            "name": name,
            **dict(zip(MEASURES, change, strict=True)),
        }
        for span, found in ((1, steps), (BLOCK, blocks))
        for (kind, at, name), change in found.items()
        if any(change)
    ]
    add_to_rows(conn, counts, ("kind", "span", "at", "name"), rows, tally)


def counts_as_at(conn: Connection, kind: str, day: int) -> list[Any]:
    """(name, present, open, overdue, completed) of every name counted for as at ``day``."""
    block = day // BLOCK
    within = or_(
        and_(counts.c.span == BLOCK, counts.c.at < block),
        and_(counts.c.span == 1, counts.c.at >= block * BLOCK, counts.c.at <= day),
    )
    query = (
        select(counts.c.name, *(func.sum(counts.c[m]).label(m) for m in MEASURES))
        .where(counts.c.kind == kind, within)
        .group_by(counts.c.name)
    )
    return [row for row in conn.execute(query) if row.present]


def loads_as_at(conn: Connection, by: Literal["lead", "agency"], day: int) -> list[dict[str, Any]]:
    """``load`` of every lead or agency counted for as at ``day``, over all plans."""
    of_sub_actions = {row.name: row for row in counts_as_at(conn, by + SUB_ACTIONS, day)}
    return [
        load(by, row.name, [getattr(row, c) for c in COUNTS],
             [getattr(of_sub_actions[row.name], c) if row.name in of_sub_actions else 0
              for c in COUNTS])
        for row in counts_as_at(conn, by, day)
    ]  # fmt: skip


def load(by: str, name: str, every: Sequence[int], sub_actions: Sequence[int]) -> dict[str, Any]:
    """The workload of one lead or agency: its items open, overdue and completed, then the
    same of its recommendations and of its sub-actions apart (``every`` in ``COUNTS``'
    order, and of those ``sub_actions``)."""
    row: dict[str, Any] = {by: name}
    row.update((c, int(n)) for c, n in zip(COUNTS, every, strict=True))
    row.update(
        (f"{c}_recommendations", int(n) - int(s))
        for c, n, s in zip(COUNTS, every, sub_actions, strict=True)
    )
    row.update((f"{c}_sub_actions", int(s)) for c, s in zip(COUNTS, sub_actions, strict=True))
    return row


def load_fields(by: str) -> list[str]:
    """A workload row's fields in order, for a table or a CSV file."""
    return list(load(by, "", [0, 0, 0], [0, 0, 0]))
