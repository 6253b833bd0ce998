from __future__ import annotations

import asyncio
import collections
import logging
from typing import Any

import asyncpg

from domain.shared.db import server_settings

log = logging.getLogger("govgraph.reads")


class PoolReads:
    """A few asyncpg connections for single-statement reads (the scan's lookup), beside SQLAlchemy's pool.

    Taking a connection from SQLAlchemy's session cost the scan ~80 µs of its ~590 (the benchmark's profile), and
    asyncpg's own pool still ~6% of the process: its release runs in a shielded task under a timer. These
    connections never change session state and serve one statement at a time, so handing one back is putting it on
    a list. A statement that fails or is cancelled leaves its connection in a state we do not inspect: that
    connection is closed and a fresh one opened for the next caller, the rare path kept simple.
    """

    def __init__(self, database_url: str, *, size: int, statement_timeout_s: float | None = None) -> None:
        self._url, self._size = database_url, size
        self._settings = server_settings("govgraph-reads", statement_timeout_s=statement_timeout_s)
        self._idle: list[asyncpg.Connection] = []
        self._waiters: collections.deque[asyncio.Future[asyncpg.Connection | None]] = collections.deque()
        self._open = 0  # connections open or being opened, idle or in use
        self._closed = False

    async def start(self) -> None:
        self._closed = False
        self._open += 1
        try:
            self._idle.append(await self._connect())  # fail at start-up, not at the first scan
        except BaseException:
            self._open -= 1
            raise

    async def stop(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for connection in idle:
            self._open -= 1
            try:
                await connection.close(timeout=5)
            except Exception:  # closing politely failed: the server is gone or slow, so just drop the socket
                connection.terminate()
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(asyncpg.InterfaceError("the read pool is closed"))

    async def fetchrow(self, query: str, *args: object) -> Any:
        connection = self._idle.pop() if self._idle else await self._acquire()
        try:
            row = await connection.fetchrow(query, *args)
        except BaseException:
            self._discard(connection)
            raise
        self._release(connection)
        return row

    async def _acquire(self) -> asyncpg.Connection:
        if self._closed:
            raise asyncpg.InterfaceError("the read pool is closed")
        if self._open < self._size:
            self._open += 1
            return await self._connect_in_slot()
        waiter: asyncio.Future[asyncpg.Connection | None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            handed = await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # handed over just as we gave up: pass it on
                connection = waiter.result()
                if connection is None:
                    self._free_slot()
                else:
                    self._release(connection)
            raise
        if handed is None:  # a slot freed by a discarded connection: open our own in it
            return await self._connect_in_slot()
        return handed

    async def _connect_in_slot(self) -> asyncpg.Connection:
        try:
            return await self._connect()
        except BaseException:
            self._free_slot()
            raise

    async def _connect(self) -> asyncpg.Connection:
        # No client-side command timeout: PostgreSQL ends a statement past statement_timeout itself.
        return await asyncpg.connect(self._url, server_settings=self._settings)

    def _release(self, connection: asyncpg.Connection) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        if self._closed:
            self._open -= 1
            connection.terminate()
        else:
            self._idle.append(connection)

    def _discard(self, connection: asyncpg.Connection) -> None:
        connection.terminate()
        self._free_slot()

    def _free_slot(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot passes to the waiter, who opens a connection in it
                return
        self._open -= 1
