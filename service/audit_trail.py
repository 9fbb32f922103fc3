"""The log as an inspector reads it: entry by entry, who recorded what, when, why and
from what source, each with its entry's hash (its Merkle leaf), filtered."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.agency import Agency
from domain.person import Person
from domain.plan import Plan
from domain.recommendation import Recommendation
from domain.state import sub_action_ref
from projections import queries
from projections.record import JsonForm, Moment
from service.integrity import log_entries
from service.store import Store


@dataclass(frozen=True)
class AuditRow(JsonForm):
    position: int
    event_id: str
    recorded_at: Moment
    actor: str
    plan: str
    ref: str
    type: str
    effective: str
    reason: str
    source: str
    hash: str


def audit(
    ledger: Store,
    plan_id: str | None = None,
    *,
    actor: str | None = None,
    event_type: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[AuditRow]:
    """The log as an inspector reads it, entry by entry, filtered; each row with its
    entry's hash (its Merkle leaf)."""
    wanted: set[UUID] | None = None
    if plan_id is not None:
        plan_aggregate = ledger.plan(plan_id).id
        with ledger.read_models_engine().connect() as conn:
            rec_ids = queries.recommendation_ids(conn, plan_id)
        wanted = {plan_aggregate, *(UUID(rec_id) for rec_id in rec_ids)}
    places: dict[UUID, tuple[str, str]] = {}
    for note, entry in log_entries(ledger):
        if wanted is not None and entry.originator_id not in wanted:
            continue
        names_a_place = entry.topic.endswith((".Opened", ".Raised", ".Registered"))  # where
        if not names_a_place and event_type and not entry.topic.endswith(f".{event_type}"):
            continue
        event: Any = ledger.mapper.to_domain_event(note)
        if isinstance(event, Plan.Opened):
            places[event.originator_id] = (event.plan_id, "")
        elif isinstance(event, Recommendation.Raised):
            places[event.originator_id] = (event.plan_id, event.ref)
        elif isinstance(event, Agency.Registered):  # the directory's: no plan, its slug
            places[event.originator_id] = ("", f"agency/{event.slug}")
        elif isinstance(event, Person.Registered):  # ... and its e-mail address
            places[event.originator_id] = ("", f"person/{event.email}")
        if (event_type is not None and event.type_name != event_type) or (
            actor is not None and event.actor != actor
        ):
            continue
        if (since is not None and event.timestamp < since) or (
            until is not None and event.timestamp > until
        ):
            continue
        plan, ref = places.get(event.originator_id, ("", ""))
        if ref and getattr(event, "action", None):
            ref = sub_action_ref(ref, event.action)
        yield AuditRow(
            position=entry.position,
            event_id=event.event_id,
            recorded_at=event.timestamp,
            actor=event.actor,
            plan=plan,
            ref=ref,
            type=event.type_name,
            effective=_effective(event),
            reason=getattr(event, "reason", None) or "",
            source=event.source,
            hash=entry.leaf().hex(),
        )


def _effective(event: Any) -> str:
    """When it took effect: its date; a reminder's, the day it was for."""
    if getattr(event, "effective", None):
        return str(event.effective.text)
    return str(getattr(event, "day", ""))
