from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest

from api.app import create_app
from api.settings import Mode
from tests.graphql import gql

SET_CLOCK = """
mutation Set($input: SetClockInput!) {
  setClock(input: $input) { now frozen errors { code message field } }
}
"""
NOW = "{ now }"


@pytest.fixture
async def reset_clock(client: httpx.AsyncClient) -> AsyncIterator[None]:
    yield
    await gql(client, SET_CLOCK, {"input": {}})


async def test_a_client_can_set_the_development_clock_and_read_it_back(client: httpx.AsyncClient, reset_clock):
    monday = "2026-01-05T09:00:00+05:00"

    response = await gql(client, SET_CLOCK, {"input": {"at": monday, "frozen": True}})
    later = await gql(client, NOW)

    assert response.json()["data"]["setClock"] == {"now": monday, "frozen": True, "errors": []}
    assert later.json()["data"]["now"] == monday


async def test_advancing_a_frozen_clock_moves_it_by_exactly_that_much(client: httpx.AsyncClient, reset_clock):
    await gql(client, SET_CLOCK, {"input": {"at": "2026-01-05T09:00:00+05:00", "frozen": True}})

    response = await gql(client, SET_CLOCK, {"input": {"advanceBySeconds": 5 * 24 * 3600}})

    assert datetime.fromisoformat(response.json()["data"]["setClock"]["now"]) == datetime.fromisoformat(
        "2026-01-10T09:00:00+05:00"
    )


async def test_a_time_without_an_offset_is_refused_as_invalid_date(client: httpx.AsyncClient):
    response = await gql(client, SET_CLOCK, {"input": {"at": "2026-01-05T09:00:00"}}, language="en")

    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INVALID_DATE"
    assert "offset" in error["message"]
    assert "data" not in response.json()


async def test_every_instance_follows_a_clock_moved_on_another(
    client: httpx.AsyncClient, settings, engine, reset_clock
):
    other = create_app(settings, engine=engine)
    async with (
        other.router.lifespan_context(other),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://other") as other_client,
    ):
        await gql(client, SET_CLOCK, {"input": {"at": "2030-06-01T12:00:00+05:00", "frozen": True}})
        seen = None
        for _ in range(50):
            seen = (await gql(other_client, NOW)).json()["data"]["now"]
            if seen.startswith("2030"):
                break
            await asyncio.sleep(0.05)

    assert datetime.fromisoformat(seen) == datetime.fromisoformat("2030-06-01T12:00:00+05:00")


async def test_the_clock_is_refused_in_production_and_nothing_changes(settings, engine):
    production = create_app(settings.model_copy(update={"mode": Mode.PRODUCTION}), engine=engine)
    async with (
        production.router.lifespan_context(production),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=production), base_url="http://prod") as prod_client,
    ):
        response = await gql(prod_client, SET_CLOCK, {"input": {"advanceBySeconds": 86400}}, language="en")
        now = datetime.fromisoformat((await gql(prod_client, NOW)).json()["data"]["now"])

    payload = response.json()["data"]["setClock"]
    assert payload["now"] is None
    assert payload["errors"][0]["code"] == "FORBIDDEN"
    assert abs(now - datetime.now(now.tzinfo)) < timedelta(minutes=1)
