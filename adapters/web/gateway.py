"""The ledger for a server process: a few threads, each with a ledger of its own, and the
answers they give, kept.

A ledger's read-model runner keeps in-memory caches that are not thread-safe, so each
thread of a small pool opens its own ledger, as a separate process would: the event loop
stays free, a query waiting on the database does not hold up the others, and every rule
is enforced by the service layer and every write serialised by the event store, as
between the workers (and servers) that share the database.

Every answer the ledger gives is a function of the question and of the log up to its
last event, which never changes once written. So a grant and an answer, computed at a
log position, stand while the position does: each call first reads the position (one
indexed query) and answers from memory when nothing has been appended since, in any
process. A revocation is an event too, so a revoked token is refused at once. (Where a
projection worker keeps the read models, they move on under an unchanged log: answers
are then not kept, ``keeps_answers``.)

A caller proves who they are with a ``Credential``: a bearer token (``Bearer``), or the
name of the token a page session was signed in with (``SessionOf``: the secret was checked
then; the token must still not be revoked).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cachetools import LRUCache

from adapters.settings import Settings
from adapters.web.position import PositionReader
from domain.access import Grant
from domain.audit import acting_as
from service.ledger import Ledger

T = TypeVar("T")

ANSWERS_BYTES = 64 * 2**20
"""Memory for kept answers, per process (least recently used go first)."""
GRANTS = 10_000
THREADS = 4
"""Ledgers per process: enough to overlap waits on the database, few enough to keep each
one's caches warm."""


@dataclass(frozen=True)
class Bearer:
    """A bearer token, as sent (``Authorization: Bearer <token>``)."""

    token: str = field(repr=False)

    def grant(self, ledger: Ledger) -> Grant:
        return ledger.authenticate(self.token)


@dataclass(frozen=True)
class SessionOf:
    """The token a page session was signed in with, by name: its secret was checked at
    sign-in; on every request it must still not be revoked."""

    name: str

    def grant(self, ledger: Ledger) -> Grant:
        return ledger.grant_of(self.name)


Credential = Bearer | SessionOf


def _size(answer: object) -> int:
    """What a kept answer weighs: bytes their length; anything else (a page's read
    models) a generous guess."""
    return len(answer) if isinstance(answer, bytes) else 256 * 1024


class Gateway:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._threads = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="ledger")
        self._local = threading.local()
        self._opened: list[Ledger] = []
        self._positions: PositionReader | None = None
        """Reads the log's position for the event loop (on the ``shared`` ledger)."""
        self._shared: Ledger | None = None
        self._opening = threading.Lock()
        """Guards the opening of the shared ledger."""
        self._lock = threading.Lock()
        """Guards the kept grants and answers, and the list of ledgers opened."""
        self._grants: LRUCache[Credential, tuple[int, Grant]] = LRUCache(GRANTS)
        self._answers: LRUCache[Hashable, Any] = LRUCache(ANSWERS_BYTES, getsizeof=_size)
        self.keeps_answers = settings.projections == "inline"
        """Whether answers are kept per log position: only where every read catches the
        read models up first. A projection worker moves them on under an unchanged log."""

    async def call(self, credential: Credential, source: str, use: Callable[[Ledger], T]) -> T:
        """Run one use case as the holder of ``credential``; its events say they came via
        ``source``. Authenticating (a grant kept for this log position, else checked) and
        running are one trip to the ledger's thread."""
        return await self._run(self._call, credential, source, use)

    async def answer(
        self,
        credential: Credential,
        question: Hashable,
        use: Callable[[Ledger], T],
        position: int | None = None,
    ) -> T:
        """The answer to a read (``use``, as the holder of ``credential``) as kept for this
        log position, else computed and kept. ``question`` names everything it depends on;
        ``position``, the log's read since the request arrived, if it was (by
        ``authenticate``).

        A kept answer is found on the event loop itself (``PositionReader``): no trip
        to a thread."""
        if position is None:
            position = await self._position()
        with self._lock:
            kept = self._grants.get(credential)
            if kept is not None and kept[0] == position:
                found: T | None = self._answers.get((kept[1], question, position))
                if found is not None:
                    return found
        return await self._run(self._answer, credential, question, use)

    async def authenticate(self, credential: Credential) -> tuple[Grant, int]:
        """The credential's grant, and the log's position: the grant kept for that
        position (found on the event loop, no trip to a thread), else checked in the
        ledger and kept for the calls that follow at the same position."""
        position = await self._position()
        with self._lock:
            kept = self._grants.get(credential)
        if kept is not None and kept[0] == position:
            return kept[1], position
        return await self._run(lambda: self._grant(self._open(), credential))

    async def _position(self) -> int:
        if self._positions is None:
            from adapters.storage import postgres_conninfo

            self._positions = PositionReader(self.shared(), postgres_conninfo(self.settings.db))
        return await self._positions.read()

    def shared(self) -> Ledger:
        """A ledger of this process for what the event loop reads itself (the log's
        position) and for the database's engine (the pages' sessions)."""
        with self._opening:
            if self._shared is None:
                from adapters.storage import bootstrap

                ledger = bootstrap(self.settings, create=True)
                with self._lock:
                    self._opened.append(ledger)
                self._shared = ledger
            return self._shared

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._threads, work, *args)

    def _call(self, credential: Credential, source: str, use: Callable[[Ledger], T]) -> T:
        ledger = self._open()
        grant, _ = self._grant(ledger, credential)
        with acting_as(grant.name, source, grant):
            return use(ledger)

    def _answer(self, credential: Credential, question: Hashable, use: Callable[[Ledger], T]) -> T:
        ledger = self._open()
        grant, position = self._grant(ledger, credential)
        key = (grant, question, position)
        with self._lock:
            found: T | None = self._answers.get(key)
        if found is None:
            with acting_as(grant.name, "api", grant):
                found = use(ledger)
            with self._lock:
                self._answers[key] = found
        return found

    def _grant(self, ledger: Ledger, credential: Credential) -> tuple[Grant, int]:
        """The credential's grant, and the log position it was checked at."""
        position = ledger.position()
        with self._lock:
            kept = self._grants.get(credential)
        if kept is not None and kept[0] == position:
            return kept[1], position
        grant = credential.grant(ledger)
        with self._lock:
            self._grants[credential] = (position, grant)
        return grant, position

    def _open(self) -> Ledger:
        """This thread's ledger."""
        ledger: Ledger | None = getattr(self._local, "ledger", None)
        if ledger is None:
            from adapters.storage import bootstrap

            ledger = self._local.ledger = bootstrap(self.settings, create=True)
            with self._lock:
                self._opened.append(ledger)
        return ledger

    async def aclose(self) -> None:
        if self._positions is not None:
            await self._positions.close()
        await asyncio.get_running_loop().run_in_executor(None, self.close)

    def close(self) -> None:
        self._threads.shutdown(wait=True)
        with self._lock:
            opened, self._opened = self._opened, []
        for ledger in opened:
            ledger.close()
