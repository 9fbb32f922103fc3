"""An aggregate's history as an inspector reads it: every event, in order, with its envelope.

The events' classes and the fold load when a history is read, not with this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.events import AuditedEvent
from domain.fuzzy_date import FuzzyDate

if TYPE_CHECKING:
    from domain.recommendation import Recommendation


@dataclass(frozen=True)
class HistoryEntry:
    event_id: str
    sequence: int
    type: str
    effective: FuzzyDate | None
    recorded_at: datetime
    actor: str
    reason: str | None
    source: str
    data: dict[str, Any]
    corrected_by: tuple[str, ...]
    """Ids of the later events that retract or amend this one; the event itself stays."""
    ref: str = ""
    """The item it is about: the recommendation, or one of its sub-actions."""
    corrects: int | None = None
    """For a correction: the sequence number of the event it corrects."""
    previous: dict[str, Any] | None = None
    """For a reassignment, retarget or correction: each changed field's value before it."""

    def to_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "sequence": self.sequence,
            "ref": self.ref,
            "type": self.type,
            "effective": self.effective.to_data() if self.effective else None,
            "recorded_at": self.recorded_at.isoformat(),
            "actor": self.actor,
            "reason": self.reason,
            "source": self.source,
            "data": json_ready(self.data),
            "corrected_by": list(self.corrected_by),
            "corrects": self.corrects,
            "previous": json_ready(self.previous),
        }


def history(events: Sequence[AuditedEvent]) -> list[HistoryEntry]:
    from domain.fold import item_refs
    from domain.recommendation import Recommendation

    corrected_by: dict[str, list[str]] = {}
    sequences = {event.event_id: event.originator_version for event in events}
    own = [event for event in events if isinstance(event, Recommendation.Event)]
    refs = item_refs(own) if own else {}
    for event in events:
        if isinstance(event, Recommendation.Corrected):
            corrected_by.setdefault(event.corrects, []).append(event.event_id)
    return [
        HistoryEntry(
            event_id=event.event_id,
            sequence=event.originator_version,
            type=event.type_name,
            effective=event.effective,
            recorded_at=event.timestamp,
            actor=event.actor,
            reason=event.reason,
            source=event.source,
            data=event.payload(),
            corrected_by=tuple(corrected_by.get(event.event_id, ())),
            ref=refs.get(event.event_id, ""),
            corrects=sequences.get(event.corrects)
            if isinstance(event, Recommendation.Corrected)
            else None,
            previous=_previous(events[:index], event),
        )
        for index, event in enumerate(events)
    ]


def as_corrected(events: Sequence[AuditedEvent]) -> list[HistoryEntry]:
    """The history as the ledger now knows it, for a report of what changed: each event
    read through its corrections (its values and effective date as amended, ``previous``
    as the corrected log read before it), a retracted event and the corrections themselves
    left out, as are the events of a sub-action whose adding was retracted. An amended
    event keeps ``corrected_by``."""
    from domain.fold import amendments, fold, retracted
    from domain.recommendation import Recommendation

    own = [event for event in events if isinstance(event, Recommendation.Event)]
    gone, amended = retracted(own), amendments(own)
    fixes = [event for event in own if isinstance(event, Recommendation.Corrected)]
    now = fold(own) if own else None
    known = []
    for index, (event, entry) in enumerate(zip(events, history(events), strict=True)):
        if isinstance(event, Recommendation.Corrected) or event.event_id in gone:
            continue
        if isinstance(event, Recommendation.ItemEvent) and now and now.find(event.action) is None:
            continue  # its sub-action's adding was retracted
        amendment = amended.get(event.event_id)
        if amendment:
            effective = amendment.get("effective", entry.effective)
            entry = replace(entry, data={**entry.data, **amendment}, effective=effective)
        if entry.previous is not None:  # the values it replaced, as corrected since
            before = [e for e in events[:index] if not isinstance(e, Recommendation.Corrected)]
            entry = replace(entry, previous=_previous([*before, *fixes], event))
        known.append(entry)
    return known


def _previous(before: Sequence[AuditedEvent], event: AuditedEvent) -> dict[str, Any] | None:
    """The values ``event`` replaced, as the log read just before it."""
    from domain.fold import amendments, fold
    from domain.recommendation import Recommendation

    replaces: dict[type[Recommendation.Event], str] = {
        Recommendation.LeadsReassigned: "leads",
        Recommendation.AgencyReassigned: "agency",
        Recommendation.TargetDateRevised: "target",
    }
    if not isinstance(event, Recommendation.Event):
        return None
    log = [e for e in before if isinstance(e, Recommendation.Event)]
    if isinstance(event, Recommendation.Corrected):
        target = next(e for e in log if e.event_id == event.corrects)
        earlier = {**target.data(), **amendments(log).get(event.corrects, {})}
        return {name: earlier.get(name) for name in event.amendment} or None
    name = replaces.get(type(event))
    if name is None or not isinstance(event, Recommendation.ItemEvent):
        return None
    item = fold(log).find(event.action)
    if item is None:  # its sub-action's adding was retracted
        return None
    return {name: getattr(item, name)}


def json_ready(value: Any) -> Any:
    """A value as JSON holds it: dates as their data, tuples as lists."""
    if isinstance(value, FuzzyDate):
        return value.to_data()
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    return value
