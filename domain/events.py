"""The audit envelope every recledger event carries.

Who (``actor``) and through what (``source``) come from the audit context, never from
a command's arguments; when it was recorded (``timestamp``) is set by the ledger as
the event is created. ``effective`` (when it happened in the world, a ``FuzzyDate``) and
``reason`` (why) are given by the command. Dates travel inside events as the value object;
the ledger registers its transcoding (``service.transcodings``), and events stored before
that, with dates as plain dicts, are upcast as they are read (``dates_as_values``).
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from eventsourcing.domain import Aggregate

from domain.audit import current_actor, current_source
from domain.fuzzy_date import FuzzyDate
from domain.refs import event_id

_BASE_KEYS = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})
ENVELOPE_KEYS = _BASE_KEYS | {"actor", "source", "reason", "effective"}


class AuditedEvent(Aggregate.Event):
    reason: str | None
    effective: FuzzyDate | None
    actor: str = field(default_factory=current_actor, init=False)
    source: str = field(default_factory=current_source, init=False)

    @property
    def event_id(self) -> str:
        return event_id(self.originator_id, self.originator_version)

    @property
    def type_name(self) -> str:
        return type(self).__name__

    def payload(self) -> dict[str, Any]:
        """What the event says beyond its envelope: the facts an auditor reads."""
        return {k: v for k, v in vars(self).items() if k not in ENVELOPE_KEYS}

    def data(self) -> dict[str, Any]:
        """Payload plus reason and effective date: every field a correction may amend."""
        return {k: v for k, v in vars(self).items() if k not in _BASE_KEYS | {"actor", "source"}}


def dates_as_values(state: dict[str, Any], *names: str) -> None:
    """Upcast: the named dates of a stored event's state, kept as plain dicts before dates
    travelled as ``FuzzyDate`` values, as values (None stays None)."""
    for name in names:
        if isinstance(state.get(name), dict):
            state[name] = FuzzyDate.from_data(state[name])
