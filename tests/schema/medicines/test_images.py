from __future__ import annotations

import base64
import io
import json

import pytest
import zxingcpp
from PIL import Image

from domain.medicines.codes import parse_pack_code
from tests.conftest import organisation_claims
from tests.domain.medicines.conftest import IMPORTER_BIN, MANUFACTURER_BIN, PHARMACY_BIN
from tests.graphql import gql
from tests.schema.medicines.test_verify_pack import deliver_to_pharmacy, issue_and_commission

IMAGES = """
query Images($codes: [String!]!, $format: CodeImageFormat) {
  packCodeImages(codes: $codes, format: $format) { code format mediaType data }
}
"""
VERIFY_IMAGE = """
query($image: Upload!) { verifyPackImage(image: $image) { verdict severity code { serial } } }
"""

pytestmark = pytest.mark.usefixtures("demo_data")


async def upload(client, content: bytes, filename: str = "pack.png"):
    operations = {"query": VERIFY_IMAGE, "variables": {"image": None}}
    return await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.image"]})},
        files={"0": (filename, content, "application/octet-stream")},
    )


async def printed(client, keys, codes: list[str]) -> bytes:
    token = keys.token(organisation_claims(MANUFACTURER_BIN, "MANUFACTURER"))
    response = await gql(client, IMAGES, {"codes": codes}, token=token)
    return base64.b64decode(response.json()["data"]["packCodeImages"][0]["data"])


async def test_a_printed_code_is_read_by_an_independent_decoder_as_gs1_data_matrix(client, keys):
    [code] = await issue_and_commission(client, keys)

    png = await printed(client, keys, [code])

    [symbol] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)), text_mode=zxingcpp.TextMode.Plain)
    [human] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)), text_mode=zxingcpp.TextMode.HRI)
    assert symbol.format == zxingcpp.BarcodeFormat.DataMatrix
    assert symbol.symbology_identifier == "]d2"
    assert symbol.text == code  # every separator FNC1 reported as GS
    assert human.text == parse_pack_code(code).human_readable()


async def test_a_printed_and_photographed_code_is_genuine_once_at_a_pharmacy(client, keys, engine):
    [code] = await issue_and_commission(client, keys)
    png = await printed(client, keys, [code])
    await deliver_to_pharmacy(engine, code)

    response = await upload(client, png)

    answer = response.json()["data"]["verifyPackImage"]
    assert (answer["verdict"], answer["severity"], answer["code"]["serial"]) == ("GENUINE", "GREEN", code[18:31])


async def test_each_verdict_reads_the_same_from_a_photo_as_from_the_text(client, keys):
    [code] = await issue_and_commission(client, keys)
    png = await printed(client, keys, [code])

    response = await upload(client, png)

    assert response.json()["data"]["verifyPackImage"]["verdict"] == "NOT_RELEASED"


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"this is not an image at all", "NOT_AN_IMAGE"),
        (None, "NO_CODE_FOUND"),
    ],
    ids=["text", "blank photo"],
)
async def test_a_photo_without_a_code_is_a_typed_error(client, content, error):
    if content is None:
        blank = io.BytesIO()
        Image.new("L", (640, 480), 255).save(blank, "PNG")
        content = blank.getvalue()

    response = await upload(client, content)

    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == error


async def test_svg_images_are_offered_too(client, keys):
    [code] = await issue_and_commission(client, keys)
    token = keys.token(organisation_claims(MANUFACTURER_BIN, "MANUFACTURER"))

    response = await gql(client, IMAGES, {"codes": [code], "format": "SVG"}, token=token)

    [image] = response.json()["data"]["packCodeImages"]
    assert image["mediaType"] == "image/svg+xml"
    assert image["data"].startswith("<svg")


@pytest.mark.parametrize(
    ("claims", "error"),
    [
        (organisation_claims(PHARMACY_BIN, "PHARMACY"), "FORBIDDEN"),
        (organisation_claims(IMPORTER_BIN, "IMPORTER"), "NOT_OWNER"),
    ],
    ids=["a pharmacy", "another organisation"],
)
async def test_only_the_ordering_organisation_gets_the_images(client, keys, claims, error):
    [code] = await issue_and_commission(client, keys)

    response = await gql(client, IMAGES, {"codes": [code]}, token=keys.token(claims))

    assert response.json()["errors"][0]["extensions"]["code"] == error


async def test_a_map_that_points_nowhere_is_a_bad_request(client):
    operations = {"query": VERIFY_IMAGE, "variables": {"image": None}}

    response = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.photo"]})},
        files={"0": ("pack.png", b"x", "image/png")},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_an_upload_over_the_limit_is_refused_before_it_is_read(settings, engine):
    from tests.graphql import serving

    small = settings.model_copy(update={"max_upload_bytes": 1000})
    async with serving(small, engine) as client:
        response = await upload(client, b"\x89PNG" + b"0" * 5000)

    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def test_a_code_with_a_forged_verification_code_is_not_printed(client, keys):
    [code] = await issue_and_commission(client, keys)
    forged = code[:-5] + ("A" if code[-5] != "A" else "B") + code[-4:]
    token = keys.token(organisation_claims(MANUFACTURER_BIN, "MANUFACTURER"))

    response = await gql(client, IMAGES, {"codes": [forged]}, token=token)

    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_CODE"


async def test_a_code_sent_without_its_verification_pair_is_printed_as_issued(client, keys):
    [code] = await issue_and_commission(client, keys)
    token = keys.token(organisation_claims(MANUFACTURER_BIN, "MANUFACTURER"))

    response = await gql(client, IMAGES, {"codes": [f"(01){code[2:16]}(21){code[18:31]}"]}, token=token)

    assert response.json()["data"]["packCodeImages"][0]["code"] == code
