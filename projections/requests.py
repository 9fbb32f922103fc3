"""The requests projection: every item a request for updates asked about, and when it was
answered (the first progress update on the item recorded after the request)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Table, func, select, update

from domain.refs import recommendation_aggregate_id
from domain.state import sub_action_ref
from projections.bulk import insert_rows, rows_matching
from projections.digest import Tally
from projections.projection import EventSource
from projections.tables import day_number, micros, moment, update_requests


@dataclass(frozen=True)
class RequestView:
    """An item's latest request for an update, and whether it is answered."""

    plan: str
    ref: str
    requested_at: datetime
    due: date | None
    answered_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "plan": self.plan,
            "ref": self.ref,
            "requested_at": self.requested_at.isoformat(),
            "due": self.due.isoformat() if self.due else None,
            "answered": self.answered_at is not None,
            "answered_at": self.answered_at.isoformat() if self.answered_at else None,
        }


class Requests:
    name = "requests"
    version = 1
    evidence = False
    tables: tuple[Table, ...] = (update_requests,)

    def forget(self) -> None:
        """Nothing is kept in memory."""

    def apply(
        self, conn: Connection, events: Sequence[Any], source: EventSource, tally: Tally
    ) -> None:
        from domain.plan import Plan  # the write model: only to apply
        from domain.recommendation import Recommendation

        asked: set[str] | None = None  # the items with a request not answered: read once
        for event in events:
            if isinstance(event, Plan.UpdatesRequested):
                [opened] = source.events_of(event.originator_id, 1)
                rows = [
                    {
                        "request": event.event_id, "plan_id": opened.plan_id,
                        "rec_id": str(recommendation_aggregate_id(opened.plan_id, str(ref))),
                        "ref": str(ref) if action is None else sub_action_ref(str(ref), action),
                        "action": action or "", "requested": micros(event.timestamp),
                        "due": day_number(event.due.deadline) if event.due and event.due.deadline
                        else None,
                        "answered": None,
                    }
                    for ref, action in event.items
                ]  # fmt: skip
                insert_rows(conn, update_requests, rows, tally)
                if asked is not None:
                    asked |= {row["rec_id"] for row in rows}
            elif isinstance(event, Recommendation.ProgressRecorded):
                if asked is None:
                    asked = _unanswered(conn)
                if str(event.originator_id) in asked:
                    _answer(conn, event, tally)


def _unanswered(conn: Connection) -> set[str]:
    """The recommendations with a request not answered yet: only their updates answer one."""
    query = select(update_requests.c.rec_id).where(update_requests.c.answered.is_(None))
    return set(conn.execute(query.distinct()).scalars())


def _answer(conn: Connection, event: Any, tally: Tally) -> None:
    """Mark the item's unanswered requests made before this update as answered by it."""
    when = micros(event.timestamp)
    where = (
        update_requests.c.rec_id == str(event.originator_id),
        update_requests.c.action == (event.action or ""),
        update_requests.c.answered.is_(None),
        update_requests.c.requested <= when,
    )
    old = [
        row for row in rows_matching(conn, update_requests, ["rec_id"],
                                     [(str(event.originator_id),)], *where[1:])
    ]  # fmt: skip
    if not old:
        return
    tally.rows(update_requests, old, -1)
    conn.execute(update(update_requests).where(*where).values(answered=when))
    tally.rows(update_requests, [{**row, "answered": when} for row in old])


def latest_requests(conn: Connection, plan_id: str) -> dict[str, RequestView]:
    """Each item of the plan asked about, with its latest request: by ref."""
    latest = (
        select(update_requests.c.ref, func.max(update_requests.c.requested).label("at"))
        .where(update_requests.c.plan_id == plan_id)
        .group_by(update_requests.c.ref)
        .subquery()
    )
    query = (
        select(update_requests)
        .join(
            latest,
            (update_requests.c.ref == latest.c.ref) & (update_requests.c.requested == latest.c.at),
        )
        .where(update_requests.c.plan_id == plan_id)
    )
    return {row.ref: _view(row) for row in conn.execute(query)}


def requests_between(conn: Connection, plan_id: str, since: int, until: int) -> list[RequestView]:
    """Every item asked about in requests recorded in [since, until] (micros)."""
    query = select(update_requests).where(
        update_requests.c.plan_id == plan_id,
        update_requests.c.requested >= since,
        update_requests.c.requested <= until,
    )
    return [_view(row) for row in conn.execute(query)]


def _view(row: Any) -> RequestView:
    return RequestView(
        row.plan_id, row.ref, moment(row.requested),
        date.fromordinal(row.due) if row.due is not None else None,
        moment(row.answered) if row.answered is not None else None,
    )  # fmt: skip
