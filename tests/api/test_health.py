from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from api import migrate
from api.settings import Settings
from domain.shared.db import async_url, create_engine
from tests.graphql import gql, serving
from tests.prometheus import sample

ME = "{ me { __typename } }"


async def test_healthz_answers_ok_while_the_process_runs(client: httpx.AsyncClient):
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_the_database_at_the_latest_migration(client: httpx.AsyncClient):
    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "revision": migrate.head_revision()}


async def test_readyz_is_503_while_the_database_is_behind_the_migrations(
    settings: Settings, new_database: Callable[[], Any]
):
    empty_url = await new_database()  # no migration has run: no alembic_version table
    engine = create_engine(async_url(empty_url), pool_size=1)
    try:
        async with serving(settings.model_copy(update={"database_url": empty_url}), engine) as client:
            response = await client.get("/readyz")
    finally:
        await engine.dispose()

    assert response.status_code == 503
    assert response.json() == {"status": "migrating", "revision": None, "head": migrate.head_revision()}


async def test_metrics_count_requests_by_operation_and_show_the_database_pool(client: httpx.AsyncClient):
    await gql(client, ME)

    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    metrics = response.text
    assert sample(metrics, "graphql_requests_total", '{operation="query me",outcome="ok"}') == 1
    assert sample(metrics, "graphql_request_duration_seconds_count", '{operation="query me"}') == 1
    assert sample(metrics, "db_pool_size") == 5  # the test engine's pool (tests/conftest.py)
    for gauge in ("db_pool_checked_out", "db_pool_overflow", "db_pool_idle"):
        assert sample(metrics, gauge) >= 0


async def test_metrics_count_errors_by_code(client: httpx.AsyncClient):
    await gql(client, "{ noSuchField }")
    await gql(client, "{ noSuchField }")

    metrics = (await client.get("/metrics")).text

    assert sample(metrics, "graphql_errors_total", '{code="GRAPHQL_VALIDATION_FAILED"}') == 2
    assert sample(metrics, "graphql_requests_total", '{operation="invalid",outcome="error"}') == 2
