from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.medicines import dispensing, shipping, stock, write_offs
from domain.medicines.commissioning import BatchDetails
from domain.medicines.models import AlertKind, MedicineAlert, WriteOffReason
from domain.shared.errors import DomainError, Forbidden
from domain.shared.money import Money
from domain.shared.regions import Region
from tests.domain.medicines.conftest import MANUFACTURER, MANUFACTURER_BIN, NOW, PHARMACY_BIN, REGULATOR
from tests.domain.medicines.supply import (
    HOSPITAL,
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

_HOLDERS = [MANUFACTURER, WHOLESALER, PHARMACY, HOSPITAL]
_OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["ship", "receive", "receive_part", "cancel", "sell", "administer", "write_off", "reverse"]),
        st.integers(0, 5),  # which pack
        st.integers(0, 3),  # who acts
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=_OPERATIONS)
async def test_balances_equal_a_recount_after_any_mix_of_operations(session, operations):
    gtin, codes = await make_packs(session, 6, units_per_pack=5)
    shipments: list[tuple[int, object]] = []  # (id, receiver)

    for name, pack, who in operations:
        actor, code = _HOLDERS[who], codes[pack]
        try:
            if name == "ship":
                receiver = _HOLDERS[(who + 1) % 4]
                shipment = await shipping.ship_packs(
                    actor, session, receiver_bin=str(receiver.organisation_bin), codes=[code], document=None,
                    keys=KEYS, now=NOW,
                )  # fmt: skip
                shipments.append((shipment.id, receiver))
            elif name in ("receive", "receive_part") and shipments:
                shipment_id, receiver = shipments.pop()
                scanned = None if name == "receive" else [codes[(pack + 1) % 6]]
                await shipping.receive_shipment(
                    receiver, session, shipment_id=shipment_id, codes=scanned, keys=KEYS, now=NOW
                )
            elif name == "cancel" and shipments:
                shipment_id, _ = shipments.pop()
                await shipping.cancel_shipment(actor, session, shipment_id=shipment_id, now=NOW)
            elif name == "sell":
                await dispensing.sell_packs(actor, session, sales=[(code, Money.parse("100"))], keys=KEYS, now=NOW)
            elif name == "administer":
                await dispensing.administer_units(
                    actor, session, code=code, units=1 + who, patient_record="MR", keys=KEYS, now=NOW
                )
            elif name == "write_off":
                reason = [WriteOffReason.DAMAGED, WriteOffReason.LOST][who % 2]
                await write_offs.write_off_packs(actor, session, codes=[code], reason=reason, keys=KEYS, now=NOW)
            elif name == "reverse":
                await dispensing.reverse_pack_operation(actor, session, code=code, keys=KEYS, now=NOW)
        except DomainError:
            pass  # refused operations must change nothing, which the recount checks too

    assert await balances(session, gtin) == await recount(session, gtin)


async def test_what_expires_within_n_days_is_listed_apart(session):
    soon = BatchDetails(number="SOON", expiry=date(2027, 1, 15), produced_on=date(2026, 1, 1))
    await make_packs(session, 2, batch=soon)
    await make_packs(session, 3)

    lines, _ = await stock.stock_balance(MANUFACTURER, session, expiring_within_days=60, now=NOW)
    everything, _ = await stock.stock_balance(MANUFACTURER, session, now=NOW)

    assert [(line.batch, line.packs) for line in lines] == [("SOON", 2)]
    assert {line.batch for line in everything} >= {"SOON", "S2026-11"}


async def test_an_organisation_reads_only_its_own_stock(session):
    with pytest.raises(Forbidden):
        await stock.stock_balance(PHARMACY, session, owner_bin=MANUFACTURER_BIN, now=NOW)

    lines, _ = await stock.stock_balance(REGULATOR, session, owner_bin=PHARMACY_BIN, now=NOW)
    assert {line.owner_bin for line in lines} <= {PHARMACY_BIN}


async def test_a_shortage_alert_opens_when_a_regions_stock_falls_under_its_threshold_and_only_then(session):
    inn = f"Substance-{NOW.timestamp()}-{id(session)}"
    _, codes = await make_packs(session, 3, units_per_pack=10, inn=inn)
    await deliver(session, codes, MANUFACTURER, PHARMACY)  # the pharmacy is in Astana
    await stock.set_shortage_threshold(REGULATOR, session, region=Region.ASTANA, inn=inn, minimum_units=20, now=NOW)

    await dispensing.sell_packs(PHARMACY, session, sales=[(codes[0], Money.parse("100"))], keys=KEYS, now=NOW)
    before = await _shortages(session, inn)
    await dispensing.sell_packs(PHARMACY, session, sales=[(codes[1], Money.parse("100"))], keys=KEYS, now=NOW)

    assert before == []  # 20 units left: not under 20
    [alert] = await _shortages(session, inn)
    assert (alert.region, alert.details) == (Region.ASTANA.value, {"units": 10, "minimumUnits": 20})
    [line] = await stock.regional_stock(REGULATOR, session, region=Region.ASTANA, inn=inn)
    assert (line.units, line.minimum_units) == (10, 20)


async def _shortages(session, inn):
    rows = await read(session, MedicineAlert.__table__.select().where(MedicineAlert.inn == inn))
    return [row for row in rows if row.kind is AlertKind.SHORTAGE]
