from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from domain.medicines import dispensing, recalls, registry
from domain.medicines.commissioning import BatchDetails
from domain.medicines.errors import (
    BatchRecalled,
    InvalidQuantity,
    InvalidTransition,
    NothingToUndo,
    NotOwner,
    PackExpired,
    UndoWindowClosed,
)
from domain.medicines.models import AlertKind, MedicineAlert, Pack, PackEvent, PackState
from domain.shared.money import Money
from tests.domain.medicines.conftest import MANUFACTURER, NOW, PHARMACY_BIN, REGULATOR
from tests.domain.medicines.supply import (
    HOSPITAL,
    HOSPITAL_BIN,
    KEYS,
    PHARMACY,
    WHOLESALER,
    balances,
    deliver,
    make_packs,
    read,
    recount,
)

pytestmark = pytest.mark.usefixtures("organisations")


async def _at(session, holder, count=1, **make):
    gtin, codes = await make_packs(session, count, **make)
    await deliver(session, codes, MANUFACTURER, holder)
    return gtin, codes


async def _sell(session, code, price="900", who=PHARMACY, now=NOW):
    return await dispensing.sell_packs(who, session, sales=[(code, Money.parse(price))], keys=KEYS, now=now)


async def _pack(session, gtin):
    [[pack]] = await read(session, select(Pack).where(Pack.gtin == gtin).execution_options(populate_existing=True))
    return pack


async def test_a_sale_dispenses_the_pack_and_takes_it_out_of_stock(session):
    gtin, codes = await _at(session, PHARMACY)

    [sale] = await _sell(session, codes[0])

    assert sale.price == Money.parse("900")
    assert (await _pack(session, gtin)).state is PackState.DISPENSED
    assert await balances(session, gtin) == await recount(session, gtin) == {}


async def test_a_sale_above_the_maximum_price_is_kept_and_alerts_the_regulator(session):
    gtin, codes = await _at(session, PHARMACY, 2)
    await registry.set_max_retail_price(
        REGULATOR, session, gtin=gtin, price=Money.parse("1000"), effective_from=date(2026, 11, 26), now=NOW
    )
    later = NOW + timedelta(days=2)

    [fair] = await _sell(session, codes[0], "1000", now=later)
    [dear] = await _sell(session, codes[1], "1250.50", now=later)

    assert not fair.above_maximum
    assert dear.above_maximum
    assert dear.max_retail_price == Money.parse("1000")
    alerts = [a for [a] in await read(session, select(MedicineAlert).where(MedicineAlert.gtin == gtin))]
    assert [(a.kind, a.details["price"]) for a in alerts] == [(AlertKind.PRICE_ABOVE_MAXIMUM, "1250.50")]


async def test_a_pack_is_sold_only_by_its_owner_and_only_once(session):
    _, codes = await _at(session, PHARMACY)
    _, elsewhere = await _at(session, WHOLESALER)

    with pytest.raises(NotOwner):
        await _sell(session, elsewhere[0])
    await _sell(session, codes[0])
    with pytest.raises(InvalidTransition):
        await _sell(session, codes[0])


async def test_an_expired_pack_is_not_sold(session):
    batch = BatchDetails(number="E-1", expiry=date(2026, 12, 31), produced_on=date(2026, 1, 1))
    _, codes = await _at(session, PHARMACY, batch=batch)

    with pytest.raises(PackExpired):
        await _sell(session, codes[0], now=NOW + timedelta(days=40))


async def test_a_recalled_batch_is_not_sold_and_its_holders_are_counted(session):
    gtin, codes = await _at(session, PHARMACY, 3)

    recall = await recalls.recall_batch(
        REGULATOR, session, gtin=gtin, batch_number="S2026-11", reason="contamination", now=NOW
    )

    assert (recall.holders, recall.packs_in_stock) == (1, 3)
    with pytest.raises(BatchRecalled):
        await _sell(session, codes[0])


async def test_a_hospital_administers_a_pack_unit_by_unit_until_none_is_left(session):
    gtin, codes = await _at(session, HOSPITAL, units_per_pack=10)

    first = await dispensing.administer_units(
        HOSPITAL, session, code=codes[0], units=4, patient_record="MR-1", keys=KEYS, now=NOW
    )
    opened = await _pack(session, gtin)
    in_stock = await balances(session, gtin)
    last = await dispensing.administer_units(
        HOSPITAL, session, code=codes[0], units=6, patient_record="MR-2", keys=KEYS, now=NOW
    )

    assert (first.units_left, opened.state) == (6, PackState.PARTIALLY_DISPENSED)
    assert in_stock == {HOSPITAL_BIN: (1, 6)}
    assert (last.units_left, (await _pack(session, gtin)).state) == (0, PackState.DISPENSED)
    assert await balances(session, gtin) == {}


async def test_more_units_than_the_pack_holds_are_refused(session):
    _, codes = await _at(session, HOSPITAL, units_per_pack=10)

    with pytest.raises(InvalidQuantity) as refused:
        await dispensing.administer_units(
            HOSPITAL, session, code=codes[0], units=11, patient_record="MR-1", keys=KEYS, now=NOW
        )

    assert refused.value.details["maximum"] == 10


async def test_a_sale_is_reversed_within_ten_days_and_both_events_stay(session):
    gtin, codes = await _at(session, PHARMACY)
    [sale] = await _sell(session, codes[0])

    reversal = await dispensing.reverse_pack_operation(
        PHARMACY, session, code=codes[0], keys=KEYS, now=NOW + timedelta(days=9)
    )

    assert (await _pack(session, gtin)).state is PackState.ACTIVE
    assert await balances(session, gtin) == {PHARMACY_BIN: (1, 20)}
    [[event]] = await read(session, select(PackEvent).where(PackEvent.id == reversal))
    assert event.corrects_id == sale.event_id
    with pytest.raises(NothingToUndo):  # a reversal is not itself reversed
        await dispensing.reverse_pack_operation(PHARMACY, session, code=codes[0], keys=KEYS, now=NOW)


async def test_a_sale_older_than_ten_days_stays(session):
    _, codes = await _at(session, PHARMACY)
    await _sell(session, codes[0])

    with pytest.raises(UndoWindowClosed):
        await dispensing.reverse_pack_operation(
            PHARMACY, session, code=codes[0], keys=KEYS, now=NOW + timedelta(days=10, seconds=1)
        )


async def test_an_administration_reversed_puts_the_units_back(session):
    gtin, codes = await _at(session, HOSPITAL, units_per_pack=10)
    await dispensing.administer_units(
        HOSPITAL, session, code=codes[0], units=3, patient_record="MR-1", keys=KEYS, now=NOW
    )

    await dispensing.reverse_pack_operation(HOSPITAL, session, code=codes[0], keys=KEYS, now=NOW)

    pack = await _pack(session, gtin)
    assert (pack.state, pack.units_remaining) == (PackState.ACTIVE, None)
    assert await balances(session, gtin) == {HOSPITAL_BIN: (1, 10)}


async def test_another_organisation_cannot_reverse_a_sale(session):
    _, codes = await _at(session, PHARMACY)
    await _sell(session, codes[0])

    with pytest.raises(NothingToUndo):
        await dispensing.reverse_pack_operation(HOSPITAL, session, code=codes[0], keys=KEYS, now=NOW)
