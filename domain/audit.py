"""The audit context: who is acting, and through which channel.

The actor is never part of a command's arguments. The outermost adapter (the CLI
after reading ``--actor``, later the HTTP API after authentication) sets it for the
duration of a command, and every event reads it when it is created — the pattern of
the eventsourcing library's content-management example.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from domain import values
from domain.access import Grant
from domain.errors import InvalidCommand, NoActor


@dataclass(frozen=True)
class AuditContext:
    actor: str
    source: str
    grant: Grant | None = None
    """What the actor's token allows; None: the ledger's owner at the terminal."""


_context: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)


@contextmanager
def acting_as(actor: str, source: str, grant: Grant | None = None) -> Iterator[AuditContext]:
    """Attribute every event created inside the block to ``actor`` via ``source``, allowed
    what ``grant`` allows (None: everything)."""
    actor = values.person_name(actor, "the actor")
    source = values.line(source, "the source", values.SOURCE_MAX)
    if not actor:
        raise InvalidCommand("the actor must not be empty")
    if not source:
        raise InvalidCommand("the source must not be empty")
    token = _context.set(AuditContext(actor, source, grant))
    try:
        yield _context.get()  # type: ignore[misc]
    finally:
        _context.reset(token)


def current_context() -> AuditContext:
    context = _context.get()
    if context is None:
        raise NoActor("no actor is set: every change must say who made it")
    return context


def current_grant() -> Grant | None:
    """The grant of whoever is acting; None outside any context or for the owner."""
    context = _context.get()
    return None if context is None else context.grant


def current_actor() -> str:
    return current_context().actor


def current_source() -> str:
    return current_context().source
