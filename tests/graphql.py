from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from api.settings import Settings


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    language: str | None = None,
    accept: str | None = None,
) -> httpx.Response:
    """POST a GraphQL document to the app, as a client would."""
    headers = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if language is not None:
        headers["Accept-Language"] = language
    if accept is not None:
        headers["Accept"] = accept
    return await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


@contextlib.asynccontextmanager
async def serving(settings: Settings, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app built with `settings` (another mode, other limits) on the tests' engine."""
    app = create_app(settings, engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        client.app = app  # type: ignore[attr-defined]  # tests reach the app's state (e.g. to flush the scan log)
        yield client
