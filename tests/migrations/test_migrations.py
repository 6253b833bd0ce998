from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

import domain.tables  # noqa: F401  (every mapped table on Base.metadata)
from api import migrate
from domain.shared.db import Base, async_url


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(async_url(url))
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
            types = await connection.execute(text("SELECT typname FROM pg_type WHERE typtype = 'e'"))
            return {row[0] for row in rows} | {f"type:{row[0]}" for row in types}
    finally:
        await engine.dispose()


async def test_an_empty_database_migrates_up_down_and_up_again(new_database: Callable[[], Any]):
    url = await new_database()

    await migrate.upgrade(url)
    after_up = await _tables(url)
    await migrate.downgrade(url, "base")
    after_down = await _tables(url)
    await migrate.upgrade(url)
    after_second_up = await _tables(url)

    assert {"organisations", "calendar_days", "outbox_events", "type:region"} <= after_up
    assert after_down == {"alembic_version"}  # nothing but Alembic's own bookkeeping is left behind
    assert after_second_up == after_up


async def test_the_mappings_and_the_migrations_agree(database_url: str):
    engine = create_async_engine(async_url(database_url))
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
    finally:
        await engine.dispose()

    assert differences == []


async def test_the_database_is_at_the_newest_revision(engine):
    async with engine.connect() as connection:
        current = await migrate.current_revision(connection)

    assert current == migrate.head_revision()


async def test_the_national_calendar_is_seeded_by_the_migration(engine):
    async with engine.connect() as connection:
        days = await connection.scalar(
            text(
                "SELECT count(*) FROM calendar_days WHERE region IS NULL AND day BETWEEN '2026-01-01' AND '2027-12-31'"
            )
        )
        independence = await connection.scalar(text("SELECT kind FROM calendar_days WHERE day = '2026-12-16'"))

    assert days > 30
    assert independence == "HOLIDAY"
