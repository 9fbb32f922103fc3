"""An aggregate's history as an inspector reads it: every event, in order, with its envelope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.events import AuditedEvent
from domain.fuzzy_date import FuzzyDate


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

    def to_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "sequence": self.sequence,
            "type": self.type,
            "effective": self.effective.to_data() if self.effective else None,
            "recorded_at": self.recorded_at.isoformat(),
            "actor": self.actor,
            "reason": self.reason,
            "source": self.source,
            "data": self.data,
            "corrected_by": list(self.corrected_by),
        }


def history(events: Sequence[AuditedEvent]) -> list[HistoryEntry]:
    corrected_by: dict[str, list[str]] = {}
    for event in events:
        corrects = getattr(event, "corrects", None)
        if corrects is not None:
            corrected_by.setdefault(corrects, []).append(event.event_id)
    return [
        HistoryEntry(
            event_id=event.event_id,
            sequence=event.originator_version,
            type=event.type_name,
            effective=event.effective_date,
            recorded_at=event.timestamp,
            actor=event.actor,
            reason=event.reason,
            source=event.source,
            data=event.payload(),
            corrected_by=tuple(corrected_by.get(event.event_id, ())),
        )
        for event in events
    ]
