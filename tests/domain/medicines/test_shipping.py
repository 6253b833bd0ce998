from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.medicines import aggregation, shipping
from domain.medicines.errors import (
    AlreadyAggregated,
    InvalidReceiver,
    InvalidTransition,
    NotOwner,
    ShipmentNotOpen,
    UnknownOrganisation,
)
from domain.medicines.models import AlertKind, MedicineAlert, Pack, PackState, ShipmentStatus
from domain.shared.errors import NotFound
from tests.domain.medicines.conftest import MANUFACTURER, MANUFACTURER_BIN, NOW
from tests.domain.medicines.supply import (
    KEYS,
    KINDERGARTEN_BIN,
    PHARMACY,
    WHOLESALER,
    WHOLESALER_BIN,
    balances,
    make_packs,
    new_sscc,
    read,
    recount,
)

pytestmark = pytest.mark.usefixtures("organisations")


async def _ship(session, codes, sender=MANUFACTURER, receiver=WHOLESALER_BIN):
    return await shipping.ship_packs(
        sender, session, receiver_bin=receiver, codes=codes, document="WB-1", keys=KEYS, now=NOW
    )


async def _states(session, gtin):
    rows = await read(session, select(Pack.state, Pack.owner_bin).where(Pack.gtin == gtin).order_by(Pack.id))
    return [(state, owner) for state, owner in rows]


async def test_a_received_shipment_moves_packs_and_stock_to_the_receiver(session):
    gtin, codes = await make_packs(session, 3)

    shipment = await _ship(session, codes)
    in_transit = await balances(session, gtin)
    receipt = await shipping.receive_shipment(
        WHOLESALER, session, shipment_id=shipment.id, codes=None, keys=KEYS, now=NOW
    )

    assert in_transit == {}
    assert receipt.received == 3
    assert not receipt.has_discrepancy
    assert await _states(session, gtin) == [(PackState.ACTIVE, WHOLESALER_BIN)] * 3
    assert await balances(session, gtin) == await recount(session, gtin) == {WHOLESALER_BIN: (3, 60)}


async def test_only_the_owner_ships_a_pack(session):
    _, codes = await make_packs(session, 1)

    with pytest.raises(NotOwner):
        await _ship(session, codes, sender=PHARMACY)


async def test_a_pack_is_in_one_shipment_at_a_time(session):
    _, codes = await make_packs(session, 2)
    await _ship(session, codes[:1])

    with pytest.raises(InvalidTransition) as refused:
        await _ship(session, codes)

    assert refused.value.details["state"] == "IN_TRANSIT"
    assert refused.value.field == ("codes", "0")


@pytest.mark.parametrize(
    ("receiver", "error"),
    [(MANUFACTURER_BIN, InvalidReceiver), (KINDERGARTEN_BIN, InvalidReceiver), ("990140000017", UnknownOrganisation)],
    ids=["itself", "a kindergarten", "nobody"],
)
async def test_packs_go_only_to_another_organisation_of_the_supply_chain(session, receiver, error):
    gtin, codes = await make_packs(session, 1)

    with pytest.raises(error):
        await _ship(session, codes, receiver=receiver)

    assert await _states(session, gtin) == [(PackState.ACTIVE, MANUFACTURER_BIN)]


async def test_a_partial_receipt_leaves_the_rest_in_transit_and_alerts_the_regulator(session):
    gtin, codes = await make_packs(session, 4)
    _, strangers = await make_packs(session, 1)
    shipment = await _ship(session, codes)
    never_issued = codes[0][:18] + "ZZZZZZZZZZZZZ"  # GTIN and a serial nobody issued, without AI 91/92

    receipt = await shipping.receive_shipment(
        WHOLESALER, session, shipment_id=shipment.id, codes=[*codes[:3], strangers[0], never_issued], keys=KEYS, now=NOW
    )

    assert (receipt.received, receipt.missing, receipt.extra, receipt.foreign) == (3, 1, 1, 1)
    assert receipt.shipment.status is ShipmentStatus.RECEIVED
    assert [s for s, _ in await _states(session, gtin)] == [PackState.ACTIVE] * 3 + [PackState.IN_TRANSIT]
    [[alert]] = await read(session, select(MedicineAlert).where(MedicineAlert.shipment_id == shipment.id))
    assert alert is not None
    assert alert.kind is AlertKind.SHIPMENT_DISCREPANCY
    assert (alert.details["missing"], alert.details["extra"], alert.details["foreign"]) == (1, 1, 1)


async def test_a_complete_receipt_raises_no_alert(session):
    _, codes = await make_packs(session, 2)
    shipment = await _ship(session, codes)

    await shipping.receive_shipment(WHOLESALER, session, shipment_id=shipment.id, codes=codes, keys=KEYS, now=NOW)

    assert await read(session, select(MedicineAlert).where(MedicineAlert.shipment_id == shipment.id)) == []


async def test_a_cancelled_shipment_returns_its_packs_to_the_sender_and_cannot_be_received(session):
    gtin, codes = await make_packs(session, 2)
    shipment_id = (await _ship(session, codes)).id

    await shipping.cancel_shipment(MANUFACTURER, session, shipment_id=shipment_id, now=NOW)

    assert await _states(session, gtin) == [(PackState.ACTIVE, MANUFACTURER_BIN)] * 2
    assert await balances(session, gtin) == {MANUFACTURER_BIN: (2, 40)}
    with pytest.raises(ShipmentNotOpen):
        await shipping.receive_shipment(WHOLESALER, session, shipment_id=shipment_id, codes=None, keys=KEYS, now=NOW)


async def test_a_shipment_is_received_only_by_its_receiver(session):
    _, codes = await make_packs(session, 1)
    shipment_id = (await _ship(session, codes)).id

    with pytest.raises(NotFound):
        await shipping.receive_shipment(PHARMACY, session, shipment_id=shipment_id, codes=None, keys=KEYS, now=NOW)
    with pytest.raises(NotFound):
        await shipping.receive_shipment(MANUFACTURER, session, shipment_id=shipment_id, codes=None, keys=KEYS, now=NOW)


async def test_a_box_ships_and_is_received_as_its_contents(session):
    gtin, codes = await make_packs(session, 3)
    sscc = new_sscc()
    await aggregation.aggregate(MANUFACTURER, session, container=f"(00){sscc}", codes=codes, keys=KEYS, now=NOW)

    with pytest.raises(AlreadyAggregated):
        await _ship(session, codes[:1])
    shipment = await _ship(session, [f"00{sscc}"])
    await shipping.receive_shipment(
        WHOLESALER, session, shipment_id=shipment.id, codes=[f"(00){sscc}"], keys=KEYS, now=NOW
    )

    assert shipment.packs == 3
    assert await _states(session, gtin) == [(PackState.ACTIVE, WHOLESALER_BIN)] * 3
    assert await aggregation.disaggregate(WHOLESALER, session, container=f"00{sscc}", now=NOW) == 3
