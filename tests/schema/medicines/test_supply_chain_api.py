from __future__ import annotations

import pytest

from tests.conftest import organisation_claims, regulator_claims
from tests.domain.medicines.conftest import HOSPITAL_BIN, MANUFACTURER_BIN, PHARMACY_BIN, WHOLESALER_BIN
from tests.domain.medicines.supply import new_sscc
from tests.graphql import gql
from tests.schema.medicines.test_verify_pack import VERIFY, issue_and_commission
from tests.standards.epcis_schema import schema_problems

pytestmark = pytest.mark.usefixtures("demo_data")

SHIP = """
mutation Ship($input: ShipPacksInput!) {
  shipPacks(input: $input) {
    shipment { id status packs sender { bin } receiver { bin } }
    errors { code field message }
  }
}
"""
RECEIVE = """
mutation Receive($input: ReceiveShipmentInput!) {
  receiveShipment(input: $input) { shipment { status received } received missing extra foreign errors { code field } }
}
"""
SELL = """
mutation Sell($input: SellPacksInput!) {
  sellPacks(input: $input) { sales { gtin price maxRetailPrice aboveMaximum } errors { code field message } }
}
"""
STOCK = """
query Stock($owner: BIN, $gtin: GTIN) {
  stockBalance(ownerBin: $owner, gtin: $gtin) { edges { node { gtin batch packs units } } pageInfo { hasNextPage } }
}
"""
ALERTS = "{ medicineAlerts(first: 20) { edges { node { kind gtin shipmentId organisationBin region details } } } }"


def _token(keys, bin_, kind):
    return keys.token(organisation_claims(bin_, kind))


async def _move(client, keys, codes, sender, receiver):
    sender_token = _token(keys, *sender)
    shipped = (
        await gql(client, SHIP, {"input": {"receiverBin": receiver[0], "codes": codes}}, token=sender_token)
    ).json()
    shipment = shipped["data"]["shipPacks"]["shipment"]
    received = await gql(client, RECEIVE, {"input": {"shipmentId": shipment["id"]}}, token=_token(keys, *receiver))
    return shipment, received.json()["data"]["receiveShipment"]


MANUFACTURER = (MANUFACTURER_BIN, "MANUFACTURER")
WHOLESALER = (WHOLESALER_BIN, "WHOLESALER")
PHARMACY = (PHARMACY_BIN, "PHARMACY")


async def test_a_pack_travels_to_a_pharmacy_is_genuine_there_and_sold(client, keys):
    codes = await issue_and_commission(client, keys, 2)

    shipment, receipt = await _move(client, keys, codes, MANUFACTURER, WHOLESALER)
    await _move(client, keys, codes, WHOLESALER, PHARMACY)
    genuine = (await gql(client, VERIFY, {"code": codes[0]})).json()["data"]["verifyPack"]["verdict"]
    stock = (await gql(client, STOCK, {"gtin": codes[0][2:16]}, token=_token(keys, *PHARMACY))).json()
    stock = stock["data"]["stockBalance"]
    sold = await gql(
        client, SELL, {"input": {"sales": [{"code": codes[0], "price": "1500.00"}]}}, token=_token(keys, *PHARMACY)
    )

    assert (shipment["status"], shipment["packs"], shipment["receiver"]["bin"]) == ("IN_TRANSIT", 2, WHOLESALER_BIN)
    assert (receipt["received"], receipt["missing"], receipt["errors"]) == (2, 0, [])
    assert genuine == "GENUINE"
    assert [(e["node"]["packs"], e["node"]["batch"]) for e in stock["edges"]] == [(2, "LOT1")]
    assert sold.json()["data"]["sellPacks"]["errors"] == []
    after = (await gql(client, VERIFY, {"code": codes[0]})).json()["data"]["verifyPack"]["verdict"]
    assert after == "ALREADY_DISPENSED"


