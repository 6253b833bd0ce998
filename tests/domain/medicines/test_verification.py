from __future__ import annotations

import secrets
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from domain.medicines import commissioning, issuing, registry
from domain.medicines.codes import CodeProblem, FormProblem
from domain.medicines.commissioning import BatchDetails
from domain.medicines.keys import CodeKeys
from domain.medicines.models import Batch, BatchStatus, Pack, PackState, ProductStatus
from domain.medicines.verification import Severity, Verdict, verify_pack
from domain.shared.db import SessionReads
from domain.shared.money import Money
from tests.domain.medicines.conftest import (
    MANUFACTURER,
    MANUFACTURER_BIN,
    NOW,
    PHARMACY_BIN,
    REGULATOR,
    WHOLESALER_BIN,
    new_gtin,
)

KEYS = CodeKeys("0001", {"0001": secrets.token_bytes(32)})
BATCH = BatchDetails(number="LOT7", expiry=date(2028, 3, 31), produced_on=date(2026, 3, 1))


async def place(session, code, **values) -> None:
    """Move a pack the way Medicines II's shipments will; here the tests set the state they need directly."""
    if not values:
        return
    async with session.begin():
        await session.execute(update(Pack).where(Pack.gtin == code.gtin, Pack.serial == code.serial).values(**values))


@pytest.fixture
async def pack(session, product):
    await registry.set_max_retail_price(
        REGULATOR, session, gtin=product.gtin, price=Money.parse("1500"), effective_from=date(2026, 11, 26), now=NOW
    )
    _, [code] = await issuing.order_pack_codes(MANUFACTURER, session, gtin=product.gtin, count=1, keys=KEYS, now=NOW)
    return code


@pytest.fixture
async def commissioned(session, pack):
    await commissioning.commission_packs(
        MANUFACTURER, session, gtin=pack.gtin, serials=[pack.serial], batch=BATCH, now=NOW
    )
    return pack


@pytest.fixture
async def at_pharmacy(session, commissioned):
    await place(session, commissioned, owner_bin=PHARMACY_BIN)
    return commissioned


async def test_a_commissioned_pack_at_a_pharmacy_is_genuine_with_its_card(session, at_pharmacy):
    later = NOW + timedelta(days=2)  # the price set from tomorrow is in force

    result = await verify_pack(SessionReads(session), text=at_pharmacy.element_string(), keys=KEYS, now=later)

    assert (result.verdict, result.severity) == (Verdict.GENUINE, Severity.GREEN)
    assert result.product is not None
    assert result.product.trade_name == "Парацетамол-Демо"
    assert result.batch is not None
    assert (result.batch.number, result.batch.expiry) == ("LOT7", date(2028, 3, 31))
    assert result.holder is not None
    assert result.holder.bin == PHARMACY_BIN
    assert result.manufacturer is not None
    assert result.manufacturer.bin == MANUFACTURER_BIN
    assert result.max_retail_price_tiyn == 150_000


@pytest.mark.parametrize(
    "form",
    [
        lambda c: "]d2" + c.element_string(),
        lambda c: c.element_string().replace("\x1d", "<GS>"),
        lambda c: f"(01){c.gtin}(21){c.serial}(91){c.key_id}(92){c.verification_code}",
        lambda c: c.element_string().swapcase(),
    ],
    ids=["symbology identifier", "GS as text", "bracketed", "caps lock"],
)
async def test_every_form_of_a_genuine_code_is_genuine(session, at_pharmacy, form):
    result = await verify_pack(SessionReads(session), text=form(at_pharmacy), keys=KEYS, now=NOW)

    assert result.verdict is Verdict.GENUINE


async def test_a_swapped_case_reading_says_so(session, at_pharmacy):
    result = await verify_pack(SessionReads(session), text=at_pharmacy.element_string().swapcase(), keys=KEYS, now=NOW)

    assert "letter case was swapped" in result.notes


async def test_an_issued_code_not_yet_on_a_pack_is_not_released(session, pack):
    result = await verify_pack(SessionReads(session), text=pack.element_string(), keys=KEYS, now=NOW)

    assert (result.verdict, result.severity) == (Verdict.NOT_RELEASED, Severity.GREY)


@pytest.mark.parametrize(
    ("values", "verdict"),
    [
        ({}, Verdict.NOT_RELEASED),  # still with the manufacturer
        ({"owner_bin": WHOLESALER_BIN}, Verdict.NOT_RELEASED),
        ({"owner_bin": PHARMACY_BIN, "state": PackState.IN_TRANSIT}, Verdict.NOT_RELEASED),
        ({"owner_bin": PHARMACY_BIN, "state": PackState.DISPENSED}, Verdict.ALREADY_DISPENSED),
        ({"owner_bin": PHARMACY_BIN, "state": PackState.WRITTEN_OFF}, Verdict.WRITTEN_OFF),
        ({"owner_bin": PHARMACY_BIN, "state": PackState.EXPORTED}, Verdict.WRITTEN_OFF),
    ],
    ids=["at the manufacturer", "at a wholesaler", "in transit", "dispensed", "written off", "exported"],
)
async def test_each_situation_of_a_pack_gives_its_verdict(session, commissioned, values, verdict):
    await place(session, commissioned, **values)

    result = await verify_pack(SessionReads(session), text=commissioned.element_string(), keys=KEYS, now=NOW)

    assert result.verdict is verdict


