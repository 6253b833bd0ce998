from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

import migrations
from domain.shared.db import async_url

_ROOT = Path(migrations.__file__).parent


def alembic_config(database_url: str) -> Config:
    """Alembic's configuration pointing at our migrations and `database_url`, without reading alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(_ROOT))
    config.set_main_option("sqlalchemy.url", async_url(database_url).replace("%", "%%"))
    return config


def head_revision() -> str:
    head = ScriptDirectory(str(_ROOT)).get_current_head()
    assert head is not None, "migrations/versions holds no revision"
    return head


async def upgrade(database_url: str, revision: str = "head") -> None:
    # Alembic's command API is synchronous and runs its own event loop inside env.py: keep it off ours.
    await asyncio.to_thread(command.upgrade, alembic_config(database_url), revision)


async def downgrade(database_url: str, revision: str = "base") -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(database_url), revision)


async def current_revision(connection: AsyncConnection) -> str | None:
    """The revision the database is at; None before the first migration."""
    has_table = await connection.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
    return await connection.scalar(text("SELECT version_num FROM alembic_version")) if has_table else None