async def test_bad_input_is_a_typed_error_and_changes_nothing(client, keys):
    codes = await issue_and_commission(client, keys, 1)
    token = _token(keys, *MANUFACTURER)

    cases = [
        ({"receiverBin": WHOLESALER_BIN, "codes": ["garbage"]}, "INVALID_CODE", ["input", "codes", "0"]),
        ({"receiverBin": WHOLESALER_BIN, "codes": [codes[0], codes[0]]}, "DUPLICATE_CODE", ["input", "codes", "1"]),
        ({"receiverBin": WHOLESALER_BIN, "codes": []}, "INVALID_QUANTITY", ["input", "codes"]),
        ({"receiverBin": "990140000017", "codes": codes}, "UNKNOWN_ORGANISATION", ["input", "receiverBin"]),
        ({"receiverBin": MANUFACTURER_BIN, "codes": codes}, "INVALID_RECEIVER", ["input", "receiverBin"]),
        ({"receiverBin": WHOLESALER_BIN, "codes": [codes[0][:-5] + "AAAA="]}, "INVALID_CODE", ["input", "codes", "0"]),
        (
            {"receiverBin": WHOLESALER_BIN, "codes": codes, "document": "W" * 101},
            "TEXT_TOO_LONG",
            ["input", "document"],
        ),
    ]
    for given, code, field in cases:
        answer = (await gql(client, SHIP, {"input": given}, token=token, language="en")).json()["data"]["shipPacks"]
        assert answer["shipment"] is None, given
        assert [(e["code"], e["field"]) for e in answer["errors"]] == [(code, field)], given
        assert answer["errors"][0]["message"]

    malformed = await gql(client, SHIP, {"input": {"receiverBin": "123456789012", "codes": codes}}, token=token)
    assert malformed.json()["errors"][0]["extensions"]["code"] == "INVALID_BIN"

    still = (await gql(client, VERIFY, {"code": codes[0]})).json()["data"]["verifyPack"]["location"]
    assert still["organisation"]["bin"] == MANUFACTURER_BIN


async def test_one_organisations_stock_is_not_anothers_to_read(client, keys):
    refused = await gql(client, STOCK, {"owner": MANUFACTURER_BIN}, token=_token(keys, *PHARMACY))
    anonymous = await gql(client, STOCK, {"owner": MANUFACTURER_BIN})
    regulator = await gql(client, STOCK, {"owner": MANUFACTURER_BIN}, token=keys.token(regulator_claims()))

    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "errors" not in regulator.json()


async def test_a_shipment_is_seen_only_by_its_two_ends(client, keys):
    codes = await issue_and_commission(client, keys, 1)
    shipped = await gql(
        client, SHIP, {"input": {"receiverBin": WHOLESALER_BIN, "codes": codes}}, token=_token(keys, *MANUFACTURER)
    )
    shipment_id = shipped.json()["data"]["shipPacks"]["shipment"]["id"]
    query = "query($id: ID!) { node(id: $id) { ... on Shipment { packs } } }"

    seen = [
        (await gql(client, query, {"id": shipment_id}, token=_token(keys, *who))).json()["data"]["node"]
        for who in (MANUFACTURER, WHOLESALER, PHARMACY, (HOSPITAL_BIN, "HOSPITAL"))
    ]

    assert seen == [{"packs": 1}, {"packs": 1}, None, None]


async def test_a_partial_receipt_reaches_the_regulator_as_a_discrepancy(client, keys):
    codes = await issue_and_commission(client, keys, 3)
    shipped = await gql(
        client, SHIP, {"input": {"receiverBin": WHOLESALER_BIN, "codes": codes}}, token=_token(keys, *MANUFACTURER)
    )
    shipment_id = shipped.json()["data"]["shipPacks"]["shipment"]["id"]

    receipt = await gql(
        client, RECEIVE, {"input": {"shipmentId": shipment_id, "codes": codes[:2]}}, token=_token(keys, *WHOLESALER)
    )
    alerts = (await gql(client, ALERTS, token=keys.token(regulator_claims()))).json()["data"]["medicineAlerts"]

    assert receipt.json()["data"]["receiveShipment"]["missing"] == 1
    discrepancies = [e["node"] for e in alerts["edges"] if e["node"]["kind"] == "SHIPMENT_DISCREPANCY"]
    [ours] = [a for a in discrepancies if a["shipmentId"] == shipment_id]
    assert (ours["organisationBin"], ours["region"], ours["details"]["missing"]) == (WHOLESALER_BIN, "KZ-71", 1)


AGGREGATE = "mutation($i: AggregatePacksInput!) { aggregatePacks(input: $i) { sscc errors { code } } }"
REVERSE = "mutation($i: ReversePackOperationInput!) { reversePackOperation(input: $i) { reversed errors { code } } }"


