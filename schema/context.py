from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.kindergarten.live import KindergartenHub
from domain.medicines.keys import CodeKeys
from domain.medicines.signals import VerificationLog
from domain.shared.access import Principal
from domain.shared.clock import Clock
from domain.shared.db import Reads
from schema.loaders import Loaders, make_loaders
from schema.messages import Locale


@dataclass(frozen=True, slots=True)
class Resources:
    """What the process gives every request: the database, the clock, the code keys, and the mode it runs in."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    code_keys: CodeKeys
    reads: Reads
    verification_log: VerificationLog
    production: bool
    kindergarten_hub: KindergartenHub = field(default_factory=KindergartenHub)


class Context:
    """What a resolver may know of its request: who asks, in which language, and the process's resources."""

    __slots__ = (
        "_loaders",
        "_owner",
        "_session",
        "_task_sessions",
        "clock",
        "code_keys",
        "connection_params",
        "kindergarten_hub",
        "locale",
        "principal",
        "production",
        "reads",
        "sessions",
        "verification_log",
    )

    def __init__(self, *, principal: Principal, locale: Locale, resources: Resources) -> None:
        self.principal = principal
        self.locale = locale
        self.sessions = resources.sessions
        self.clock = resources.clock
        self.code_keys = resources.code_keys
        self.reads = resources.reads
        self.verification_log = resources.verification_log
        self.production = resources.production
        self.kindergarten_hub = resources.kindergarten_hub
        self._session: AsyncSession | None = None
        self._task_sessions: dict[asyncio.Task[Any], AsyncSession] = {}
        self._owner: asyncio.Task[Any] | None = None
        self._loaders: Loaders | None = None
        self.connection_params: dict[str, object] = {}  # a websocket's connection_init payload

    @property
    def session(self) -> AsyncSession:
        """The request's unit of work, opened on first use: most queries never touch it.

        Sibling fields of a query resolve at once, each in a task of its own, and a session must not serve two
        tasks: a field running in another task than the request's gets a session of its own.
        """
        if self._session is None:
            self._session = self.sessions()
            self._owner = asyncio.current_task()
            return self._session
        task = asyncio.current_task()
        if task is None or task is self._owner:
            return self._session
        if task not in self._task_sessions:
            self._task_sessions[task] = self.sessions()
        return self._task_sessions[task]

    @property
    def loaders(self) -> Loaders:
        """The request's DataLoaders, built on first use: a scan that needs none pays nothing for them."""
        if self._loaders is None:
            self._loaders = make_loaders(self.sessions, self.principal)
        return self._loaders

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        sessions, self._task_sessions = list(self._task_sessions.values()), {}
        for session in sessions:
            await session.close()
