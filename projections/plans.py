"""The plans projection: every plan and its document versions, without reading the log.

Listing plans used to scan the event log for every plan's opening and replay each plan;
this keeps one row per plan instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, delete, select

from domain.document_version import DocumentVersion
from domain.fuzzy_date import FuzzyDate
from domain.kinds import ReviewKind
from projections.bulk import insert_rows, rows_matching
from projections.digest import Tally
from projections.projection import EventSource
from projections.tables import micros, plans


@dataclass(frozen=True)
class PlanView:
    plan_id: str
    title: str
    partnership: str
    kind: ReviewKind
    versions: tuple[DocumentVersion, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan_id,
            "title": self.title,
            "partnership": self.partnership,
            "kind": self.kind.value,
            "versions": [
                {
                    "label": v.label,
                    "date": v.date.to_data() if v.date else None,
                    "file_name": v.file_name,
                }
                for v in self.versions
            ],
        }


class Plans:
    name = "plans"
    version = 1
    evidence = False
    tables: tuple[Table, ...] = (plans,)

    def forget(self) -> None:
        """Nothing is kept in memory."""

    def apply(
        self, conn: Connection, events: Sequence[Any], source: EventSource, tally: Tally
    ) -> None:
        from domain.plan import Plan  # the write model: only to apply

        changed: dict[str, dict[str, Any]] = {}
        for event in events:
            key = str(event.originator_id)
            if isinstance(event, Plan.Opened):
                changed[key] = {
                    "plan_key": key,
                    "plan_id": event.plan_id,
                    "title": event.title,
                    "partnership": event.partnership,
                    "kind": event.kind,
                    "opened": micros(event.timestamp),
                    "versions": [],
                }
            elif isinstance(event, Plan.DocumentVersionRecorded):
                row = changed.get(key) or self._stored(conn, key)
                row["versions"].append(
                    {
                        "label": event.label,
                        "date": event.date.to_data() if event.date else None,
                        "file_name": event.file_name,
                        "digest": event.digest,
                    }
                )
                changed[key] = row
        if changed:
            keys = [(key,) for key in changed]
            tally.rows(plans, rows_matching(conn, plans, ["plan_key"], keys), -1)
            conn.execute(delete(plans).where(plans.c.plan_key.in_(list(changed))))
            rows = [{**row, "versions": json.dumps(row["versions"])} for row in changed.values()]
            insert_rows(conn, plans, rows, tally)

    @staticmethod
    def _stored(conn: Connection, key: str) -> dict[str, Any]:
        row = conn.execute(select(plans).where(plans.c.plan_key == key)).one()._asdict()
        return {**row, "versions": json.loads(row["versions"])}


def plans_in_order(conn: Connection) -> list[PlanView]:
    """Every plan, in the order they were opened."""
    rows = conn.execute(select(plans).order_by(plans.c.opened, plans.c.plan_id))
    return [_view(row) for row in rows]


def plan_view(conn: Connection, plan_id: str) -> PlanView | None:
    row = conn.execute(select(plans).where(plans.c.plan_id == plan_id)).first()
    return None if row is None else _view(row)


def _view(row: Any) -> PlanView:
    return PlanView(
        plan_id=row.plan_id,
        title=row.title,
        partnership=row.partnership,
        kind=ReviewKind(row.kind),
        versions=tuple(
            DocumentVersion(
                v["label"],
                FuzzyDate.from_data(v["date"]) if v["date"] else None,
                v["file_name"],
                v["digest"],
            )
            for v in json.loads(row.versions)
        ),
    )