async def test_a_whole_life_through_the_api_exports_as_a_valid_epcis_document(client, keys):
    codes = await issue_and_commission(client, keys, 2)
    sscc = new_sscc()
    boxed = await gql(
        client, AGGREGATE, {"i": {"container": f"(00){sscc}", "codes": codes}}, token=_token(keys, *MANUFACTURER)
    )
    await _move(client, keys, [f"00{sscc}"], MANUFACTURER, WHOLESALER)
    await gql(client, "mutation($i: DisaggregatePacksInput!) { disaggregatePacks(input: $i) { released } }",
              {"i": {"container": f"00{sscc}"}}, token=_token(keys, *WHOLESALER))  # fmt: skip
    await _move(client, keys, codes, WHOLESALER, PHARMACY)
    pharmacy = _token(keys, *PHARMACY)
    await gql(client, SELL, {"input": {"sales": [{"code": codes[0], "price": "990.00"}]}}, token=pharmacy)
    reversed_ = await gql(client, REVERSE, {"i": {"code": codes[0]}}, token=pharmacy)
    await gql(client, SELL, {"input": {"sales": [{"code": codes[0], "price": "990.00"}]}}, token=pharmacy)

    response = await client.get(
        f"/epcis/packs/{codes[0][2:16]}/{codes[0][18:31]}",
        headers={"Authorization": f"Bearer {keys.token(regulator_claims())}"},
    )

    assert boxed.json()["data"]["aggregatePacks"]["errors"] == []
    assert reversed_.json()["data"]["reversePackOperation"]["reversed"] is True
    document = response.json()
    assert schema_problems(document) == []
    steps = [event.get("bizStep") for event in document["epcisBody"]["eventList"]]
    assert steps[:2] == ["commissioning", "packing"]
    assert steps.count("shipping") == 2
    assert steps.count("receiving") == 2
    assert "unpacking" in steps
    assert steps.count("retail_selling") == 3  # the sale, its reversal, the sale again


async def test_a_sales_errors_point_at_the_code_of_the_sale_in_the_input(client, keys):
    pharmacy = _token(keys, *PHARMACY)

    answer = await gql(
        client, SELL, {"input": {"sales": [{"code": "garbage", "price": "10.00"}]}}, token=pharmacy, language="en"
    )

    [error] = answer.json()["data"]["sellPacks"]["errors"]
    assert (error["code"], error["field"]) == ("INVALID_CODE", ["input", "sales", "0", "code"])


async def test_a_patient_is_never_named_by_an_iin_and_the_record_stays_with_the_hospital(client, keys):
    codes = await issue_and_commission(client, keys, 1)
    hospital = (HOSPITAL_BIN, "HOSPITAL")
    await _move(client, keys, codes, MANUFACTURER, hospital)
    administer = (
        "mutation($i: AdministerUnitsInput!) { administerUnits(input: $i) { unitsLeft errors { code field } } }"
    )

    by_iin = await gql(
        client, administer, {"i": {"code": codes[0], "units": 1, "patientRecord": "850315400015"}},
        token=_token(keys, *hospital),
    )  # fmt: skip
    by_record = await gql(
        client, administer, {"i": {"code": codes[0], "units": 1, "patientRecord": "MR-2026-0042"}},
        token=_token(keys, *hospital),
    )  # fmt: skip
    export = await client.get(
        f"/epcis/packs/{codes[0][2:16]}/{codes[0][18:31]}",
        headers={"Authorization": f"Bearer {_token(keys, *MANUFACTURER)}"},
    )

    assert by_iin.json()["data"]["administerUnits"]["errors"] == [
        {"code": "PATIENT_IDENTIFIED", "field": ["input", "patientRecord"]}
    ]
    assert by_record.json()["data"]["administerUnits"]["unitsLeft"] == 9
    assert export.status_code == 200
    assert "MR-2026-0042" not in export.text


async def test_stock_and_shipments_read_in_one_query(client, keys):
    both = "{ stockBalance(first: 5) { edges { node { gtin } } } shipments(first: 5) { edges { node { id } } } }"

    answer = (await gql(client, both, token=_token(keys, *PHARMACY))).json()

    assert "errors" not in answer
    assert set(answer["data"]) == {"stockBalance", "shipments"}
