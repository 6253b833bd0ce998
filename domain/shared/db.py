from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any, Protocol

import asyncpg
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so that Alembic can drop and alter them by name in every migration.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def create_engine(
    url: str, *, pool_size: int = 20, max_overflow: int = 0, statement_timeout_s: float | None = None
) -> AsyncEngine:
    # No overflow: a connection opened for a burst and closed after it costs a TCP and TLS handshake per request
    # under sustained load (seen in the scan benchmark's profile); requests beyond the pool wait for a connection.
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=False,  # a dead connection fails one request and is replaced; a ping would tax every one
        connect_args={"server_settings": server_settings("govgraph", statement_timeout_s=statement_timeout_s)},
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: what a use case returns can still be read after its commit.
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def async_url(url: str) -> str:
    """The SQLAlchemy asyncpg form of a libpq-style PostgreSQL URL."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    raise ValueError(f"not a PostgreSQL URL: {url.split('://', 1)[0]}://…")


def libpq_url(url: str) -> str:
    """The plain postgresql:// form of a URL, as asyncpg and libpq take it."""
    return "postgresql://" + async_url(url).removeprefix("postgresql+asyncpg://")


async def driver_connection(session: AsyncSession, *, autocommit: bool = False) -> Any:
    """The asyncpg connection under `session`, for the few hot or bulk paths that go beneath SQLAlchemy (COPY,
    the scan's lookup). With `autocommit` no transaction is begun, which saves a BEGIN and a ROLLBACK round trip
    for a single read; inside a transaction already begun, the read simply joins it."""
    # A session bound to a connection (tests, joined to an outer transaction) or already in a transaction reads
    # inside that transaction instead.
    fresh = isinstance(session.bind, AsyncEngine) and not session.in_transaction()
    options = {"isolation_level": "AUTOCOMMIT"} if autocommit and fresh else None
    connection = await session.connection(execution_options=options)
    return (await connection.get_raw_connection()).driver_connection


class Reads(Protocol):
    """Single-statement reads outside any unit of work: how the hottest paths reach the database."""

    async def fetchrow(self, query: str, *args: object) -> Any: ...


class SessionReads:
    """Reads through a session's own connection, joining its transaction if it has one."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def fetchrow(self, query: str, *args: object) -> Any:
        connection = await driver_connection(self._session, autocommit=True)
        return await connection.fetchrow(query, *args)


def server_settings(application: str, *, statement_timeout_s: float | None) -> dict[str, str]:
    """Session settings for our connections. PostgreSQL itself ends a statement that runs past the timeout, so no
    statement outlives the request that sent it; a client-side timeout would cost a timer and a task per query."""
    settings = {"application_name": application, "timezone": "UTC"}
    if statement_timeout_s is not None:
        settings["statement_timeout"] = str(int(statement_timeout_s * 1000))
    return settings


@contextlib.asynccontextmanager
async def driver_transaction(session: AsyncSession) -> AsyncIterator[asyncpg.Connection]:
    """A transaction of the driver's own on the session's connection, for the busiest operation (a sale): begun,
    committed or rolled back by asyncpg, so that SQLAlchemy's statement and transaction work is not paid per sale.
    Inside it, statements go through the connection given (or `driver`), never through the session."""
    connection = await session.connection()
    raw: asyncpg.Connection = (await connection.get_raw_connection()).driver_connection
    try:
        async with raw.transaction():
            yield raw
    except BaseException:
        await session.rollback()
        raise
    # The session's own transaction holds nothing at the database (a savepoint where a test's transaction wraps
    # it); ending it lets the session serve the next use case.
    await session.commit()


async def driver(session: AsyncSession) -> asyncpg.Connection:
    """The driver's connection under the session's transaction, for statements that SQLAlchemy would only slow."""
    connection = await session.connection()
    raw: asyncpg.Connection = (await connection.get_raw_connection()).driver_connection
    if not raw.is_in_transaction():  # SQLAlchemy begins lazily, at its first statement
        await session.execute(text("SELECT 1"))
    return raw


@contextlib.asynccontextmanager
async def session_transaction(session: AsyncSession) -> AsyncIterator[asyncpg.Connection]:
    """The session's transaction with the driver's connection under it: for use cases written in SQL that still
    call helpers reading through the session (driver_transaction leaves no room for those)."""
    async with session.begin():
        yield await driver(session)
