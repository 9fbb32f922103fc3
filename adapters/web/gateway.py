"""One ledger per server process, used by one thread at a time, and its answers kept.

The ledger's read-model runner keeps in-memory caches that are not thread-safe, so every
call goes through a single-threaded executor: the event loop stays free for everything
else, and several workers (or servers) share the database, where every rule is enforced
by the service layer and every write is serialised by the event store.

Every answer the ledger gives is a function of the question and of the log up to its
last event, which never changes once written. So a grant and an answer, computed at a
log position, stand while the position does: each call first reads the position (one
indexed query) and answers from memory when nothing has been appended since, in any
process. A revocation is an event too, so a revoked token is refused at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from cachetools import LRUCache

from adapters.settings import Settings
from domain.access import Grant
from domain.audit import acting_as
from service.ledger import Ledger

T = TypeVar("T")

ANSWERS_BYTES = 64 * 2**20
"""Memory for kept answers, per process (least recently used go first)."""
GRANTS = 10_000


class Gateway:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._ledger: Ledger | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger")
        self._grants: LRUCache[str, tuple[int, Grant]] = LRUCache(GRANTS)
        self._answers: LRUCache[Hashable, bytes] = LRUCache(ANSWERS_BYTES, getsizeof=len)

    async def call(self, token: str, source: str, use: Callable[[Ledger], T]) -> T:
        """Run one use case as the holder of ``token``; its events say they came via
        ``source``. Authenticating and running are one trip to the ledger's thread."""
        return await self._run(self._call, token, source, use)

    async def answer(self, token: str, question: Hashable, use: Callable[[Ledger], bytes]) -> bytes:
        """The answer to a read (``use``, as the holder of ``token``) as kept for this log
        position, else computed and kept. ``question`` names everything it depends on."""
        return await self._run(self._answer, token, question, use)

    async def authenticate(self, token: str) -> Grant:
        return await self._run(lambda: self._grant(self._open(), token)[0])

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, work, *args)

    def _call(self, token: str, source: str, use: Callable[[Ledger], T]) -> T:
        ledger = self._open()
        grant, _ = self._grant(ledger, token)
        with acting_as(grant.name, source, grant):
            return use(ledger)

    def _answer(self, token: str, question: Hashable, use: Callable[[Ledger], bytes]) -> bytes:
        ledger = self._open()
        grant, position = self._grant(ledger, token)
        key = (grant, question, position)
        found = self._answers.get(key)
        if found is None:
            with acting_as(grant.name, "api", grant):
                found = self._answers[key] = use(ledger)
        return found

    def _grant(self, ledger: Ledger, token: str) -> tuple[Grant, int]:
        """The token's grant, and the log position it was checked at."""
        position = ledger.position()
        kept = self._grants.get(token)
        if kept is not None and kept[0] == position:
            return kept[1], position
        grant = ledger.authenticate(token)
        self._grants[token] = (position, grant)
        return grant, position

    def _open(self) -> Ledger:
        if self._ledger is None:
            from adapters.storage import bootstrap

            self._ledger = bootstrap(self.settings, create=True)
        return self._ledger

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None
