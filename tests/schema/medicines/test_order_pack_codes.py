from __future__ import annotations

import pytest

from tests.conftest import organisation_claims
from tests.domain.medicines.conftest import MANUFACTURER_BIN, PHARMACY_BIN, new_gtin
from tests.graphql import gql
from tests.schema.medicines.test_products import register

ORDER = """
mutation Order($input: OrderPackCodesInput!) {
  orderPackCodes(input: $input) { order { gtin quantity keyId } codes errors { code field message } }
}
"""

pytestmark = pytest.mark.usefixtures("demo_data")


async def test_the_manufacturer_orders_codes_and_gets_gs1_element_strings(client, keys):
    gtin = new_gtin()
    await register(client, keys, gtin=gtin)
    token = keys.token(organisation_claims(MANUFACTURER_BIN, "MANUFACTURER"))

    response = await gql(client, ORDER, {"input": {"gtin": gtin, "count": 3}}, token=token)

    payload = response.json()["data"]["orderPackCodes"]
    assert payload["errors"] == []
    assert payload["order"]["quantity"] == 3
    assert len(set(payload["codes"])) == 3
    for code in payload["codes"]:
        assert code.startswith(f"01{gtin}21")
        assert code.count("\x1d") == 2
        assert f"\x1d91{payload['order']['keyId']}\x1d92" in code


async def test_a_pharmacy_cannot_order_codes(client, keys):
    gtin = new_gtin()
    await register(client, keys, gtin=gtin)
    token = keys.token(organisation_claims(PHARMACY_BIN, "PHARMACY"))

    response = await gql(client, ORDER, {"input": {"gtin": gtin, "count": 3}}, token=token)

    payload = response.json()["data"]["orderPackCodes"]
    assert (payload["codes"], payload["errors"][0]["code"]) == (None, "FORBIDDEN")


async def test_an_empty_order_names_the_count(client, keys):
    gtin = new_gtin()
    await register(client, keys, gtin=gtin)
    token = keys.token(organisation_claims(MANUFACTURER_BIN, "MANUFACTURER"))

    response = await gql(client, ORDER, {"input": {"gtin": gtin, "count": 0}}, token=token, language="en")

    error = response.json()["data"]["orderPackCodes"]["errors"][0]
    assert (error["code"], error["field"]) == ("INVALID_QUANTITY", ["input", "count"])
    assert "1 to 100000" in error["message"]


COMMISSION = """
mutation Commission($input: CommissionPacksInput!) {
  commissionPacks(input: $input) { commissioned errors { code field } }
}
"""


async def test_ordered_codes_are_commissioned_into_a_batch(client, keys):
    gtin = new_gtin()
    await register(client, keys, gtin=gtin)
    token = keys.token(organisation_claims(MANUFACTURER_BIN, "MANUFACTURER"))
    codes = (await gql(client, ORDER, {"input": {"gtin": gtin, "count": 2}}, token=token)).json()["data"]
    serials = [code[18:31] for code in codes["orderPackCodes"]["codes"]]
    batch = {"batch": "LOT42", "expiry": "2028-06-30", "producedOn": "2026-06-01"}

    done = await gql(client, COMMISSION, {"input": {"gtin": gtin, "serials": serials, **batch}}, token=token)
    again = await gql(client, COMMISSION, {"input": {"gtin": gtin, "serials": serials[:1], **batch}}, token=token)

    assert done.json()["data"]["commissionPacks"] == {"commissioned": 2, "errors": []}
    assert again.json()["data"]["commissionPacks"]["errors"] == [
        {"code": "INVALID_TRANSITION", "field": ["input", "serials", "0"]}
    ]
