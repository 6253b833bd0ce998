from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.medicines import dispensing, recalls, shipping, write_offs
from domain.medicines.errors import BatchRecalled, InvalidTransition
from domain.medicines.models import AlertKind, MedicineAlert, Pack, PackState, WriteOffReason
from domain.shared.money import Money
from tests.domain.medicines.conftest import MANUFACTURER, MANUFACTURER_BIN, NOW, REGULATOR, WHOLESALER_BIN
from tests.domain.medicines.supply import KEYS, PHARMACY, balances, deliver, make_packs, read

pytestmark = pytest.mark.usefixtures("organisations")


async def _write_off(session, codes, reason, who=MANUFACTURER):
    return await write_offs.write_off_packs(who, session, codes=codes, reason=reason, keys=KEYS, now=NOW)


@pytest.mark.parametrize("reason", list(WriteOffReason))
async def test_the_owner_writes_packs_off_for_a_reason(session, reason):
    gtin, codes = await make_packs(session, 2)

    assert await _write_off(session, codes, reason) == 2

    rows = await read(session, select(Pack.state, Pack.write_off_reason).where(Pack.gtin == gtin))
    assert [tuple(row) for row in rows] == [(PackState.WRITTEN_OFF, reason)] * 2
    assert await balances(session, gtin) == {}


async def test_a_written_off_pack_that_turns_up_is_refused_and_alerts_the_regulator(session):
    gtin, codes = await make_packs(session, 1)
    await _write_off(session, codes, WriteOffReason.LOST)

    with pytest.raises(InvalidTransition):
        await shipping.ship_packs(
            MANUFACTURER, session, receiver_bin=WHOLESALER_BIN, codes=codes, document=None, keys=KEYS, now=NOW
        )

    alerts = [a for [a] in await read(session, select(MedicineAlert).where(MedicineAlert.gtin == gtin))]
    assert [(a.kind, a.organisation_bin) for a in alerts] == [(AlertKind.OPERATED_AFTER_WRITE_OFF, MANUFACTURER_BIN)]


async def test_no_alert_when_a_pack_is_refused_for_another_state(session):
    gtin, codes = await make_packs(session, 1)
    await deliver(session, codes, MANUFACTURER, PHARMACY)
    await dispensing.sell_packs(PHARMACY, session, sales=[(codes[0], Money.parse("10"))], keys=KEYS, now=NOW)

    with pytest.raises(InvalidTransition):
        await dispensing.sell_packs(PHARMACY, session, sales=[(codes[0], Money.parse("10"))], keys=KEYS, now=NOW)

    assert await read(session, select(MedicineAlert).where(MedicineAlert.gtin == gtin)) == []


async def test_a_recalled_pack_is_written_off_only_for_destruction(session):
    gtin, codes = await make_packs(session, 2)
    await recalls.recall_batch(REGULATOR, session, gtin=gtin, batch_number="S2026-11", reason="recall", now=NOW)

    with pytest.raises(BatchRecalled):
        await _write_off(session, codes, WriteOffReason.DAMAGED)
    assert await _write_off(session, codes, WriteOffReason.DESTROYED) == 2
