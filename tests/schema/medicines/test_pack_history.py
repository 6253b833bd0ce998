from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.medicines.codes import PackCode
from domain.medicines.models import BusinessStep, PackEvent
from domain.shared.db import create_sessionmaker
from tests.conftest import organisation_claims, regulator_claims
from tests.domain.medicines.conftest import HOSPITAL_BIN, MANUFACTURER_BIN, PHARMACY_BIN
from tests.domain.medicines.test_history import record_event
from tests.graphql import gql
from tests.schema.medicines.test_verify_pack import issue_and_commission

HISTORY = """
query History($code: String!, $first: Int, $after: String) {
  packHistory(code: $code, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges {
      node {
        eventId bizStep disposition occurredAt
        organisation { bin kind }
        shipmentId price maxRetailPrice reason units unitsRemaining correctsEventId correctedByEventId
      }
    }
  }
}
"""
LATER = datetime.now(UTC) + timedelta(hours=1)  # after the commissioning the fixture does now

pytestmark = pytest.mark.usefixtures("demo_data")


def pack_of(code: str) -> PackCode:
    return PackCode(gtin=code[2:16], serial=code[18:31])


async def write(
    engine: AsyncEngine, code: str, step: BusinessStep, disposition: str, *, by: str, at: datetime, **values
) -> PackEvent:
    async with create_sessionmaker(engine)() as session:
        return await record_event(
            session,
            [pack_of(code)],
            biz_step=step,
            disposition=disposition,
            organisation_bin=by,
            occurred_at=at,
            **values,
        )


async def shipped_and_sold(client, keys, engine) -> str:
    """A pack commissioned, shipped to the pharmacy, sold there, and the sale reversed."""
    [code] = await issue_and_commission(client, keys)
    shipment = {"shipment": 42, "sender": MANUFACTURER_BIN, "receiver": PHARMACY_BIN}
    price = {"price": "1234.50", "maxRetailPrice": "1300"}
    await write(engine, code, BusinessStep.SHIPPING, "in_transit", by=MANUFACTURER_BIN, at=LATER, details=shipment)
    sold_at, reversed_at = LATER + timedelta(days=1), LATER + timedelta(days=1, hours=1)
    sale = await write(
        engine, code, BusinessStep.RETAIL_SELLING, "retail_sold", by=PHARMACY_BIN, at=sold_at, details=price
    )
    await write(
        engine, code, BusinessStep.RETAIL_SELLING, "sellable_accessible", by=PHARMACY_BIN, at=reversed_at, corrects=sale
    )
    return code


async def test_the_regulator_reads_a_packs_history_oldest_first(client, keys, engine):
    code = await shipped_and_sold(client, keys, engine)

    response = await gql(client, HISTORY, {"code": code}, token=keys.token(regulator_claims()))

    history = response.json()["data"]["packHistory"]
    nodes = [edge["node"] for edge in history["edges"]]
    assert history["totalCount"] == 4
    assert [(n["bizStep"], n["disposition"]) for n in nodes] == [
        ("COMMISSIONING", "active"),
        ("SHIPPING", "in_transit"),
        ("RETAIL_SELLING", "retail_sold"),
        ("RETAIL_SELLING", "sellable_accessible"),
    ]
    assert [n["organisation"]["bin"] for n in nodes] == [MANUFACTURER_BIN, MANUFACTURER_BIN, PHARMACY_BIN, PHARMACY_BIN]
    assert nodes[1]["shipmentId"] is not None
    assert (nodes[2]["price"], nodes[2]["maxRetailPrice"]) == ("1234.50", "1300.00")
    assert nodes[2]["correctedByEventId"] == nodes[3]["eventId"]
    assert nodes[3]["correctsEventId"] == nodes[2]["eventId"]
    assert nodes[0]["occurredAt"].endswith("+05:00")


async def test_the_pharmacy_the_pack_was_shipped_to_reads_it(client, keys, engine):
    code = await shipped_and_sold(client, keys, engine)

    response = await gql(
        client, HISTORY, {"code": code}, token=keys.token(organisation_claims(PHARMACY_BIN, "PHARMACY"))
    )

    assert response.json()["data"]["packHistory"]["totalCount"] == 4


async def test_another_organisation_finds_no_such_pack(client, keys, engine):
    code = await shipped_and_sold(client, keys, engine)

    response = await gql(
        client, HISTORY, {"code": code}, token=keys.token(organisation_claims(HOSPITAL_BIN, "HOSPITAL"))
    )

    body = response.json()
    assert body["data"]["packHistory"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["PACK_NOT_FOUND"]


async def test_an_anonymous_caller_is_asked_to_sign_in(client, keys):
    [code] = await issue_and_commission(client, keys)

    body = (await gql(client, HISTORY, {"code": code})).json()

    assert body["data"]["packHistory"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["UNAUTHENTICATED"]


async def test_an_unreadable_code_is_an_invalid_code(client, keys):
    body = (await gql(client, HISTORY, {"code": "0104601234567890"}, token=keys.token(regulator_claims()))).json()

    assert body["data"]["packHistory"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["INVALID_CODE"]


async def test_the_history_pages_by_cursor(client, keys, engine):
    code = await shipped_and_sold(client, keys, engine)
    token = keys.token(regulator_claims())

    first = (await gql(client, HISTORY, {"code": code, "first": 3}, token=token)).json()["data"]["packHistory"]
    cursor = first["pageInfo"]["endCursor"]
    rest = (await gql(client, HISTORY, {"code": code, "first": 3, "after": cursor}, token=token)).json()

    assert [len(first["edges"]), first["pageInfo"]["hasNextPage"]] == [3, True]
    page = rest["data"]["packHistory"]
    assert [edge["node"]["bizStep"] for edge in page["edges"]] == ["RETAIL_SELLING"]
    assert (page["pageInfo"]["hasNextPage"], page["pageInfo"]["hasPreviousPage"]) == (False, True)


async def test_a_cursor_of_another_list_is_refused(client, keys, engine):
    code = await shipped_and_sold(client, keys, engine)
    other = await shipped_and_sold(client, keys, engine)
    token = keys.token(regulator_claims())
    foreign = (await gql(client, HISTORY, {"code": other, "first": 1}, token=token)).json()
    cursor = foreign["data"]["packHistory"]["pageInfo"]["endCursor"]

    body = (await gql(client, HISTORY, {"code": code, "after": cursor}, token=token)).json()

    assert [error["extensions"]["code"] for error in body["errors"]] == ["INVALID_PAGE"]


async def test_a_long_history_costs_as_many_statements_as_a_short_one(client, keys, engine: AsyncEngine):
    [short] = await issue_and_commission(client, keys)
    long = await shipped_and_sold(client, keys, engine)
    for hour in range(8):
        at = LATER + timedelta(days=2, hours=hour)
        await write(engine, long, BusinessStep.RECEIVING, "in_progress", by=PHARMACY_BIN, at=at)
    token = keys.token(regulator_claims())
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sqlalchemy_event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        await gql(client, HISTORY, {"code": short}, token=token)
        one = len(statements)
        statements.clear()
        await gql(client, HISTORY, {"code": long}, token=token)
        many = len(statements)
    finally:
        sqlalchemy_event.remove(engine.sync_engine, "before_cursor_execute", count)

    assert many == one
