from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import SigningKeys, organisation_claims, regulator_claims
from tests.domain.medicines.conftest import MANUFACTURER_BIN, new_gtin
from tests.graphql import gql

REGISTER = """
mutation Register($input: RegisterProductInput!) {
  registerProduct(input: $input) {
    product { id gtin tradeName status manufacturer { bin name kind } }
    errors { code message field }
  }
}
"""
SET_PRICE = """
mutation Price($input: SetMaxRetailPriceInput!) {
  setMaxRetailPrice(input: $input) { maxRetailPrice { price effectiveFrom } errors { code field } }
}
"""
PRODUCT = """
query Product($gtin: GTIN!, $on: Date) {
  product(gtin: $gtin) { gtin tradeName maxRetailPrice(on: $on) maxRetailPriceHistory { price effectiveFrom } }
}
"""
PAGE = """
query Page($first: Int, $after: String, $search: String) {
  products(first: $first, after: $after, search: $search) {
    edges { cursor node { gtin manufacturer { name } maxRetailPrice } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

pytestmark = pytest.mark.usefixtures("demo_data")


def product_input(gtin: str | None = None, **overrides: Any) -> dict[str, Any]:
    gtin = gtin or new_gtin()
    return {
        "gtin": gtin,
        "tradeName": "Ибупрофен-Демо",
        "inn": "Ibuprofen",
        "dosageForm": "tablets",
        "strength": "200 mg",
        "unitsPerPack": 10,
        "holderName": "ТОО «Демо Фарм Завод»",
        "registrationNumber": f"РК-ЛС-{gtin}",
        "manufacturerBin": MANUFACTURER_BIN,
        **overrides,
    }


async def register(client: httpx.AsyncClient, keys: SigningKeys, **overrides: Any) -> dict[str, Any]:
    response = await gql(client, REGISTER, {"input": product_input(**overrides)}, token=keys.token(regulator_claims()))
    return response.json()["data"]["registerProduct"]


async def test_the_regulator_registers_a_product_that_anyone_can_then_read(client, keys):
    gtin = new_gtin()

    registered = await register(client, keys, gtin=gtin)
    public = await gql(client, PRODUCT, {"gtin": gtin})

    assert registered["errors"] == []
    assert registered["product"]["manufacturer"] == {
        "bin": MANUFACTURER_BIN,
        "name": "ТОО «Демо Фарм Завод»",
        "kind": "MANUFACTURER",
    }
    assert public.json()["data"]["product"]["tradeName"] == "Ибупрофен-Демо"


async def test_a_gtin_13_is_accepted_and_answered_as_gtin_14(client, keys):
    gtin14 = new_gtin()

    registered = await register(client, keys, gtin=gtin14[1:])

    assert registered["product"]["gtin"] == gtin14


async def test_a_manufacturer_cannot_register_products_and_nothing_is_written(client, keys):
    gtin = new_gtin()
    token = keys.token(organisation_claims(MANUFACTURER_BIN, "MANUFACTURER"))

    response = await gql(client, REGISTER, {"input": product_input(gtin)}, token=token, language="en")
    after = await gql(client, PRODUCT, {"gtin": gtin})

    payload = response.json()["data"]["registerProduct"]
    assert payload["product"] is None
    assert payload["errors"][0]["code"] == "FORBIDDEN"
    assert after.json()["data"]["product"] is None


async def test_a_gtin_with_a_wrong_check_digit_is_refused_before_anything_runs(client, keys):
    bad = new_gtin()[:-1] + "X"

    response = await gql(client, REGISTER, {"input": product_input(bad)}, token=keys.token(regulator_claims()))

    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_GTIN"
    assert "data" not in response.json()


async def test_a_second_registration_of_a_gtin_names_the_field(client, keys):
    gtin = new_gtin()
    await register(client, keys, gtin=gtin)

    again = await register(client, keys, gtin=gtin, registrationNumber="another")

    assert again["errors"][0]["code"] == "PRODUCT_EXISTS"
    assert again["errors"][0]["field"] == ["input", "gtin"]


async def test_prices_are_set_ahead_and_read_by_day(client, keys, reset_clock_to):
    gtin = new_gtin()
    await register(client, keys, gtin=gtin)
    await reset_clock_to("2026-11-25T10:00:00+05:00")
    token = keys.token(regulator_claims())

    first = await gql(
        client, SET_PRICE, {"input": {"gtin": gtin, "price": "1200", "effectiveFrom": "2026-12-01"}}, token=token
    )
    past = await gql(
        client, SET_PRICE, {"input": {"gtin": gtin, "price": "1", "effectiveFrom": "2026-11-25"}}, token=token
    )
    read = await gql(client, PRODUCT, {"gtin": gtin, "on": "2026-12-02"})
    before = await gql(client, PRODUCT, {"gtin": gtin, "on": "2026-11-30"})

    assert first.json()["data"]["setMaxRetailPrice"]["maxRetailPrice"] == {
        "price": "1200.00",
        "effectiveFrom": "2026-12-01",
    }
    assert past.json()["data"]["setMaxRetailPrice"]["errors"] == [
        {"code": "PRICE_HISTORY_FIXED", "field": ["input", "effectiveFrom"]}
    ]
    assert read.json()["data"]["product"]["maxRetailPrice"] == "1200.00"
    assert read.json()["data"]["product"]["maxRetailPriceHistory"] == [
        {"price": "1200.00", "effectiveFrom": "2026-12-01"}
    ]
    assert before.json()["data"]["product"]["maxRetailPrice"] is None


async def test_the_registry_pages_by_cursor(client, keys):
    marker = f"Pager{new_gtin()}"
    gtins = sorted([new_gtin() for _ in range(3)])
    for gtin in gtins:
        await register(client, keys, gtin=gtin, tradeName=marker)

    first = (await gql(client, PAGE, {"first": 2, "search": marker})).json()["data"]["products"]
    rest = (await gql(client, PAGE, {"first": 2, "after": first["pageInfo"]["endCursor"], "search": marker})).json()

    assert [edge["node"]["gtin"] for edge in first["edges"]] == gtins[:2]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [edge["node"]["gtin"] for edge in rest["data"]["products"]["edges"]] == gtins[2:]


async def test_a_page_of_a_hundred_products_costs_as_many_statements_as_a_page_of_one(
    client, keys, engine: AsyncEngine
):
    marker = f"Count{new_gtin()}"
    for _ in range(12):
        await register(client, keys, tradeName=marker)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        await gql(client, PAGE, {"first": 1, "search": marker})
        one = len(statements)
        statements.clear()
        await gql(client, PAGE, {"first": 100, "search": marker})
        many = len(statements)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)

    assert many == one
