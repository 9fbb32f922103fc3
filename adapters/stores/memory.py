"""A throwaway ledger in memory (``--db memory:``): the library's in-memory store with a
recorder that signs each write under its lock (``MemoryFactory``, selected with
``PERSISTENCE_MODULE``), its read models in an in-memory SQLite database."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import StaticPool

from adapters.stores import sqlite
from adapters.stores.signed import SignedWrites
from domain.integrity import WriteSignature

T = TypeVar("T")

LEDGER_ENV: Mapping[str, str] = {}


class SigningMemoryRecorder(SignedWrites, POPOApplicationRecorder):
    """The library's in-memory recorder, signing each write under its lock."""

    def __init__(self) -> None:
        super().__init__()
        self._signatures: list[WriteSignature] = []

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with self._database_lock:
            ids = super().insert_events(stored_events, **kwargs)
            if stored_events and ids:
                self._signatures.append(self.signature_of(stored_events, ids[-1]))
            return ids

    def create_signatures_table(self) -> None:
        """Nothing to make in memory."""

    def add_signature(self, found: WriteSignature) -> None:
        """Keep a signature of events already stored (``recledger attest``, a restore)."""
        with self._database_lock:
            self._signatures.append(found)
            self._signatures.sort(key=lambda s: s.last_id)

    def select_signatures(self, after: int, limit: int) -> list[WriteSignature]:
        with self._database_lock:
            return [s for s in self._signatures if s.last_id > after][:limit]


class MemoryFactory(POPOFactory):
    """The in-memory store, with the signing recorder."""

    def application_recorder(self) -> SigningMemoryRecorder:
        return SigningMemoryRecorder()


PERSISTENCE_MODULE = f"{__name__}:{MemoryFactory.__name__}"


def env() -> dict[str, str]:
    """The eventsourcing environment for ``--db memory:``."""
    return {"PERSISTENCE_MODULE": PERSISTENCE_MODULE}


def read_model_engine(env: dict[str, str], *, single: bool = False) -> Engine:
    """The read models' engine: an in-memory SQLite database, on one connection kept."""
    return create_engine("sqlite://", poolclass=StaticPool)


scratch_engine = sqlite.scratch_engine
"""A SQLite file in a temporary directory, as beside a SQLite ledger."""


def check(env: dict[str, str], engine: Engine, db: str, *, create: bool) -> None:
    """Nothing to check: memory is always there."""


ddl_lock = sqlite.ddl_lock
"""A connection (never asked for: the events are kept in this process, in no table)."""


def opening(open_store: Callable[[], T]) -> T:
    """Nothing to wait for."""
    return open_store()


ready = sqlite.ready


clock_check = sqlite.clock_check
"""A ledger in memory records this machine's time: nothing to check it by."""
