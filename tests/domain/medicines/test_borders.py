from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from domain.medicines import commissioning, dispensing, exports, issuing, registry
from domain.medicines.commissioning import CustomsEntry
from domain.medicines.errors import InvalidCustomsEntry
from domain.medicines.models import Pack, PackEvent, PackState
from domain.shared.errors import Forbidden
from tests.domain.medicines.conftest import IMPORTER, IMPORTER_BIN, MANUFACTURER, MANUFACTURER_BIN, NOW, REGULATOR, card
from tests.domain.medicines.supply import BATCH, KEYS, balances, make_packs, read

pytestmark = pytest.mark.usefixtures("organisations")


async def _imported_product_codes(session, count=2):
    product = await registry.register_product(
        REGULATOR, session, card=card(manufacturer_bin=None, importer_bin=IMPORTER_BIN), now=NOW
    )
    _, codes = await issuing.order_pack_codes(IMPORTER, session, gtin=product.gtin, count=count, keys=KEYS, now=NOW)
    return product.gtin, [code.serial for code in codes]


async def test_imported_packs_enter_circulation_with_their_customs_entry(session):
    gtin, serials = await _imported_product_codes(session)

    event = await commissioning.commission_packs(
        IMPORTER, session, gtin=gtin, serials=serials, batch=BATCH, now=NOW,
        customs=CustomsEntry("10005020/261126/0012345", "DE"),
    )  # fmt: skip

    assert event.details["customsDeclaration"] == "10005020/261126/0012345"
    assert event.details["countryOfOrigin"] == "DE"
    assert await balances(session, gtin) == {IMPORTER_BIN: (2, 40)}


@pytest.mark.parametrize(
    ("entry", "field"),
    [(CustomsEntry("", "DE"), ("declaration",)), (CustomsEntry("1/2", "KZ"), ("country_of_origin",)),
     (CustomsEntry("1/2", "Germany"), ("country_of_origin",))],
)  # fmt: skip
async def test_a_customs_entry_that_cannot_be_right_is_refused(session, entry, field):
    gtin, serials = await _imported_product_codes(session)

    with pytest.raises(InvalidCustomsEntry) as refused:
        await commissioning.commission_packs(
            IMPORTER, session, gtin=gtin, serials=serials, batch=BATCH, now=NOW, customs=entry
        )

    assert refused.value.field == field


async def test_only_an_importer_imports(session):
    gtin, serials = await _imported_product_codes(session)

    with pytest.raises(Forbidden):
        await commissioning.commission_packs(
            MANUFACTURER, session, gtin=gtin, serials=serials, batch=BATCH, now=NOW,
            customs=CustomsEntry("1/2", "DE"),
        )  # fmt: skip


async def test_exported_packs_leave_stock_and_may_be_taken_back_within_ten_days(session):
    gtin, codes = await make_packs(session, 2)

    exported = await exports.export_packs(
        MANUFACTURER, session, codes=codes, country="UZ", declaration="X-1", keys=KEYS, now=NOW
    )
    gone = await balances(session, gtin)
    await dispensing.reverse_pack_operation(
        MANUFACTURER, session, code=codes[0], keys=KEYS, now=NOW + timedelta(days=3)
    )

    assert exported == 2
    assert gone == {}
    assert await balances(session, gtin) == {MANUFACTURER_BIN: (1, 20)}
    states = [state for [state] in await read(session, select(Pack.state).where(Pack.gtin == gtin).order_by(Pack.id))]
    assert sorted(states) == sorted([PackState.ACTIVE, PackState.EXPORTED])
    steps = [
        e.details.get("country")
        for [e] in await read(session, select(PackEvent).order_by(PackEvent.id.desc()).limit(2))
    ]
    assert "UZ" in steps


async def test_export_to_kazakhstan_is_refused(session):
    _, codes = await make_packs(session, 1)

    with pytest.raises(InvalidCustomsEntry):
        await exports.export_packs(
            MANUFACTURER, session, codes=codes, country="KZ", declaration=None, keys=KEYS, now=NOW
        )


async def test_export_to_a_country_that_does_not_exist_is_refused(session):
    _, codes = await make_packs(session, 1)

    with pytest.raises(InvalidCustomsEntry):
        await exports.export_packs(
            MANUFACTURER, session, codes=codes, country="XX", declaration=None, keys=KEYS, now=NOW
        )