async def test_an_expired_pack_says_so(session, at_pharmacy):
    result = await verify_pack(
        SessionReads(session), text=at_pharmacy.element_string(), keys=KEYS, now=NOW + timedelta(days=900)
    )

    assert (result.verdict, result.severity) == (Verdict.EXPIRED, Severity.GREY)


async def test_a_recalled_batch_is_red_even_when_expired(session, at_pharmacy):
    async with session.begin():
        await session.execute(update(Batch).where(Batch.gtin == at_pharmacy.gtin).values(status=BatchStatus.RECALLED))

    result = await verify_pack(
        SessionReads(session), text=at_pharmacy.element_string(), keys=KEYS, now=NOW + timedelta(days=900)
    )

    assert (result.verdict, result.severity) == (Verdict.RECALLED, Severity.RED)


async def test_a_withdrawn_product_is_red(session, at_pharmacy):
    await registry.change_product_status(
        REGULATOR, session, gtin=at_pharmacy.gtin, status=ProductStatus.WITHDRAWN, now=NOW
    )

    result = await verify_pack(SessionReads(session), text=at_pharmacy.element_string(), keys=KEYS, now=NOW)

    assert result.verdict is Verdict.WITHDRAWN


async def test_a_printed_expiry_that_differs_from_the_registry_is_a_mismatch(session, at_pharmacy):
    printed = f"01{at_pharmacy.gtin}17290331" + at_pharmacy.element_string()[16:]

    result = await verify_pack(SessionReads(session), text=printed, keys=KEYS, now=NOW)

    assert (result.verdict, result.severity) == (Verdict.MISMATCH, Severity.RED)


async def test_a_verification_code_that_does_not_match_is_an_invalid_code(session, at_pharmacy):
    forged = at_pharmacy.element_string()[:-5] + "AAAA="

    result = await verify_pack(SessionReads(session), text=forged, keys=KEYS, now=NOW)

    assert (result.verdict, result.severity) == (Verdict.INVALID_CODE, Severity.RED)


async def test_a_code_signed_with_another_key_is_an_invalid_code(session, at_pharmacy):
    other = CodeKeys("0002", {"0002": secrets.token_bytes(32)})

    result = await verify_pack(SessionReads(session), text=at_pharmacy.element_string(), keys=other, now=NOW)

    assert result.verdict is Verdict.INVALID_CODE


async def test_a_rotated_key_keeps_verifying_old_codes(session, at_pharmacy):
    rotated = CodeKeys("0002", {**KEYS.secrets, "0002": secrets.token_bytes(32)})

    result = await verify_pack(SessionReads(session), text=at_pharmacy.element_string(), keys=rotated, now=NOW)

    assert result.verdict is Verdict.GENUINE


async def test_an_eu_style_code_of_a_known_product_is_unknown_with_its_card(session, product):
    eu = f"01{product.gtin}21ABCDEFGHIJKLMNOPQRST"

    result = await verify_pack(SessionReads(session), text=eu, keys=KEYS, now=NOW)

    assert (result.verdict, result.severity) == (Verdict.UNKNOWN_CODE, Severity.RED)
    assert FormProblem.SERIAL_NOT_13 in result.form_problems
    assert result.product is not None


async def test_a_validly_signed_code_we_have_no_pack_for_is_unknown(session, product):
    serial = "Zz0123456789a"
    key_id, mac = KEYS.sign(product.gtin, serial)

    result = await verify_pack(
        SessionReads(session), text=f"01{product.gtin}21{serial}\x1d91{key_id}\x1d92{mac}", keys=KEYS, now=NOW
    )

    assert result.verdict is Verdict.UNKNOWN_CODE


async def test_garbage_is_an_invalid_code_that_says_why(session):
    result = await verify_pack(SessionReads(session), text="hello world", keys=KEYS, now=NOW)

    assert result.verdict is Verdict.INVALID_CODE
    assert result.unreadable is not None
    assert result.unreadable.problem in set(CodeProblem)


async def test_an_unknown_gtin_is_unknown_without_a_card(session, organisations):
    serial = "Zz0123456789a"
    gtin = new_gtin()
    key_id, mac = KEYS.sign(gtin, serial)

    result = await verify_pack(
        SessionReads(session), text=f"01{gtin}21{serial}\x1d91{key_id}\x1d92{mac}", keys=KEYS, now=NOW
    )

    assert (result.verdict, result.product) == (Verdict.UNKNOWN_CODE, None)
