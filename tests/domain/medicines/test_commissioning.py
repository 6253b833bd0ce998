from __future__ import annotations

import asyncio
import secrets
from datetime import date

import pytest
from sqlalchemy import func, select

from domain.medicines import commissioning, issuing, registry
from domain.medicines.commissioning import BatchDetails
from domain.medicines.errors import (
    BatchMismatch,
    DuplicateCode,
    InvalidBatch,
    InvalidTransition,
    NotOwner,
    PackExpired,
    PackNotFound,
)
from domain.medicines.keys import CodeKeys
from domain.medicines.models import Batch, BusinessStep, Pack, PackState, pack_event_packs
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
)

KEYS = CodeKeys("0001", {"0001": secrets.token_bytes(32)})
BATCH = BatchDetails(number="B2026-11", expiry=date(2028, 10, 31), produced_on=date(2026, 11, 1))


@pytest.fixture
async def issued(session, product):
    _, codes = await issuing.order_pack_codes(MANUFACTURER, session, gtin=product.gtin, count=5, keys=KEYS, now=NOW)
    return product.gtin, [code.serial for code in codes]


async def _packs(session, gtin, serials):
    return list(await session.scalars(select(Pack).where(Pack.gtin == gtin, Pack.serial.in_(serials))))


async def test_commissioning_makes_issued_codes_active_packs_of_a_batch(session, issued):
    gtin, serials = issued

    event = await commissioning.commission_packs(
        MANUFACTURER, session, gtin=gtin, serials=serials[:3], batch=BATCH, now=NOW
    )

    packs = await _packs(session, gtin, serials)
    batch = await session.scalar(select(Batch).where(Batch.gtin == gtin, Batch.number == BATCH.number))
    recorded = list(
        await session.scalars(select(pack_event_packs.c.pack_id).where(pack_event_packs.c.event_id == event.id))
    )
    assert sorted(p.state for p in packs) == [PackState.ACTIVE] * 3 + [PackState.ISSUED] * 2
    assert batch is not None
    assert (batch.expiry, batch.produced_on) == (BATCH.expiry, BATCH.produced_on)
    assert {p.batch_id for p in packs if p.state is PackState.ACTIVE} == {batch.id}
    assert event.biz_step is BusinessStep.COMMISSIONING
    assert event.details["batch"] == BATCH.number
    assert sorted(recorded) == sorted(p.id for p in packs if p.state is PackState.ACTIVE)


async def test_a_pack_is_commissioned_once(session, issued):
    gtin, serials = issued
    await commissioning.commission_packs(MANUFACTURER, session, gtin=gtin, serials=serials[:1], batch=BATCH, now=NOW)

    with pytest.raises(InvalidTransition) as refused:
        await commissioning.commission_packs(
            MANUFACTURER, session, gtin=gtin, serials=serials[:2], batch=BATCH, now=NOW
        )

    assert refused.value.field == ("serials", "0")
    assert refused.value.details["state"] == "ACTIVE"
    assert [p.state for p in await _packs(session, gtin, serials[1:2])] == [PackState.ISSUED]  # nothing written


async def test_an_unknown_serial_is_named_and_nothing_is_commissioned(session, issued):
    gtin, serials = issued

    with pytest.raises(PackNotFound) as refused:
        await commissioning.commission_packs(
            MANUFACTURER, session, gtin=gtin, serials=[serials[0], "NeverIssued00"], batch=BATCH, now=NOW
        )

    assert refused.value.field == ("serials", "1")
    assert {p.state for p in await _packs(session, gtin, serials)} == {PackState.ISSUED}


async def test_another_organisations_codes_cannot_be_commissioned(session, organisations):
    shared = await registry.register_product(REGULATOR, session, card=card(importer_bin=IMPORTER_BIN), now=NOW)
    _, codes = await issuing.order_pack_codes(IMPORTER, session, gtin=shared.gtin, count=1, keys=KEYS, now=NOW)

    with pytest.raises(NotOwner):
        await commissioning.commission_packs(
            MANUFACTURER, session, gtin=shared.gtin, serials=[codes[0].serial], batch=BATCH, now=NOW
        )


async def test_only_a_manufacturer_or_importer_commissions(session, issued):
    gtin, serials = issued

    with pytest.raises(Forbidden):
        await commissioning.commission_packs(PHARMACY, session, gtin=gtin, serials=serials, batch=BATCH, now=NOW)


@pytest.mark.parametrize(
    ("batch", "error"),
    [
        (BatchDetails("B 1", date(2028, 1, 1), date(2026, 1, 1)), InvalidBatch),
        (BatchDetails("B" * 21, date(2028, 1, 1), date(2026, 1, 1)), InvalidBatch),
        (BatchDetails("B1", date(2028, 1, 1), date(2027, 1, 1)), InvalidBatch),  # produced in the future
        (BatchDetails("B1", date(2026, 1, 1), date(2026, 6, 1)), InvalidBatch),  # expires before produced
        (BatchDetails("B1", date(2026, 11, 25), date(2025, 11, 1)), PackExpired),  # expires today
    ],
    ids=["space", "21 characters", "future production", "expiry before production", "expired"],
)
async def test_a_batch_that_breaks_the_rules_is_refused(session, issued, batch, error):
    gtin, serials = issued

    with pytest.raises(error):
        await commissioning.commission_packs(MANUFACTURER, session, gtin=gtin, serials=serials, batch=batch, now=NOW)


async def test_a_batch_keeps_the_dates_it_was_first_given(session, issued):
    gtin, serials = issued
    await commissioning.commission_packs(MANUFACTURER, session, gtin=gtin, serials=serials[:1], batch=BATCH, now=NOW)
    other_expiry = BatchDetails(BATCH.number, date(2029, 1, 31), BATCH.produced_on)

    with pytest.raises(BatchMismatch):
        await commissioning.commission_packs(
            MANUFACTURER, session, gtin=gtin, serials=serials[1:2], batch=other_expiry, now=NOW
        )


async def test_a_serial_named_twice_is_refused(session, issued):
    gtin, serials = issued

    with pytest.raises(DuplicateCode) as refused:
        await commissioning.commission_packs(
            MANUFACTURER, session, gtin=gtin, serials=[serials[0], serials[1], serials[0]], batch=BATCH, now=NOW
        )

    assert refused.value.field == ("serials", "2")


@pytest.mark.race
async def test_two_concurrent_commissionings_of_one_pack_give_one_event(committing_sessions):
    async with committing_sessions() as setup:
        await add_organisations(setup)
        product = await registry.register_product(REGULATOR, setup, card=card(), now=NOW)
        _, codes = await issuing.order_pack_codes(MANUFACTURER, setup, gtin=product.gtin, count=1, keys=KEYS, now=NOW)
    serials = [codes[0].serial]

    async with committing_sessions() as a, committing_sessions() as b:
        outcomes = await asyncio.gather(
            commissioning.commission_packs(MANUFACTURER, a, gtin=product.gtin, serials=serials, batch=BATCH, now=NOW),
            commissioning.commission_packs(MANUFACTURER, b, gtin=product.gtin, serials=serials, batch=BATCH, now=NOW),
            return_exceptions=True,
        )
    async with committing_sessions() as check:
        events = await check.scalar(
            select(func.count())
            .select_from(pack_event_packs)
            .join(Pack, Pack.id == pack_event_packs.c.pack_id)
            .where(Pack.gtin == product.gtin)
        )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["InvalidTransition", "PackEvent"]
    assert events == 1
