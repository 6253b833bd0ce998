from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import asyncpg
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.medicines.models import AlertKind, AlertStatus, MedicineAlert, PackVerification, Product
from domain.medicines.verification import Verdict, Verification

# The same code scanned in two regions within this window is physically implausible for one pack: a clone.
SEVERAL_REGIONS_WINDOW = timedelta(hours=6)

_ALERT_OF_VERDICT = {
    Verdict.MISMATCH: AlertKind.DATA_MISMATCH,
    Verdict.ALREADY_DISPENSED: AlertKind.VERIFIED_AFTER_DISPENSING,
    Verdict.WRITTEN_OFF: AlertKind.VERIFIED_AFTER_WRITE_OFF,
}
_COLUMNS = ("occurred_at", "gtin", "serial", "pack_id", "verdict", "region")


@dataclass(frozen=True, slots=True)
class VerificationRecord:
    """What the log keeps of one scan: no person, no address, the region at most."""

    occurred_at: datetime
    verdict: Verdict
    gtin: str | None = None
    serial: str | None = None
    pack_id: int | None = None
    region: str | None = None

    @classmethod
    def of(cls, result: Verification, *, region: str | None, at: datetime) -> VerificationRecord:
        code = result.code
        return cls(
            occurred_at=at,
            verdict=result.verdict,
            gtin=code.gtin if code else None,
            serial=code.serial[:20] if code else None,
            pack_id=result.pack.id if result.pack else None,
            region=region,
        )


class VerificationLog(Protocol):
    """Where verifications go; the scan never waits for the log to be written."""

    def record(self, record: VerificationRecord) -> None: ...


async def save_verifications(session: AsyncSession, records: Sequence[VerificationRecord], *, now: datetime) -> None:
    """Write a batch of scans (COPY) and raise the alerts they call for, in one transaction."""
    if not records:
        return
    async with session.begin():
        connection = await session.connection()
        driver: asyncpg.Connection = (await connection.get_raw_connection()).driver_connection
        await driver.copy_records_to_table(
            PackVerification.__tablename__,
            records=[(r.occurred_at, r.gtin, r.serial, r.pack_id, r.verdict.value, r.region) for r in records],
            columns=_COLUMNS,
        )
        await _raise_alerts(session, records, now)


async def _raise_alerts(session: AsyncSession, records: Sequence[VerificationRecord], now: datetime) -> None:
    alerts: list[dict[str, Any]] = []
    for record in records:
        kind = _ALERT_OF_VERDICT.get(record.verdict)
        if kind is not None and record.gtin and record.serial:
            alerts.append(_alert(kind, record, {"verdict": record.verdict.value}))
    alerts += await _unknown_codes_of_known_products(session, records, now)
    alerts += await _seen_in_several_regions(session, records, now)
    await raise_alerts(session, alerts, now)


async def _unknown_codes_of_known_products(
    session: AsyncSession, records: Sequence[VerificationRecord], now: datetime
) -> list[dict[str, Any]]:
    suspects = [r for r in records if r.verdict in (Verdict.UNKNOWN_CODE, Verdict.INVALID_CODE) and r.gtin and r.serial]
    if not suspects:
        return []
    known = set(await session.scalars(select(Product.gtin).where(Product.gtin.in_({r.gtin for r in suspects}))))
    return [
        _alert(
            AlertKind.UNKNOWN_SERIAL if r.verdict is Verdict.UNKNOWN_CODE else AlertKind.INVALID_VERIFICATION_CODE,
            r,
            {"verdict": r.verdict.value},
        )
        for r in suspects
        if r.gtin in known
    ]


async def _seen_in_several_regions(
    session: AsyncSession, records: Sequence[VerificationRecord], now: datetime
) -> list[dict[str, Any]]:
    scanned: dict[int, VerificationRecord] = {
        r.pack_id: r for r in records if r.pack_id is not None and r.region is not None
    }
    if not scanned:
        return []
    rows = await session.execute(
        select(PackVerification.pack_id, func.array_agg(func.distinct(PackVerification.region)))
        .where(
            PackVerification.pack_id.in_(scanned),
            PackVerification.region.is_not(None),
            PackVerification.occurred_at > now - SEVERAL_REGIONS_WINDOW,
        )
        .group_by(PackVerification.pack_id)
        .having(func.count(func.distinct(PackVerification.region)) > 1)
    )
    return [
        _alert(AlertKind.SEEN_IN_SEVERAL_REGIONS, scanned[pack_id], {"regions": sorted(regions)})
        for pack_id, regions in rows
        if pack_id is not None
    ]


def _alert(kind: AlertKind, record: VerificationRecord, details: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": kind,
        "gtin": record.gtin,
        "serial": record.serial,
        "pack_id": record.pack_id,
        "region": record.region,
        "details": details,
    }


_UPSERT = insert(MedicineAlert)
# Built once: executed with a list of rows, SQLAlchemy reuses its compiled form (a VALUES list of the batch's
# length would be compiled anew at every flush, tens of milliseconds of the event loop for a large batch).
_UPSERT_ALERT = _UPSERT.on_conflict_do_update(
    index_elements=["kind", "gtin", "serial"],
    index_where=text("status <> 'CLOSED'"),  # the open-alert index's own predicate, word for word
    set_={
        "occurrences": MedicineAlert.occurrences + _UPSERT.excluded.occurrences,
        "updated_at": _UPSERT.excluded.updated_at,
    },
)


async def raise_alerts(session: AsyncSession, alerts: Sequence[dict[str, Any]], now: datetime) -> None:
    """Open each alert, or count more occurrences of the same kind for the same code while it is open."""
    merged: dict[tuple[AlertKind, str, str], dict[str, Any]] = {}
    for alert in alerts:
        key = (alert["kind"], alert["gtin"], alert["serial"])
        if key in merged:  # one statement may not touch a row twice: fold repeats within the batch first
            merged[key]["occurrences"] += 1
        else:
            merged[key] = {**alert, "status": AlertStatus.NEW, "raised_at": now, "updated_at": now, "occurrences": 1}
    if merged:
        await session.execute(_UPSERT_ALERT, list(merged.values()))
