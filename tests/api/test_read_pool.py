from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from api.read_pool import PoolReads
from domain.shared.db import libpq_url


@pytest.fixture
async def reads(database_url: str) -> AsyncIterator[PoolReads]:
    pool = PoolReads(libpq_url(database_url), size=2, statement_timeout_s=0.5)
    await pool.start()
    yield pool
    await pool.stop()


async def _open_connections(database_url: str) -> int:
    connection = await asyncpg.connect(libpq_url(database_url))
    try:
        return int(
            await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'govgraph-reads' "
                "AND datname = current_database()"
            )
        )
    finally:
        await connection.close()


async def test_more_callers_than_connections_all_get_their_rows_through_two_connections(
    reads: PoolReads, database_url: str
) -> None:
    rows = await asyncio.gather(*(reads.fetchrow("SELECT $1::int, pg_sleep(0.02)", n) for n in range(12)))

    assert [row[0] for row in rows] == list(range(12))
    assert await _open_connections(database_url) == 2


async def test_a_statement_past_the_timeout_fails_and_the_next_caller_is_served(reads: PoolReads) -> None:
    with pytest.raises(asyncpg.QueryCanceledError):
        await reads.fetchrow("SELECT pg_sleep(2)")

    assert (await reads.fetchrow("SELECT 41 + 1"))[0] == 42


async def test_a_caller_cancelled_while_waiting_leaves_the_pool_whole(reads: PoolReads, database_url: str) -> None:
    busy = [asyncio.create_task(reads.fetchrow("SELECT pg_sleep(0.2)")) for _ in range(2)]
    await asyncio.sleep(0.05)
    waiting = asyncio.create_task(reads.fetchrow("SELECT 1"))
    await asyncio.sleep(0.01)

    waiting.cancel()
    await asyncio.gather(*busy)

    assert waiting.cancelled()
    rows = await asyncio.gather(*(reads.fetchrow("SELECT $1::int", n) for n in range(4)))
    assert [row[0] for row in rows] == [0, 1, 2, 3]
    assert await _open_connections(database_url) == 2


async def test_a_caller_cancelled_mid_statement_costs_its_connection_not_the_pool(reads: PoolReads) -> None:
    running = asyncio.create_task(reads.fetchrow("SELECT pg_sleep(0.3)"))
    await asyncio.sleep(0.05)

    running.cancel()

    with pytest.raises(asyncio.CancelledError):
        await running
    rows = await asyncio.gather(*(reads.fetchrow("SELECT $1::int", n) for n in range(3)))
    assert [row[0] for row in rows] == [0, 1, 2]


async def test_a_stopped_pool_refuses_new_callers(database_url: str) -> None:
    pool = PoolReads(libpq_url(database_url), size=1)
    await pool.start()
    await pool.stop()

    with pytest.raises(asyncpg.InterfaceError):
        await pool.fetchrow("SELECT 1")
