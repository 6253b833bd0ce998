from __future__ import annotations

import pytest

from tests.conftest import organisation_claims, regulator_claims
from tests.domain.medicines.conftest import MANUFACTURER_BIN
from tests.graphql import gql
from tests.schema.medicines.test_verify_pack import deliver_to_pharmacy, issue_and_commission

ALERTS = """
query Alerts($status: MedicineAlertStatus) {
  medicineAlerts(first: 50, status: $status) { edges { node { id kind status gtin serial occurrences } } }
}
"""
UPDATE = """
mutation Update($input: UpdateMedicineAlertInput!) {
  updateMedicineAlert(input: $input) { alert { status closingReason } errors { code field } }
}
"""
REPORT = """
mutation Report($input: ReportSuspiciousPackInput!) {
  reportSuspiciousPack(input: $input) { accepted verdict errors { code field } }
}
"""
VERIFY_IN = "query($code: String!, $region: Region) { verifyPack(code: $code, region: $region) { verdict } }"
REPORTS = "{ suspiciousPackReports(first: 10) { edges { node { kind code verdict pricePaid } } } }"

pytestmark = pytest.mark.usefixtures("demo_data")


async def test_a_pack_scanned_in_two_regions_reaches_the_regulators_alerts(client, keys, engine):
    [code] = await issue_and_commission(client, keys)
    await deliver_to_pharmacy(engine, code)
    for region in ("ALMATY", "ASTANA"):
        await gql(client, VERIFY_IN, {"code": code, "region": region})
        await client.app.state.verification_log.flush()
    regulator = keys.token(regulator_claims())

    listed = await gql(client, ALERTS, {"status": "NEW"}, token=regulator)

    ours = [e["node"] for e in listed.json()["data"]["medicineAlerts"]["edges"] if e["node"]["serial"] == code[18:31]]
    assert [a["kind"] for a in ours] == ["SEEN_IN_SEVERAL_REGIONS"]


async def test_the_regulator_closes_an_alert_and_others_cannot_see_alerts(client, keys, engine):
    [code] = await issue_and_commission(client, keys)
    await gql(client, REPORT, {"input": {"code": code, "kind": "COUNTERFEIT"}})
    regulator = keys.token(regulator_claims())
    alert = next(
        e["node"]
        for e in (await gql(client, ALERTS, {}, token=regulator)).json()["data"]["medicineAlerts"]["edges"]
        if e["node"]["serial"] == code[18:31]
    )
    maker = keys.token(organisation_claims(MANUFACTURER_BIN, "MANUFACTURER"))

    closed = await gql(
        client, UPDATE, {"input": {"id": alert["id"], "status": "CLOSED", "reason": "checked"}}, token=regulator
    )
    hidden = await gql(client, ALERTS, {}, token=maker)
    as_node = await gql(client, "query($id: ID!) { node(id: $id) { id } }", {"id": alert["id"]}, token=maker)

    assert closed.json()["data"]["updateMedicineAlert"] == {
        "alert": {"status": "CLOSED", "closingReason": "checked"},
        "errors": [],
    }
    assert hidden.json()["data"] is None
    assert hidden.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert as_node.json()["data"]["node"] is None


async def test_anyone_reports_an_overcharge_and_the_regulator_reads_it(client, keys):
    [code] = await issue_and_commission(client, keys)

    without_price = await gql(client, REPORT, {"input": {"code": code, "kind": "OVERCHARGE"}})
    reported = await gql(client, REPORT, {"input": {"code": code, "kind": "OVERCHARGE", "pricePaid": "2500.00"}})
    read = await gql(client, REPORTS, token=keys.token(regulator_claims()))

    assert without_price.json()["data"]["reportSuspiciousPack"]["errors"] == [
        {"code": "MISSING_VALUE", "field": ["input", "pricePaid"]}
    ]
    assert reported.json()["data"]["reportSuspiciousPack"] == {
        "accepted": True,
        "verdict": "NOT_RELEASED",
        "errors": [],
    }
    codes = [e["node"]["code"] for e in read.json()["data"]["suspiciousPackReports"]["edges"]]
    assert code in codes
