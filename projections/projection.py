"""What a projection is, and what it needs of the event store.

A read model is a ``Projection``: a name, a schema version, its tables, and how it applies
a batch of events; the ``Runner`` (``projections.runner``) owns everything else. Evidence
(the seals) is a projection that is never rebuilt. ``identity`` names a stored event so
that a tracked position can be checked against the log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import Connection, Table

from projections.digest import Tally


class EventSource(Protocol):
    """What the projections need of the event store."""

    def notifications_after(self, position: int, limit: int) -> Sequence[tuple[int, str, Any, Any]]:
        """(notification id, ``identity``, domain event, stored event) after ``position``,
        in log order."""

    def events_of(self, aggregate_id: UUID, up_to_version: int) -> Sequence[Any]:
        """One aggregate's events, first to ``up_to_version``."""

    def log_from(self, position: int, limit: int) -> Sequence[tuple[int, str]]:
        """(notification id, ``identity``) of the events from ``position`` (inclusive)."""


class Projection(Protocol):
    """A read model kept from the log by the ``Runner``."""

    name: str
    """Its tracking row's name."""
    version: int
    """Its tables' schema version: a change drops them and rebuilds them from the log."""
    tables: tuple[Table, ...]
    evidence: bool
    """False for a read model. True for evidence (the seals): it is given the stored
    events, not decoded ones; it is never dropped or rebuilt (re-deriving it from a changed
    log would launder the change); and where the log under it changed, it stops there
    (``stopped``) while the read models go on."""

    def apply(
        self, conn: Connection, events: Sequence[Any], source: EventSource, tally: Tally
    ) -> None:
        """Apply a batch of events (in log order) inside the runner's transaction,
        tallying every row written or removed (``projections.digest``)."""

    def forget(self) -> None:
        """Drop what it holds in memory: its tables may have changed under it."""


class Evidence(Projection, Protocol):
    """A projection whose ``evidence`` is True."""

    def held_up_to(self, conn: Connection) -> int:
        """The log position its tables hold: where it goes on from when its tracking row
        is lost (a read model would start again from 0)."""


def identity(stored: Any) -> str:
    """What tells one stored event from any other that could take its place in the log:
    its aggregate, version and a digest of its content (recorded time included)."""
    digest = hashlib.blake2b(stored.state, digest_size=8).hexdigest()
    return f"{stored.originator_id}/{stored.originator_version}/{digest}"
