"""The proposals projection: every change proposed for sign-off, and what became of it, for
the approvals queue (pending first) and for who decided what, when."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, select, update

from domain.fuzzy_date import FuzzyDate
from domain.state import sub_action_ref
from projections.bulk import insert_rows, rows_matching
from projections.digest import Tally
from projections.projection import EventSource
from projections.tables import micros, moment, proposals


@dataclass(frozen=True)
class ProposalView:
    proposal: str
    plan: str
    ref: str
    kind: str
    change: str
    proposed: dict[str, Any]
    reason: str | None
    actor: str
    recorded_at: datetime
    decision: str
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in vars(self).items() if k not in ("recorded_at", "decided_at")},
            "recorded_at": self.recorded_at.isoformat(),
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
        }


class Proposals:
    name = "proposals"
    version = 2
    """2: a retracted proposal leaves the queue."""
    evidence = False
    tables: tuple[Table, ...] = (proposals,)

    def forget(self) -> None:
        """Nothing is kept in memory."""

    def apply(
        self, conn: Connection, events: Sequence[Any], source: EventSource, tally: Tally
    ) -> None:
        from domain.recommendation import Recommendation  # the write model: only to apply

        decided = {Recommendation.ProposalApproved: "approved",
                   Recommendation.ProposalRejected: "rejected"}  # fmt: skip
        # and "retracted" when a correction retracts the proposal
        for event in events:
            if isinstance(event, Recommendation.ChangeProposed):
                [raised] = source.events_of(event.originator_id, 1)
                ref = (
                    raised.ref if event.action is None else sub_action_ref(raised.ref, event.action)
                )
                row = {
                    "proposal": event.event_id, "rec_id": str(event.originator_id),
                    "plan_id": raised.plan_id, "ref": ref, "kind": event.kind,
                    "change": event.change, "proposed": _json(event.proposed),
                    "reason": event.reason, "actor": event.actor,
                    "recorded": micros(event.timestamp), "decision": "pending",
                    "decided_by": None, "decided": None, "decision_reason": None,
                }  # fmt: skip
                insert_rows(conn, proposals, [row], tally)
            elif type(event) in decided:
                _decide(conn, event.proposal, decided[type(event)], event, tally)
            elif isinstance(event, Recommendation.Corrected) and event.retract:
                _decide(conn, event.corrects, "retracted", event, tally)


def _decide(conn: Connection, proposal: str, decision: str, event: Any, tally: Tally) -> None:
    """Record the decision on a proposal (nothing: ``proposal`` names another event)."""
    found = rows_matching(conn, proposals, ["proposal"], [(proposal,)])
    if not found:
        return
    [old] = found
    new = {
        **old, "decision": decision, "decided_by": event.actor,
        "decided": micros(event.timestamp), "decision_reason": event.reason,
    }  # fmt: skip
    tally.rows(proposals, [old], -1)
    conn.execute(update(proposals).where(proposals.c.proposal == proposal).values(new))
    tally.rows(proposals, [new])


def _json(proposed: dict[str, Any]) -> str:
    return json.dumps(
        proposed, default=lambda v: v.to_data() if isinstance(v, FuzzyDate) else str(v)
    )


def proposals_listed(
    conn: Connection, plan_id: str | None, *, pending: bool = True
) -> list[ProposalView]:
    """The proposals (of one plan, or all), oldest first: pending only, or every one."""
    query = select(proposals).order_by(proposals.c.recorded, proposals.c.proposal)
    if plan_id is not None:
        query = query.where(proposals.c.plan_id == plan_id)
    if pending:
        query = query.where(proposals.c.decision == "pending")
    return [_view(row) for row in conn.execute(query)]


def proposal_found(conn: Connection, proposal: str) -> ProposalView | None:
    row = conn.execute(select(proposals).where(proposals.c.proposal == proposal)).first()
    return None if row is None else _view(row)


def _view(row: Any) -> ProposalView:
    return ProposalView(
        row.proposal, row.plan_id, row.ref, row.kind, row.change, json.loads(row.proposed),
        row.reason, row.actor, moment(row.recorded), row.decision, row.decided_by,
        moment(row.decided) if row.decided is not None else None, row.decision_reason,
    )  # fmt: skip
