from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.medicines import registry
from domain.medicines.errors import PriceHistoryFixed, ProductExists, ProductWithdrawn, UnknownGtin
from domain.medicines.models import Product, ProductStatus
from domain.shared.errors import Forbidden, NotFound
from domain.shared.money import Money
from tests.domain.medicines.conftest import IMPORTER_BIN, MANUFACTURER, NOW, PHARMACY_BIN, REGULATOR, card, new_gtin

TOMORROW = date(2026, 11, 26)


async def test_the_regulator_registers_a_product_by_its_gtin(session, organisations):
    registered = await registry.register_product(REGULATOR, session, card=card(importer_bin=IMPORTER_BIN), now=NOW)

    stored = await session.get(Product, registered.gtin)
    assert stored is not None
    assert (stored.status, stored.importer_bin) == (ProductStatus.REGISTERED, IMPORTER_BIN)


async def test_only_the_regulator_registers_products(session, organisations):
    with pytest.raises(Forbidden):
        await registry.register_product(MANUFACTURER, session, card=card(), now=NOW)


async def test_a_gtin_or_registration_number_is_registered_once(session, product):
    gtin, number = product.gtin, product.registration_number  # a failed use case rolls back and expires `product`

    with pytest.raises(ProductExists) as same_gtin:
        await registry.register_product(REGULATOR, session, card=card(gtin, registration_number="X"), now=NOW)
    with pytest.raises(ProductExists) as same_number:
        await registry.register_product(REGULATOR, session, card=card(registration_number=number), now=NOW)

    assert same_gtin.value.field == ("gtin",)
    assert same_number.value.field == ("registration_number",)


async def test_a_manufacturer_must_be_a_known_manufacturer(session, organisations):
    with pytest.raises(NotFound) as pharmacy_as_maker:
        await registry.register_product(REGULATOR, session, card=card(manufacturer_bin=PHARMACY_BIN), now=NOW)

    assert pharmacy_as_maker.value.field == ("manufacturer_bin",)


async def test_a_price_takes_effect_from_a_future_day_and_the_past_stays_as_it_was(session, product):
    await registry.set_max_retail_price(
        REGULATOR, session, gtin=product.gtin, price=Money.parse("1200.00"), effective_from=TOMORROW, now=NOW
    )
    later = TOMORROW + timedelta(days=180)
    await registry.set_max_retail_price(
        REGULATOR, session, gtin=product.gtin, price=Money.parse("1350.50"), effective_from=later, now=NOW
    )

    today, tomorrow, half_year = await registry.prices_in_force(
        session, [(product.gtin, TOMORROW - timedelta(days=1)), (product.gtin, TOMORROW), (product.gtin, later)]
    )

    assert today is None
    assert tomorrow is not None
    assert tomorrow.price_tiyn == 120_000
    assert half_year is not None
    assert half_year.price_tiyn == 135_050
    assert [p.price_tiyn for p in (await registry.price_histories(session, [product.gtin]))[0]] == [135_050, 120_000]


@pytest.mark.parametrize(
    ("effective_from", "reason"),
    [(date(2026, 11, 25), "begun"), (date(2026, 1, 1), "begun")],
    ids=["today", "last January"],
)
async def test_a_price_for_a_day_that_has_begun_is_refused(session, product, effective_from, reason):
    gtin = product.gtin

    with pytest.raises(PriceHistoryFixed, match=reason):
        await registry.set_max_retail_price(
            REGULATOR, session, gtin=gtin, price=Money.parse("1"), effective_from=effective_from, now=NOW
        )

    assert (await registry.price_histories(session, [gtin]))[0] == []


async def test_a_day_has_one_price(session, product):
    await registry.set_max_retail_price(
        REGULATOR, session, gtin=product.gtin, price=Money.parse("10"), effective_from=TOMORROW, now=NOW
    )

    with pytest.raises(PriceHistoryFixed, match="already set"):
        await registry.set_max_retail_price(
            REGULATOR, session, gtin=product.gtin, price=Money.parse("11"), effective_from=TOMORROW, now=NOW
        )


async def test_a_price_for_an_unknown_product_is_refused(session, organisations):
    with pytest.raises(UnknownGtin):
        await registry.set_max_retail_price(
            REGULATOR, session, gtin=new_gtin(), price=Money.parse("1"), effective_from=TOMORROW, now=NOW
        )


async def test_a_withdrawn_product_stays_withdrawn(session, product):
    await registry.change_product_status(REGULATOR, session, gtin=product.gtin, status=ProductStatus.WITHDRAWN, now=NOW)

    with pytest.raises(ProductWithdrawn):
        await registry.change_product_status(
            REGULATOR, session, gtin=product.gtin, status=ProductStatus.REGISTERED, now=NOW
        )


async def test_products_are_paged_in_gtin_order_and_found_by_name(session, organisations):
    gtins = sorted(new_gtin() for _ in range(3))
    for gtin in gtins:
        await registry.register_product(REGULATOR, session, card=card(gtin, trade_name=f"Zzyzx {gtin}"), now=NOW)

    first, more = await registry.products_page(session, after=None, size=2, search="zzyzx")
    rest, no_more = await registry.products_page(session, after=first[-1].gtin, size=2, search="zzyzx")

    assert [p.gtin for p in first + rest] == gtins
    assert (more, no_more) == (True, False)
