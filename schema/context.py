from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.shared.access import Principal
from domain.shared.clock import Clock
from schema.loaders import Loaders, make_loaders
from schema.messages import Locale


class Context:
    """What a resolver may know of its request: who asks, in which language, at what time, and the database."""

    __slots__ = (
        "_loaders",
        "_session",
        "clock",
        "connection_params",
        "locale",
        "principal",
        "production",
        "sessions",
    )

    def __init__(
        self,
        *,
        principal: Principal,
        locale: Locale,
        clock: Clock,
        sessions: async_sessionmaker[AsyncSession],
        production: bool,
    ) -> None:
        self.principal = principal
        self.production = production
        self.locale = locale
        self.clock = clock
        self.sessions = sessions
        self._session: AsyncSession | None = None
        self._loaders: Loaders | None = None
        self.connection_params: dict[str, object] = {}  # a websocket's connection_init payload

    @property
    def session(self) -> AsyncSession:
        """The request's unit of work, opened on first use: most queries never touch it."""
        if self._session is None:
            self._session = self.sessions()
        return self._session

    @property
    def loaders(self) -> Loaders:
        """The request's DataLoaders, built on first use: a scan that needs none pays nothing for them."""
        if self._loaders is None:
            self._loaders = make_loaders(self.sessions)
        return self._loaders

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
