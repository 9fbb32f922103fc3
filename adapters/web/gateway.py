"""One ledger per server process, used by one thread at a time.

The ledger's read-model runner keeps in-memory caches that are not thread-safe, so every
call goes through a single-threaded executor: the event loop stays free for everything
else, and several workers (or servers) share the database, where every rule is enforced
by the service layer and every write is serialised by the event store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from adapters.settings import Settings
from domain.access import Grant
from domain.audit import acting_as
from service.ledger import Ledger

T = TypeVar("T")


class Gateway:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._ledger: Ledger | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger")

    async def call(self, grant: Grant, source: str, use: Callable[[Ledger], T]) -> T:
        """Run one use case as ``grant``'s holder; its events say they came via ``source``."""
        return await asyncio.get_running_loop().run_in_executor(
            self._thread, self._as, grant, source, use
        )

    async def authenticate(self, token: str) -> Grant:
        return await asyncio.get_running_loop().run_in_executor(
            self._thread, lambda: self._open().authenticate(token)
        )

    def _as(self, grant: Grant, source: str, use: Callable[[Ledger], T]) -> T:
        ledger = self._open()
        with acting_as(grant.name, source, grant):
            return use(ledger)

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
