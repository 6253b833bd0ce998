from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.medicines import history, issuing
from domain.medicines.codes import PackCode
from domain.medicines.errors import InvalidCode, PackNotFound
from domain.medicines.models import BusinessStep, Pack, PackEvent, pack_event_packs
from domain.shared import access
from domain.shared.access import OrganisationKind
from domain.shared.errors import Unauthenticated
from domain.shared.iin import Iin
from tests.domain.medicines.conftest import (
    HOSPITAL_BIN,
    MANUFACTURER,
    MANUFACTURER_BIN,
    NOW,
    PHARMACY,
    PHARMACY_BIN,
    REGULATOR,
    WHOLESALER_BIN,
    staff,
)
from tests.domain.medicines.test_verification import KEYS, commissioned, pack, place  # noqa: F401  (fixtures)

WHOLESALER = staff(WHOLESALER_BIN, OrganisationKind.WHOLESALER)
HOSPITAL = staff(HOSPITAL_BIN, OrganisationKind.HOSPITAL)
CITIZEN = access.Citizen(Iin.parse("850315400015"))


async def record_event(
    session: AsyncSession,
    packs: Sequence[PackCode],
    *,
    biz_step: BusinessStep,
    disposition: str,
    organisation_bin: str,
    occurred_at: datetime,
    details: dict[str, Any] | None = None,
    corrects: PackEvent | None = None,
) -> PackEvent:
    """Write an event on packs as the supply chain will (its code is still being written), rows and links alike."""
    async with session.begin():
        event = PackEvent(
            biz_step=biz_step,
            disposition=disposition,
            occurred_at=occurred_at,
            organisation_bin=organisation_bin,
            actor=f"user-of-{organisation_bin}",
            corrects_id=corrects.id if corrects else None,
            details=details or {},
        )
        session.add(event)
        await session.flush()
        for code in packs:
            pack_id = await session.scalar(select(Pack.id).where(Pack.gtin == code.gtin, Pack.serial == code.serial))
            await session.execute(insert(pack_event_packs).values(event_id=event.id, pack_id=pack_id))
    return event


async def ship(session: AsyncSession, code: PackCode, *, sender: str, receiver: str, at: datetime) -> PackEvent:
    details = {"shipment": 7, "sender": sender, "receiver": receiver}
    return await record_event(
        session,
        [code],
        biz_step=BusinessStep.SHIPPING,
        disposition="in_transit",
        organisation_bin=sender,
        occurred_at=at,
        details=details,
    )


@pytest.fixture
async def shipped(session, commissioned):  # noqa: F811  (the fixture imported above)
    """The manufacturer's pack shipped to the wholesaler, and received there."""
    await ship(session, commissioned, sender=MANUFACTURER_BIN, receiver=WHOLESALER_BIN, at=NOW + timedelta(days=1))
    await record_event(
        session,
        [commissioned],
        biz_step=BusinessStep.RECEIVING,
        disposition="in_progress",
        organisation_bin=WHOLESALER_BIN,
        occurred_at=NOW + timedelta(days=2),
        details={"shipment": 7, "sender": MANUFACTURER_BIN, "receiver": WHOLESALER_BIN},
    )
    return commissioned


async def test_the_regulator_reads_a_packs_events_oldest_first(session, shipped):
    events = await history.pack_history(REGULATOR, session, gtin=shipped.gtin, serial=shipped.serial)

    assert [event.biz_step for event in events] == [
        BusinessStep.COMMISSIONING,
        BusinessStep.SHIPPING,
        BusinessStep.RECEIVING,
    ]


async def test_events_recorded_out_of_order_are_read_in_the_order_they_happened(session, shipped):
    await record_event(
        session,
        [shipped],
        biz_step=BusinessStep.PACKING,
        disposition="in_progress",
        organisation_bin=MANUFACTURER_BIN,
        occurred_at=NOW + timedelta(hours=1),  # recorded last, happened second
        details={"parent": "046012345000000018"},
    )

    events = await history.pack_history(REGULATOR, session, gtin=shipped.gtin, serial=shipped.serial)

    assert [event.biz_step for event in events][:2] == [BusinessStep.COMMISSIONING, BusinessStep.PACKING]


async def test_the_manufacturer_and_the_wholesaler_read_the_whole_history(session, shipped):
    by_manufacturer = await history.pack_history(MANUFACTURER, session, gtin=shipped.gtin, serial=shipped.serial)
    by_wholesaler = await history.pack_history(WHOLESALER, session, gtin=shipped.gtin, serial=shipped.serial)

    assert len(by_manufacturer) == len(by_wholesaler) == 3


