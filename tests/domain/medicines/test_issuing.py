from __future__ import annotations

import asyncio
import base64
import itertools
import secrets
import time

import pytest
from sqlalchemy import func, select

from domain.medicines import issuing, registry
from domain.medicines.errors import InvalidQuantity, ProductWithdrawn
from domain.medicines.keys import CodeKeys
from domain.medicines.models import Pack, PackState, ProductStatus
from domain.medicines.serials import SERIAL_ALPHABET, SERIAL_LENGTH
from domain.shared.access import OrganisationKind
from domain.shared.errors import Forbidden
from tests.domain.medicines.conftest import (
    IMPORTER,
    IMPORTER_BIN,
    MANUFACTURER,
    NOW,
    PHARMACY,
    REGULATOR,
    add_organisations,
    card,
    staff,
)

KEYS = CodeKeys("0001", {"0001": secrets.token_bytes(32)})


async def test_an_order_issues_that_many_codes_owned_by_the_orderer(session, product):
    order, codes = await issuing.order_pack_codes(
        MANUFACTURER, session, gtin=product.gtin, count=50, keys=KEYS, now=NOW
    )

    packs = list(await session.scalars(select(Pack).where(Pack.order_id == order.id)))
    assert len(codes) == len(packs) == 50
    assert {p.state for p in packs} == {PackState.ISSUED}
    assert {p.owner_bin for p in packs} == {str(MANUFACTURER.organisation_bin)}
    assert {p.serial for p in packs} == {c.serial for c in codes}


async def test_a_code_is_a_gs1_element_string_with_a_verifiable_ai_92(session, product):
    _, [code] = await issuing.order_pack_codes(MANUFACTURER, session, gtin=product.gtin, count=1, keys=KEYS, now=NOW)

    text = code.element_string()

    assert text == f"01{product.gtin}21{code.serial}\x1d91{KEYS.current_id}\x1d92{code.verification_code}"
    assert len(code.serial) == SERIAL_LENGTH
    assert set(code.serial) <= set(SERIAL_ALPHABET)
    assert len(code.verification_code) == 44
    assert len(base64.b64decode(code.verification_code)) == 32
    assert KEYS.verifies(code.key_id, product.gtin, code.serial, code.verification_code)
    assert not KEYS.verifies(code.key_id, product.gtin, code.serial[::-1], code.verification_code)


async def test_an_importer_of_the_product_may_order_codes_too(session, organisations):
    product = await registry.register_product(REGULATOR, session, card=card(importer_bin=IMPORTER_BIN), now=NOW)

    order, _ = await issuing.order_pack_codes(IMPORTER, session, gtin=product.gtin, count=1, keys=KEYS, now=NOW)

    assert order.organisation_bin == IMPORTER_BIN


@pytest.mark.parametrize(
    "orderer",
    [PHARMACY, IMPORTER, staff("120840000052", OrganisationKind.HOSPITAL)],
    ids=["a pharmacy", "an importer of other products", "a hospital"],
)
async def test_only_the_products_own_manufacturer_or_importer_orders_codes(session, product, orderer):
    gtin = product.gtin

    with pytest.raises(Forbidden):
        await issuing.order_pack_codes(orderer, session, gtin=gtin, count=1, keys=KEYS, now=NOW)

    assert await session.scalar(select(func.count()).select_from(Pack).where(Pack.gtin == gtin)) == 0


@pytest.mark.parametrize("count", [0, -5, 100_001])
async def test_an_order_outside_one_to_a_hundred_thousand_is_refused(session, product, count):
    with pytest.raises(InvalidQuantity):
        await issuing.order_pack_codes(MANUFACTURER, session, gtin=product.gtin, count=count, keys=KEYS, now=NOW)


async def test_no_codes_for_a_suspended_product(session, product):
    gtin = product.gtin
    await registry.change_product_status(REGULATOR, session, gtin=gtin, status=ProductStatus.SUSPENDED, now=NOW)

    with pytest.raises(ProductWithdrawn):
        await issuing.order_pack_codes(MANUFACTURER, session, gtin=gtin, count=1, keys=KEYS, now=NOW)


async def test_a_hundred_thousand_codes_are_issued_in_one_order(session, product):
    started = time.perf_counter()

    _, codes = await issuing.order_pack_codes(
        MANUFACTURER, session, gtin=product.gtin, count=100_000, keys=KEYS, now=NOW
    )

    print(f"\n100,000 codes issued in {time.perf_counter() - started:.2f} s")  # the benchmark's figure, not a test
    assert len({code.serial for code in codes}) == 100_000


@pytest.mark.race
async def test_concurrent_orders_issue_unique_serials_that_are_not_sequential(committing_sessions):
    async with committing_sessions() as setup:
        await add_organisations(setup)
        product = await registry.register_product(REGULATOR, setup, card=card(), now=NOW)

    async with committing_sessions() as a, committing_sessions() as b:
        orders = await asyncio.gather(
            issuing.order_pack_codes(MANUFACTURER, a, gtin=product.gtin, count=5_000, keys=KEYS, now=NOW),
            issuing.order_pack_codes(MANUFACTURER, b, gtin=product.gtin, count=5_000, keys=KEYS, now=NOW),
        )
    async with committing_sessions() as check:
        stored = list(await check.scalars(select(Pack.serial).where(Pack.gtin == product.gtin)))

    issued = [code.serial for _, codes in orders for code in codes]
    assert len(stored) == len(set(stored)) == len(set(issued)) == 10_000
    neighbours = sorted(issued)
    # Sequential serials would share long prefixes with their neighbours; random ones of 62 letters rarely share 4.
    assert sum(a[:4] == b[:4] for a, b in itertools.pairwise(neighbours)) < 50
