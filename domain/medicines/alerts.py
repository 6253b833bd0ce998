from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.medicines.models import AlertKind, AlertStatus, MedicineAlert
from domain.shared.access import AuthorityKind, Principal, require_authority
from domain.shared.errors import DomainError, ErrorCode, MissingValue, NotFound, TextTooLong
from domain.shared.organisations import Organisation

MAX_REASON_LENGTH = 1000

# EMVS's alert workflow, shortened: an alert is looked into, then closed with a reason; a closed alert stays closed
# (the same code misbehaving again opens a new one).
_NEXT = {
    AlertStatus.NEW: {AlertStatus.INVESTIGATING, AlertStatus.CLOSED},
    AlertStatus.INVESTIGATING: {AlertStatus.CLOSED},
    AlertStatus.CLOSED: set(),
}


class AlertTransitionRefused(DomainError):
    """An alert cannot move from its status to the one asked for."""

    code = ErrorCode.INVALID_TRANSITION

    def __init__(self, status: AlertStatus, wanted: AlertStatus) -> None:
        super().__init__(
            f"an alert that is {status.value} cannot become {wanted.value}",
            field=("status",),
            state=status.value,
            operation=wanted.value,
        )


async def alerts_page(
    principal: Principal,
    session: AsyncSession,
    *,
    status: AlertStatus | None,
    kind: AlertKind | None,
    before_id: int | None,
    size: int,
) -> tuple[list[MedicineAlert], bool]:
    """The regulator's alerts, newest first, optionally of one status or kind; and whether more follow."""
    require_authority(principal, AuthorityKind.MEDICINES_REGULATOR)
    query = select(MedicineAlert).order_by(MedicineAlert.id.desc()).limit(size + 1)
    if status is not None:
        query = query.where(MedicineAlert.status == status)
    if kind is not None:
        query = query.where(MedicineAlert.kind == kind)
    if before_id is not None:
        query = query.where(MedicineAlert.id < before_id)
    rows = list(await session.scalars(query))
    return rows[:size], len(rows) > size


async def update_alert(
    principal: Principal,
    session: AsyncSession,
    *,
    alert_id: int,
    status: AlertStatus,
    reason: str | None,
    now: datetime,
) -> MedicineAlert:
    """The regulator takes an alert into investigation or closes it with a reason."""
    official = require_authority(principal, AuthorityKind.MEDICINES_REGULATOR)
    if status is AlertStatus.CLOSED and not (reason and reason.strip()):
        raise MissingValue("an alert is closed with a reason", field=("reason",))
    if reason is not None and len(reason) > MAX_REASON_LENGTH:
        raise TextTooLong(len(reason), MAX_REASON_LENGTH, field=("reason",))
    async with session.begin():
        alert = await session.get(MedicineAlert, alert_id, with_for_update=True)
        if alert is None:
            raise NotFound("alert", alert_id, field=("id",))
        if status not in _NEXT[alert.status]:
            raise AlertTransitionRefused(alert.status, status)
        alert.status, alert.updated_at, alert.updated_by = status, now, official.user_id
        if status is AlertStatus.CLOSED:
            alert.closing_reason = reason.strip() if reason else None
    return alert


async def alerts_by_id(session: AsyncSession, ids: list[int]) -> list[MedicineAlert]:
    """The alerts with these ids that exist (callers decide who may see them)."""
    return list(await session.scalars(select(MedicineAlert).where(MedicineAlert.id.in_(ids))))


async def raise_operation_alert(
    session: AsyncSession,
    kind: AlertKind,
    *,
    now: datetime,
    details: dict[str, Any],
    gtin: str | None = None,
    serial: str | None = None,
    pack_id: int | None = None,
    region: str | None = None,
    inn: str | None = None,
    shipment_id: int | None = None,
    organisation_bin: str | None = None,
) -> None:
    """Open an alert about a supply-chain operation; while one about the same pack (or the same region's substance,
    for a shortage) is open, count another occurrence instead of opening a second."""
    where: object = region
    if region is None and organisation_bin is not None:  # where it happened: the organisation's region
        where = select(cast(Organisation.region, String)).where(Organisation.bin == organisation_bin).scalar_subquery()
    values = {
        "kind": kind,
        "status": AlertStatus.NEW,
        "gtin": gtin,
        "serial": serial,
        "pack_id": pack_id,
        "region": where,
        "inn": inn,
        "shipment_id": shipment_id,
        "organisation_bin": organisation_bin,
        "details": details,
        "raised_at": now,
        "updated_at": now,
        "occurrences": 1,
    }
    statement = insert(MedicineAlert).values(**values)
    again = {"occurrences": MedicineAlert.occurrences + 1, "updated_at": statement.excluded.updated_at}
    if gtin is not None and serial is not None:
        statement = statement.on_conflict_do_update(
            index_elements=["kind", "gtin", "serial"], index_where=text("status <> 'CLOSED'"), set_=again
        )
    elif inn is not None:
        statement = statement.on_conflict_do_update(
            index_elements=["region", "inn"], index_where=text("inn IS NOT NULL AND status <> 'CLOSED'"), set_=again
        )
    await session.execute(statement)
