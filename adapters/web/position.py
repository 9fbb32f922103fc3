"""The log's position, read for the event loop without blocking it.

Kept answers are keyed by the log's position, so every request reads it. On SQLite that
is a lookup in this process (microseconds). On PostgreSQL it is a round trip: it is sent
on an asynchronous connection, so the loop serves other requests meanwhile, and requests
that arrive while one read is under way share the next one, which starts after they
asked: each still sees every event committed before it arrived, and the server sends at
most one such query at a time, however many requests wait.
"""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg

from domain.errors import StorageUnavailable
from service.ledger import Ledger


class PositionReader:
    def __init__(self, ledger: Ledger, conninfo: str | None):
        self._ledger = ledger
        self._conninfo = conninfo
        self._statement: Any = getattr(ledger.recorder, "max_notification_id_statement", None)
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._next: asyncio.Future[int] | None = None
        """The read that waiting requests share; it starts once the one under way ends."""
        self._reading = False

    async def read(self) -> int:
        if self._conninfo is None or self._statement is None:
            return self._ledger.position()
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
            if not self._reading:
                self._reading = True
                asyncio.get_running_loop().create_task(self._read_for_waiting())
        return await asyncio.shield(self._next)

    async def _read_for_waiting(self) -> None:
        try:
            while self._next is not None:
                waiting, self._next = self._next, None
                try:
                    waiting.set_result(await self._query())
                except Exception as error:  # the waiting requests say why (503)
                    waiting.set_exception(error)
        finally:
            self._reading = False

    async def _query(self) -> int:
        try:
            if self._connection is None or self._connection.closed:
                assert self._conninfo is not None
                self._connection = await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True
                )
            async with self._connection.cursor() as cursor:
                await cursor.execute(self._statement)
                row = await cursor.fetchone()
        except psycopg.Error as error:
            if self._connection is not None:
                await self._connection.close()
            raise StorageUnavailable(f"the event store could not be read: {error}") from None
        return int(row[0] or 0) if row else 0

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
