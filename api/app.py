from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from api import migrate
from api.auth import KeySet, TokenVerifier
from api.devkeys import JWKS_FILE, DevelopmentKey, development_code_keys
from api.epcis_http import EpcisEndpoint
from api.graphql_http import GraphQLEndpoint
from api.kindergarten_sweeper import KindergartenSweeper
from api.listeners import PostgresListener
from api.metrics import Metrics
from api.read_pool import PoolReads
from api.settings import Settings
from api.verification_log import BufferedVerificationLog
from api.websocket import SubscriptionEndpoint
from domain.kindergarten import journal as kindergarten_journal
from domain.kindergarten.live import KindergartenHub
from domain.medicines.keys import CodeKeys
from domain.shared import clock_setting
from domain.shared.clock import AdjustableClock, Clock, SystemClock
from domain.shared.db import async_url, create_engine, create_sessionmaker, libpq_url
from schema.context import Resources


def build_key_set(settings: Settings) -> KeySet:
    if settings.jwks_url:
        return KeySet(url=settings.jwks_url, cache_s=settings.jwks_cache_s, min_refresh_s=settings.jwks_min_refresh_s)
    if settings.jwks_file:
        return KeySet(file=settings.jwks_file, cache_s=settings.jwks_cache_s, min_refresh_s=settings.jwks_min_refresh_s)
    # Settings refuse production without a JWKS, so only development and test reach the local key.
    DevelopmentKey.load_or_create(settings.dev_keys_dir)
    return KeySet(file=settings.dev_keys_dir / JWKS_FILE, cache_s=settings.jwks_cache_s, min_refresh_s=0)


class GovGraph(Starlette):
    """Starlette, with HTTP on /graphql handed straight to the GraphQL endpoint.

    The endpoint catches every error itself, so the router and the error middlewares add only their cost to the
    busiest route (about a tenth of a scan's CPU, measured); every other route and the websocket go through them.
    """

    def __init__(self, graphql: GraphQLEndpoint, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._graphql = graphql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/graphql":
            await self._graphql.serve(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def build_code_keys(settings: Settings) -> CodeKeys:
    if settings.code_keys and settings.code_key_id:
        return CodeKeys.parse(settings.code_keys, settings.code_key_id)
    # Settings refuse production without code keys, so only development and test reach the local ones.
    return development_code_keys(settings.dev_keys_dir)


def create_app(settings: Settings, *, engine: AsyncEngine | None = None) -> Starlette:
    """The ASGI application; `engine` lets tests share one pool, otherwise it is built from DATABASE_URL."""
    owns_engine = engine is None
    if engine is None:
        if not settings.database_url:
            raise ValueError("create_app needs DATABASE_URL; `govgraph serve` starts an embedded database for you")
        engine = create_engine(
            async_url(settings.database_url),
            pool_size=settings.db_pool_size,
            statement_timeout_s=settings.execution_timeout_s,
        )
    sessions = create_sessionmaker(engine)
    metrics = Metrics(engine)
    verifier = TokenVerifier(
        build_key_set(settings),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        leeway_s=settings.jwt_leeway_s,
        cache_s=settings.jwks_cache_s,
    )
    clock: Clock = SystemClock() if settings.is_production else AdjustableClock()
    verification_log = BufferedVerificationLog(sessions, clock)
    assert settings.database_url is not None
    reads = PoolReads(
        libpq_url(settings.database_url), size=settings.db_pool_size, statement_timeout_s=settings.execution_timeout_s
    )
    resources = Resources(
        sessions=sessions,
        clock=clock,
        code_keys=build_code_keys(settings),
        reads=reads,
        verification_log=verification_log,
        production=settings.is_production,
    )
    metrics.follow_subscriptions(resources.kindergarten_hub)
    graphql = GraphQLEndpoint(settings=settings, verifier=verifier, resources=resources, metrics=metrics)
    exports = EpcisEndpoint(verifier=verifier, resources=resources)
    head = migrate.head_revision()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
                current = await migrate.current_revision(connection)
        except Exception as error:  # any failure to reach the database means "not ready", with the reason
            return JSONResponse({"status": "unavailable", "database": type(error).__name__}, status_code=503)
        if current != head:
            return JSONResponse({"status": "migrating", "revision": current, "head": head}, status_code=503)
        return JSONResponse({"status": "ready", "revision": current})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await reads.start()
        await verification_log.start()
        listener = await _listen(settings, clock, sessions, resources.kindergarten_hub)
        sweeper = KindergartenSweeper(
            sessions, clock, interval_s=settings.sweep_interval_s, observe=metrics.observe_sweep
        )
        sweeper.start()
        try:
            yield
        finally:
            await sweeper.stop()
            await listener.stop()
            await verification_log.stop()
            await reads.stop()
            if owns_engine:
                await engine.dispose()

    app = GovGraph(
        graphql,
        routes=[
            WebSocketRoute(
                "/graphql",
                SubscriptionEndpoint(settings=settings, verifier=verifier, resources=resources),
            ),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics.endpoint),
            Route("/epcis/packs/{gtin}/{serial}", exports.pack_document, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.verification_log = verification_log
    app.state.resources = resources
    app.state.clock = clock
    app.state.metrics = metrics
    app.state.sessions = sessions
    return app


async def _listen(
    settings: Settings, clock: Clock, sessions: async_sessionmaker[AsyncSession], hub: KindergartenHub
) -> PostgresListener:
    """One connection of this instance LISTENs for what other instances commit: kindergarten events for its
    subscribers, and in development the clock's moves."""
    handlers: dict[str, Callable[[str], None]] = {kindergarten_journal.CHANNEL: hub.on_notify}
    reload = None
    if isinstance(clock, AdjustableClock):
        if settings.clock_start is not None:
            async with sessions() as session:
                await clock_setting.move_clock(
                    session, to=settings.clock_start, real_now=datetime.now(UTC), production=settings.is_production
                )

        async def reload() -> None:
            async with sessions() as session:
                clock.shift = await clock_setting.read_shift(session)

        def apply(payload: str) -> None:
            clock.shift = clock_setting.decode(payload)

        handlers[clock_setting.CLOCK_CHANNEL] = apply

    async def on_connect() -> None:
        hub.wake_all()  # anything committed while the connection was down is read again by every subscriber
        if reload is not None:
            await reload()

    assert settings.database_url is not None
    listener = PostgresListener(libpq_url(settings.database_url), handlers, on_connect=on_connect)
    await listener.start()
    return listener
