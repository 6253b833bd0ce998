from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from domain.medicines.models import AlertKind, AlertStatus, MedicineAlert, PackVerification
from domain.medicines.signals import VerificationRecord, save_verifications
from domain.medicines.verification import Verdict
from tests.domain.medicines.conftest import NOW, new_gtin


def scan(
    verdict: Verdict, *, gtin: str, serial: str = "Serial0000001", pack_id: int | None = None, region=None, at=NOW
):
    return VerificationRecord(occurred_at=at, verdict=verdict, gtin=gtin, serial=serial, pack_id=pack_id, region=region)


async def alerts_for(session, gtin: str) -> list[MedicineAlert]:
    return list(
        await session.scalars(select(MedicineAlert).where(MedicineAlert.gtin == gtin).order_by(MedicineAlert.id))
    )


async def test_every_scan_is_kept_without_anything_about_the_person(session):
    gtin = new_gtin()

    await save_verifications(session, [scan(Verdict.GENUINE, gtin=gtin, region="KZ-75")], now=NOW)

    [row] = list(await session.scalars(select(PackVerification).where(PackVerification.gtin == gtin)))
    assert (row.verdict, row.region, row.occurred_at) == ("GENUINE", "KZ-75", NOW)


async def test_a_genuine_scan_raises_no_alert(session):
    gtin = new_gtin()

    await save_verifications(session, [scan(Verdict.GENUINE, gtin=gtin, pack_id=1)], now=NOW)

    assert await alerts_for(session, gtin) == []


async def test_a_dispensed_or_written_off_pack_scanned_again_raises_an_alert_once_and_counts_repeats(session):
    gtin = new_gtin()

    await save_verifications(session, [scan(Verdict.ALREADY_DISPENSED, gtin=gtin)] * 2, now=NOW)
    await save_verifications(session, [scan(Verdict.ALREADY_DISPENSED, gtin=gtin)], now=NOW)
    await save_verifications(session, [scan(Verdict.WRITTEN_OFF, gtin=gtin, serial="Other00000001")], now=NOW)

    alerts = await alerts_for(session, gtin)
    assert [(a.kind, a.occurrences, a.status) for a in alerts] == [
        (AlertKind.VERIFIED_AFTER_DISPENSING, 3, AlertStatus.NEW),
        (AlertKind.VERIFIED_AFTER_WRITE_OFF, 1, AlertStatus.NEW),
    ]


async def test_an_unknown_serial_of_a_registered_product_is_an_alert_but_of_an_unknown_gtin_is_not(session, product):
    stranger = new_gtin()

    await save_verifications(
        session, [scan(Verdict.UNKNOWN_CODE, gtin=product.gtin), scan(Verdict.UNKNOWN_CODE, gtin=stranger)], now=NOW
    )

    assert [a.kind for a in await alerts_for(session, product.gtin)] == [AlertKind.UNKNOWN_SERIAL]
    assert await alerts_for(session, stranger) == []


async def test_one_pack_scanned_in_two_regions_within_hours_is_an_alert(session):
    gtin = new_gtin()
    await save_verifications(session, [scan(Verdict.GENUINE, gtin=gtin, pack_id=42, region="KZ-75")], now=NOW)

    await save_verifications(
        session, [scan(Verdict.GENUINE, gtin=gtin, pack_id=42, region="KZ-71", at=NOW + timedelta(hours=2))], now=NOW
    )

    [alert] = await alerts_for(session, gtin)
    assert alert.kind is AlertKind.SEEN_IN_SEVERAL_REGIONS
    assert alert.details["regions"] == ["KZ-71", "KZ-75"]


async def test_the_same_pack_in_two_regions_days_apart_is_no_alert(session):
    gtin = new_gtin()
    earlier = NOW - timedelta(days=3)
    await save_verifications(
        session, [scan(Verdict.GENUINE, gtin=gtin, pack_id=43, region="KZ-75", at=earlier)], now=earlier
    )

    await save_verifications(session, [scan(Verdict.GENUINE, gtin=gtin, pack_id=43, region="KZ-71")], now=NOW)

    assert await alerts_for(session, gtin) == []
