from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.kindergarten.models import Language
from domain.shared.regions import Region
from tests.domain.kindergarten.registry import add_family, add_kindergarten
from tests.graphql import gql
from tests.schema.kindergarten.documents import MINE, MONDAY, parent_token, publish, staff_token, submit

# style.md: a page of 100 runs as few SQL statements as a page of 1. The kindergarten reads go beneath SQLAlchemy
# to asyncpg, so both are counted: SQLAlchemy's statements by its event, the driver's own by asyncpg's logger.

KINDERGARTENS = """
query($first: Int) {
  kindergartens(region: TURKISTAN, first: $first) {
    edges { node { id name capacities { cohort capacity } queueStats { cohort waiting offeredThisMonth } } }
  }
}
"""
OPEN_OFFERS = """
query($first: Int) {
  kindergartenOpenOffers(first: $first) { edges { node { id childIinMasked kindergarten { id name } } } }
}
"""


@contextlib.contextmanager
def counting_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []
    watched: list[Any] = []

    def sqlalchemy_statement(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    def driver_statement(record: Any) -> None:
        statements.append(record.query)

    def checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        watched.append(dbapi_connection.driver_connection)
        dbapi_connection.driver_connection.add_query_logger(driver_statement)

    event.listen(engine.sync_engine, "before_cursor_execute", sqlalchemy_statement)
    event.listen(engine.sync_engine.pool, "checkout", checkout)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine.pool, "checkout", checkout)
        event.remove(engine.sync_engine, "before_cursor_execute", sqlalchemy_statement)
        for connection in watched:
            connection.remove_query_logger(driver_statement)


async def _statements(client, engine, document, variables, token=None) -> int:
    with counting_statements(engine) as statements:
        answer = (await gql(client, document, variables, token=token)).json()
    assert "errors" not in answer, answer
    return len(statements)


async def test_a_page_of_a_hundred_kindergartens_costs_as_many_statements_as_a_page_of_one(
    client, keys, engine, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    gardens = [await add_kindergarten(committing_sessions, region=Region.TURKISTAN) for _ in range(6)]
    for garden in gardens[:3]:
        await submit(client, keys, await add_family(committing_sessions), garden)

    one = await _statements(client, engine, KINDERGARTENS, {"first": 1})
    many = await _statements(client, engine, KINDERGARTENS, {"first": 100})

    assert many == one


async def test_a_page_of_a_hundred_open_offers_costs_as_many_statements_as_a_page_of_one(
    client, keys, engine, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    garden = await add_kindergarten(committing_sessions, languages=(Language.KK,))
    for _ in range(5):
        await submit(client, keys, await add_family(committing_sessions), garden)
    await publish(client, keys, garden, count=5)
    token = staff_token(keys, garden)

    one = await _statements(client, engine, OPEN_OFFERS, {"first": 1}, token)
    many = await _statements(client, engine, OPEN_OFFERS, {"first": 100}, token)

    assert many == one


async def test_a_family_of_three_children_costs_as_many_statements_as_a_family_of_one(
    client, keys, engine, committing_sessions, reset_clock_to
):
    await reset_clock_to(MONDAY)
    gardens = [await add_kindergarten(committing_sessions) for _ in range(2)]
    small = await add_family(committing_sessions)
    large = await add_family(committing_sessions, date(2021, 2, 1), date(2023, 5, 17), date(2025, 8, 30))
    for family in (small, large):
        for child in family.children:
            await submit(client, keys, family, *gardens, childIin=child)

    one = await _statements(client, engine, MINE, {}, parent_token(keys, small))
    three = await _statements(client, engine, MINE, {}, parent_token(keys, large))

    assert three == one
