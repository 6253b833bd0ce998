from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from domain.medicines.models import BusinessStep
from tests.conftest import SigningKeys, organisation_claims, regulator_claims
from tests.domain.medicines.conftest import HOSPITAL_BIN, PHARMACY_BIN, WHOLESALER_BIN
from tests.schema.medicines.test_pack_history import LATER, shipped_and_sold, write
from tests.schema.medicines.test_verify_pack import issue_and_commission
from tests.standards.epcis_schema import schema_problems

pytestmark = pytest.mark.usefixtures("demo_data")

SSCC = "046012345000000018"


def path_of(code: str) -> str:
    return f"/epcis/packs/{code[2:16]}/{code[18:31]}"


async def export(client: httpx.AsyncClient, path: str, token: str | None = None, **headers: str) -> httpx.Response:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return await client.get(path, headers=headers)


@pytest.fixture
async def a_life(client, keys, engine) -> str:
    """A pack commissioned, boxed, shipped, sold with the sale reversed, and taken out of its box."""
    code = await shipped_and_sold(client, keys, engine)
    box = {"parent": SSCC}
    await write(engine, code, BusinessStep.PACKING, "in_progress", by=PHARMACY_BIN, at=LATER, details=box)
    later = LATER + timedelta(days=3)
    await write(engine, code, BusinessStep.UNPACKING, "in_progress", by=PHARMACY_BIN, at=later, details=box)
    return code


async def test_the_regulator_gets_a_valid_epcis_document(client, keys: SigningKeys, a_life):
    response = await export(client, path_of(a_life), keys.token(regulator_claims()))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    assert response.headers["cache-control"] == "private, no-store"
    document = response.json()
    assert schema_problems(document) == []
    events = document["epcisBody"]["eventList"]
    assert [(event["type"], event["bizStep"]) for event in events] == [
        ("ObjectEvent", "commissioning"),
        ("ObjectEvent", "shipping"),
        ("AggregationEvent", "packing"),
        ("ObjectEvent", "retail_selling"),
        ("ObjectEvent", "retail_selling"),
        ("AggregationEvent", "unpacking"),
    ]
    assert events[0]["epcList"] == [f"https://id.gs1.org/01/{a_life[2:16]}/21/{a_life[18:31]}"]
    assert events[3]["errorDeclaration"]["correctiveEventIDs"] == [events[4]["eventID"]]


async def test_the_pharmacy_the_pack_was_shipped_to_gets_it(client, keys: SigningKeys, a_life):
    response = await export(client, path_of(a_life), keys.token(organisation_claims(PHARMACY_BIN, "PHARMACY")))

    assert response.status_code == 200
    assert len(response.json()["epcisBody"]["eventList"]) == 6


async def test_a_gtin_13_in_the_path_names_the_pack_and_the_document_says_gtin_14(client, keys: SigningKeys):
    [code] = await issue_and_commission(client, keys)
    gtin_13 = code[3:16]  # the test GTINs begin with 0

    response = await export(client, f"/epcis/packs/{gtin_13}/{code[18:31]}", keys.token(regulator_claims()))

    [commissioning] = response.json()["epcisBody"]["eventList"]
    assert commissioning["epcList"] == [f"https://id.gs1.org/01/{code[2:16]}/21/{code[18:31]}"]


@pytest.mark.parametrize(
    "claims",
    [organisation_claims(HOSPITAL_BIN, "HOSPITAL"), organisation_claims(WHOLESALER_BIN, "WHOLESALER")],
    ids=["a hospital", "a wholesaler it never passed"],
)
async def test_another_organisation_finds_no_such_pack(client, keys: SigningKeys, a_life, claims):
    response = await export(client, path_of(a_life), keys.token(claims), **{"Accept-Language": "en"})

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["code"] == "PACK_NOT_FOUND"
    assert body["message"].startswith("No pack")


async def test_an_unknown_serial_is_not_found(client, keys: SigningKeys):
    [code] = await issue_and_commission(client, keys)

    response = await export(client, f"/epcis/packs/{code[2:16]}/NoSuchSerial1", keys.token(regulator_claims()))

    assert (response.status_code, response.json()["code"]) == (404, "PACK_NOT_FOUND")


async def test_an_anonymous_caller_is_asked_to_sign_in(client, a_life):
    response = await export(client, path_of(a_life))

    assert (response.status_code, response.json()["code"]) == (401, "UNAUTHENTICATED")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_bad_token_is_refused_never_read_as_anonymous(client, keys: SigningKeys, a_life):
    expired = keys.token(regulator_claims(), lifetime_s=-120)

    response = await export(client, path_of(a_life), expired)

    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_TOKEN"
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


@pytest.mark.parametrize(
    ("path", "field", "problem"),
    [
        ("/epcis/packs/04601234567890/ABCDEFGHIJKLM", ["gtin"], "BAD_CHECK_DIGIT"),
        ("/epcis/packs/not-a-gtin/ABCDEFGHIJKLM", ["gtin"], "ILLEGAL_CHARACTER"),
        ("/epcis/packs/04601234567893/ABC%20DEF", ["serial"], "ILLEGAL_CHARACTER"),
        ("/epcis/packs/04601234567893/" + "A" * 21, ["serial"], "FIELD_TOO_LONG"),
    ],
    ids=["check digit", "letters for a GTIN", "space in the serial", "serial of 21"],
)
async def test_a_malformed_gtin_or_serial_is_a_bad_request(client, keys: SigningKeys, path, field, problem):
    response = await export(client, path, keys.token(regulator_claims()))

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"], body["problem"]) == ("INVALID_CODE", field, problem)
    assert body["message"]


async def test_only_get_is_served(client, keys: SigningKeys, a_life):
    response = await client.post(path_of(a_life), headers={"Authorization": f"Bearer {keys.token(regulator_claims())}"})

    assert response.status_code == 405
