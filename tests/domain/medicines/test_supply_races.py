from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from domain.medicines import aggregation, dispensing, shipping, write_offs
from domain.medicines.models import Pack, PackState, WriteOffReason
from domain.shared.money import Money
from tests.domain.medicines.conftest import MANUFACTURER, NOW, WHOLESALER_BIN, add_organisations
from tests.domain.medicines.supply import KEYS, PHARMACY, balances, deliver, make_packs, new_sscc, read, recount

# Races between real transactions on their own connections: exactly one of two operations on the same pack wins.
# Kept apart from the other supply-chain tests, whose rolled-back organisations would block these commits.

pytestmark = pytest.mark.race


async def test_two_shipments_of_the_same_pack_at_once_let_exactly_one_through(committing_sessions):
    async with committing_sessions() as setup:
        await add_organisations(setup)
        gtin, codes = await make_packs(setup, 1)

    async with committing_sessions() as a, committing_sessions() as b:
        outcomes = await asyncio.gather(
            shipping.ship_packs(
                MANUFACTURER, a, receiver_bin=WHOLESALER_BIN, codes=codes, document=None, keys=KEYS, now=NOW
            ),
            shipping.ship_packs(
                MANUFACTURER, b, receiver_bin="981240000041", codes=codes, document=None, keys=KEYS, now=NOW
            ),
            return_exceptions=True,
        )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["InvalidTransition", "Shipment"]
    async with committing_sessions() as check:
        assert await balances(check, gtin) == {}
        assert (await check.scalar(select(Pack.state).where(Pack.gtin == gtin))) is PackState.IN_TRANSIT


async def _at_pharmacy(committing_sessions, count=1):
    async with committing_sessions() as setup:
        await add_organisations(setup)
        gtin, codes = await make_packs(setup, count)
        await deliver(setup, codes, MANUFACTURER, PHARMACY)
    return gtin, codes


async def test_two_sales_of_the_same_pack_at_once_sell_it_once(committing_sessions):
    gtin, codes = await _at_pharmacy(committing_sessions)

    async with committing_sessions() as a, committing_sessions() as b:
        outcomes = await asyncio.gather(
            *(
                dispensing.sell_packs(PHARMACY, s, sales=[(codes[0], Money.parse("900"))], keys=KEYS, now=NOW)
                for s in (a, b)
            ),
            return_exceptions=True,
        )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["InvalidTransition", "list"]
    async with committing_sessions() as check:
        assert await balances(check, gtin) == await recount(check, gtin) == {}


async def test_a_sale_and_a_write_off_of_the_same_pack_at_once_let_exactly_one_through(committing_sessions):
    gtin, codes = await _at_pharmacy(committing_sessions, 2)

    async with committing_sessions() as a, committing_sessions() as b:
        outcomes = await asyncio.gather(
            dispensing.sell_packs(PHARMACY, a, sales=[(codes[0], Money.parse("900"))], keys=KEYS, now=NOW),
            write_offs.write_off_packs(PHARMACY, b, codes=codes, reason=WriteOffReason.DAMAGED, keys=KEYS, now=NOW),
            return_exceptions=True,
        )

    kinds = sorted(type(outcome).__name__ for outcome in outcomes)
    assert kinds in (["InvalidTransition", "list"], ["InvalidTransition", "int"])
    async with committing_sessions() as check:
        assert await balances(check, gtin) == await recount(check, gtin)
        states = {state for [state] in await read(check, select(Pack.state).where(Pack.gtin == gtin))}
    assert states in ({PackState.DISPENSED, PackState.ACTIVE}, {PackState.WRITTEN_OFF})


async def test_two_boxes_under_one_new_sscc_at_once_make_one_box_and_one_typed_error(committing_sessions):
    async with committing_sessions() as setup:
        await add_organisations(setup)
        _, first = await make_packs(setup, 1)
        _, second = await make_packs(setup, 1)
    sscc = new_sscc()

    async with committing_sessions() as a, committing_sessions() as b:
        outcomes = await asyncio.gather(
            aggregation.aggregate(MANUFACTURER, a, container=f"00{sscc}", codes=first, keys=KEYS, now=NOW),
            aggregation.aggregate(MANUFACTURER, b, container=f"00{sscc}", codes=second, keys=KEYS, now=NOW),
            return_exceptions=True,
        )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Container", "InvalidTransition"]
