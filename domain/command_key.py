"""An idempotency key: a client names a write, so that sending it again records nothing.

The key is an aggregate whose id derives from the key, saved in the same transaction as
the events of the command it names: a second use of the key collides in the event store
itself, and what the first use recorded can be read back and reported again.
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from domain import values
from domain.errors import InvalidCommand
from domain.events import AuditedEvent
from domain.refs import command_key_id


class CommandKey(Aggregate):
    class Used(AuditedEvent, Aggregate.Created):
        """A write was recorded under this key; ``recorded`` holds the ids of its events."""

        key: str
        recorded: list[str]

    def __init__(self, key: str, recorded: list[str]) -> None:
        self.key = key
        self.recorded = recorded

    @classmethod
    def use(cls, key: str, recorded: list[str]) -> CommandKey:
        key = values.line(key, "the idempotency key")
        if not key:
            raise InvalidCommand("an idempotency key must not be empty")
        return cls._create(
            cls.Used,
            id=command_key_id(key),
            key=key,
            recorded=recorded,
            reason=None,
            effective=None,
        )