async def test_an_organisation_a_pack_is_shipped_to_reads_it_before_receiving_it(session, commissioned):  # noqa: F811
    await ship(session, commissioned, sender=MANUFACTURER_BIN, receiver=PHARMACY_BIN, at=NOW + timedelta(days=1))

    events = await history.pack_history(PHARMACY, session, gtin=commissioned.gtin, serial=commissioned.serial)

    assert [event.biz_step for event in events] == [BusinessStep.COMMISSIONING, BusinessStep.SHIPPING]


async def test_the_holder_reads_a_pack_that_reached_it_without_events(session, commissioned):  # noqa: F811
    await place(session, commissioned, owner_bin=PHARMACY_BIN)

    events = await history.pack_history(PHARMACY, session, gtin=commissioned.gtin, serial=commissioned.serial)

    assert [event.biz_step for event in events] == [BusinessStep.COMMISSIONING]


@pytest.mark.parametrize("principal", [HOSPITAL, CITIZEN], ids=["another organisation", "a citizen"])
async def test_a_pack_the_caller_never_had_reads_as_absent(session, shipped, principal):
    with pytest.raises(PackNotFound):
        await history.pack_history(principal, session, gtin=shipped.gtin, serial=shipped.serial)


async def test_another_authority_than_the_regulator_reads_no_pack(session, shipped):
    education = access.AuthorityUser("official-1", access.AuthorityKind.EDUCATION_DEPARTMENT, None)

    with pytest.raises(PackNotFound):
        await history.pack_history(education, session, gtin=shipped.gtin, serial=shipped.serial)


async def test_an_anonymous_caller_must_sign_in(session, shipped):
    with pytest.raises(Unauthenticated):
        await history.pack_history(access.ANONYMOUS, session, gtin=shipped.gtin, serial=shipped.serial)


async def test_an_unknown_pack_is_not_found(session, commissioned):  # noqa: F811
    with pytest.raises(PackNotFound):
        await history.pack_history(REGULATOR, session, gtin=commissioned.gtin, serial="NoSuchSerial1")


async def test_events_of_other_packs_stay_out(session, product):
    _, [first, second] = await _issue(session, product.gtin, 2)
    await record_event(
        session,
        [second],
        biz_step=BusinessStep.DESTROYING,
        disposition="destroyed",
        organisation_bin=MANUFACTURER_BIN,
        occurred_at=NOW,
        details={"reason": "DAMAGED"},
    )

    events = await history.pack_history(REGULATOR, session, gtin=first.gtin, serial=first.serial)

    assert events == []


async def test_a_gtin_13_names_the_same_pack_as_its_gtin_14(session, shipped):
    assert shipped.gtin.startswith("0")  # new_gtin() makes GTIN-14s with a leading zero

    events = await history.pack_history(REGULATOR, session, gtin=shipped.gtin[1:], serial=shipped.serial)

    assert len(events) == 3


@pytest.mark.parametrize(
    ("gtin", "serial", "field", "problem"),
    [
        ("04601234567890", "ABCDEFGHIJKLM", "gtin", "BAD_CHECK_DIGIT"),
        ("46O1234567893", "ABCDEFGHIJKLM", "gtin", "ILLEGAL_CHARACTER"),
        ("04601234567893", "ABC DEF", "serial", "ILLEGAL_CHARACTER"),
        ("04601234567893", "A" * 21, "serial", "FIELD_TOO_LONG"),
    ],
    ids=["check digit", "letter in a GTIN", "space in a serial", "serial of 21"],
)
async def test_a_malformed_gtin_or_serial_is_an_invalid_code_naming_it(session, gtin, serial, field, problem):
    with pytest.raises(InvalidCode) as refused:
        await history.pack_history(REGULATOR, session, gtin=gtin, serial=serial)

    assert refused.value.field == (field,)
    assert refused.value.details["problem"] == problem


async def test_a_scanned_code_names_the_pack_whose_history_is_read(session, shipped):
    events = await history.pack_history_by_code(REGULATOR, session, code=shipped.element_string())

    assert len(events) == 3


async def test_an_unreadable_code_is_an_invalid_code(session):
    with pytest.raises(InvalidCode) as refused:
        await history.pack_history_by_code(REGULATOR, session, code="]d1 not a code")

    assert (refused.value.field, refused.value.details["problem"]) == (("code",), "NOT_GS1")


async def _issue(session, gtin: str, count: int):
    return await issuing.order_pack_codes(MANUFACTURER, session, gtin=gtin, count=count, keys=KEYS, now=NOW)


async def test_details_that_are_not_an_object_do_not_break_the_access_check(session, commissioned):  # noqa: F811
    odd = await ship(session, commissioned, sender=MANUFACTURER_BIN, receiver=PHARMACY_BIN, at=NOW + timedelta(days=1))
    async with session.begin():
        await session.execute(update(PackEvent).where(PackEvent.id == odd.id).values(details=["written", "badly"]))

    with pytest.raises(PackNotFound):
        await history.pack_history(HOSPITAL, session, gtin=commissioned.gtin, serial=commissioned.serial)
