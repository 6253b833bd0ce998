from __future__ import annotations

from typing import Any

import asyncpg

from domain.shared.db import server_settings


class PoolReads:
    """An asyncpg pool for single-statement reads (the scan's lookup), beside SQLAlchemy's pool for units of work.

    Taking a connection from SQLAlchemy's session costed the scan ~80 µs of its ~590 (the benchmark's profile); the
    driver's pool costs a few. Its connections never change session state, so they are not reset on release (a
    reset is a second round trip per request).
    """

    def __init__(self, database_url: str, *, size: int, statement_timeout_s: float | None = None) -> None:
        self._url, self._size, self._statement_timeout_s = database_url, size, statement_timeout_s
        self._pool: asyncpg.Pool | None = None

    async def start(self) -> None:
        self._pool = await asyncpg.create_pool(
            self._url,
            min_size=1,
            max_size=self._size,
            reset=_keep_state,
            server_settings=server_settings("govgraph-reads", statement_timeout_s=self._statement_timeout_s),
        )

    async def stop(self) -> None:
        if self._pool is not None:
            await self._pool.close()

    async def fetchrow(self, query: str, *args: object) -> Any:
        assert self._pool is not None, "the read pool starts with the application"
        return await self._pool.fetchrow(query, *args)


async def _keep_state(connection: asyncpg.Connection) -> None:
    """Nothing to reset: reads here set no session state."""
