"""The audit context: who is acting, through which channel, and with what grant.

The actor is never part of a command's arguments. The outermost adapter (the CLI after
reading ``--actor`` or a token, the HTTP API after authentication) sets it for the duration
of a command, and every event reads it when it is created — the pattern of the
eventsourcing library's content-management example.

Every context carries a grant: the ledger's owner at the terminal has one too
(``acting_as_owner``). Outside any context nothing is allowed (``NoActor``), so a use case
that checks the grant can never find "none" and take it for "everything".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from domain import values
from domain.access import Grant
from domain.errors import InvalidCommand, NoActor


@dataclass(frozen=True)
class AuditContext:
    actor: str
    source: str
    grant: Grant
    """What the actor may do: a token's grant, or the owner's (``Grant.owner``)."""


_context: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)


@contextmanager
def acting_as(actor: str, source: str, grant: Grant) -> Iterator[AuditContext]:
    """Attribute every event created inside the block to ``actor`` via ``source``, allowed
    what ``grant`` allows."""
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


def acting_as_owner(actor: str, source: str) -> AbstractContextManager[AuditContext]:
    """``acting_as`` with the owner's grant: the person at the terminal who holds the
    database (the CLI without a token, set-up scripts, tests)."""
    return acting_as(actor, source, Grant.owner(actor))


def current_grant() -> Grant:
    """The grant of whoever is acting; ``NoActor`` outside any context."""
    context = _context.get()
    if context is None:
        raise NoActor("no one is acting: every use case runs for someone, with their grant")
    return context.grant


def current_actor() -> str:
    return current_context().actor


def current_source() -> str:
    return current_context().source
