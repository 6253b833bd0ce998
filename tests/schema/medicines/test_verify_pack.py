from __future__ import annotations

import pytest
from sqlalchemy import update

from domain.medicines.models import Pack
from domain.shared.db import create_sessionmaker
from tests.conftest import organisation_claims
from tests.domain.medicines.conftest import MANUFACTURER_BIN, PHARMACY_BIN, new_gtin
from tests.graphql import gql
from tests.schema.medicines.test_order_pack_codes import COMMISSION, ORDER
from tests.schema.medicines.test_products import register

VERIFY = """
query Verify($code: String!) {
  verifyPack(code: $code) {
    verdict severity message
    code { gtin serial }
    problem { problem field position message }
    formProblems
    product { gtin tradeName inn }
    manufacturer { name }
    batch expiry maxRetailPrice
    location { organisation { bin kind region } state }
  }
}
"""

pytestmark = pytest.mark.usefixtures("demo_data")


async def issue_and_commission(client, keys, count: int = 1) -> list[str]:
    gtin = new_gtin()
    await register(client, keys, gtin=gtin)
    token = keys.token(organisation_claims(MANUFACTURER_BIN, "MANUFACTURER"))
    codes = (await gql(client, ORDER, {"input": {"gtin": gtin, "count": count}}, token=token)).json()
    codes = codes["data"]["orderPackCodes"]["codes"]
    batch = {"batch": "LOT1", "expiry": "2029-01-31", "producedOn": "2026-01-15"}
    serials = [code[18:31] for code in codes]
    await gql(client, COMMISSION, {"input": {"gtin": gtin, "serials": serials, **batch}}, token=token)
    return codes


async def deliver_to_pharmacy(engine, code: str) -> None:
    """What Medicines II's shipments will do; until then the test moves the pack itself."""
    async with create_sessionmaker(engine)() as session, session.begin():
        await session.execute(
            update(Pack).where(Pack.gtin == code[2:16], Pack.serial == code[18:31]).values(owner_bin=PHARMACY_BIN)
        )


async def test_anyone_learns_that_a_pack_at_a_pharmacy_is_genuine(client, keys, engine):
    [code] = await issue_and_commission(client, keys)
    await deliver_to_pharmacy(engine, code)

    response = await gql(client, VERIFY, {"code": code}, language="en")

    answer = response.json()["data"]["verifyPack"]
    assert (answer["verdict"], answer["severity"]) == ("GENUINE", "GREEN")
    assert answer["message"].startswith("Genuine")
    assert answer["product"]["tradeName"] == "Ибупрофен-Демо"
    assert answer["manufacturer"] == {"name": "ТОО «Демо Фарм Завод»"}
    assert (answer["batch"], answer["expiry"]) == ("LOT1", "2029-01-31")
    assert answer["location"] == {
        "organisation": {"bin": PHARMACY_BIN, "kind": "PHARMACY", "region": "ASTANA"},
        "state": "ACTIVE",
    }


async def test_a_pack_still_with_its_manufacturer_is_not_released(client, keys):
    [code] = await issue_and_commission(client, keys)

    response = await gql(client, VERIFY, {"code": code}, language="ru")

    answer = response.json()["data"]["verifyPack"]
    assert (answer["verdict"], answer["severity"]) == ("NOT_RELEASED", "GREY")
    assert "аптек" in answer["message"]


@pytest.mark.parametrize(
    ("code", "problem", "field"),
    [
        ("", "EMPTY_CODE", None),
        ("x" * 10_000, "CODE_TOO_LONG", None),
        ("0104601234567890" + "21ABCDEFGHIJKLM", "BAD_CHECK_DIGIT", "01"),
        ("]d1" + "0104601234567893", "NOT_GS1", None),
    ],
    ids=["empty", "10 kB", "bad check digit", "plain Data Matrix"],
)
async def test_an_unreadable_code_is_an_invalid_code_that_names_its_problem(client, code, problem, field):
    response = await gql(client, VERIFY, {"code": code}, language="en")

    answer = response.json()["data"]["verifyPack"]
    assert answer["verdict"] == "INVALID_CODE"
    assert answer["problem"]["problem"] == problem
    assert answer["problem"]["field"] == field
    assert answer["problem"]["message"]


async def test_a_forged_verification_code_is_an_invalid_code(client, keys, engine):
    [code] = await issue_and_commission(client, keys)
    await deliver_to_pharmacy(engine, code)
    forged = code[:-8] + ("AAAAAAA=" if not code.endswith("AAAAAAA=") else "BBBBBBB=")

    answer = (await gql(client, VERIFY, {"code": forged})).json()["data"]["verifyPack"]

    assert (answer["verdict"], answer["severity"], answer["location"]) == ("INVALID_CODE", "RED", None)


async def test_what_is_wrong_with_a_code_is_said_in_the_callers_language_with_the_parsers_detail_beside_it(client):
    document = "query($code: String!) { verifyPack(code: $code) { problem { problem message detail } } }"

    answers = {
        language: (await gql(client, document, {"code": ""}, language=language)).json()["data"]["verifyPack"]["problem"]
        for language in ("kk", "ru", "en")
    }

    assert {answer["problem"] for answer in answers.values()} == {"EMPTY_CODE"}
    assert answers["en"]["message"].startswith("The code is empty")
    assert answers["ru"]["message"].startswith("Код пуст")
    assert answers["kk"]["message"].startswith("Код бос")
    assert answers["ru"]["detail"] == answers["en"]["detail"] == "the code is empty"
