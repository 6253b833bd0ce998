from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from datetime import datetime

from sqlalchemy import ARRAY, BigInteger, String, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.medicines.alerts import raise_operation_alert
from domain.medicines.errors import InvalidTransition
from domain.medicines.keys import CodeKeys
from domain.medicines.models import AlertKind, BusinessStep, Pack, PackState, Shipment, ShipmentStatus, WriteOffReason
from domain.medicines.packs import SUPPLY_CHAIN, check_movable, lock_goods, read_codes, record_event, watched_gtins
from domain.medicines.stock import check_shortages
from domain.shared.access import OrganisationUser, Principal, require_organisation
from domain.shared.calendar import local_date

_IN_STOCK = frozenset({PackState.ACTIVE, PackState.PARTIALLY_DISPENSED})
# Medicines rules, "Pack states": once a product is withdrawn, a batch recalled or a pack expired, the pack may
# still be written off to be destroyed; any other operation is refused.
_FOR_DESTRUCTION = frozenset({WriteOffReason.DESTROYED, WriteOffReason.EXPIRED})
# Packs that never arrived may be written off by their sender once the receiver has closed the shipment.
_LOST_IN_TRANSIT = frozenset({WriteOffReason.LOST, WriteOffReason.STOLEN})
# CBV 2.0 dispositions of each reason.
DISPOSITIONS = {
    WriteOffReason.DAMAGED: "damaged",
    WriteOffReason.DESTROYED: "destroyed",
    WriteOffReason.LOST: "unknown",
    WriteOffReason.STOLEN: "stolen",
    WriteOffReason.SAMPLE: "non_sellable_other",
    WriteOffReason.EXPIRED: "expired",
}
_WRITE_OFF = text(
    """UPDATE packs SET state = 'WRITTEN_OFF', write_off_reason = CAST(:reason AS write_off_reason),
       state_changed_at = :now, container_sscc = NULL
 WHERE id = ANY(:ids)"""
).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))


async def write_off_packs(
    principal: Principal,
    session: AsyncSession,
    *,
    codes: Sequence[str],
    reason: WriteOffReason,
    keys: CodeKeys,
    now: datetime,
) -> int:
    """The owner takes packs out of circulation for a reason; how many. A written-off pack must never turn up again."""
    staff = require_organisation(principal, *SUPPLY_CHAIN)
    owner = str(staff.organisation_bin)
    scanned = read_codes(codes, keys)
    async with alerting_turned_up(session, staff, now=now), session.begin():
        goods = await lock_goods(session, scanned)
        today = local_date(now)
        closed = await _closed_shipments(session, {p.shipment_id for p in goods.packs if p.shipment_id})
        for pack in goods.packs:
            if pack.state is PackState.IN_TRANSIT and reason in _LOST_IN_TRANSIT and pack.shipment_id in closed:
                check_movable(
                    pack, owner, "write off", states=frozenset({PackState.IN_TRANSIT}), today=today,
                    allow_inside_box=True, allow_unsellable=True,
                )  # fmt: skip
                continue
            check_movable(
                pack,
                owner,
                "write off",
                states=_IN_STOCK,
                today=today,
                allow_inside_box=True,
                allow_unsellable=reason in _FOR_DESTRUCTION,
            )
        ids = [pack.id for pack in goods.packs]
        await session.execute(_WRITE_OFF, {"reason": reason.value, "now": now, "ids": ids})
        if goods.containers:
            await session.execute(
                text("UPDATE containers SET emptied_at = :now WHERE sscc = ANY(:ssccs)").bindparams(
                    bindparam("ssccs", type_=ARRAY(String))
                ),
                {"now": now, "ssccs": list(goods.containers)},
            )
        await record_event(
            session,
            biz_step=BusinessStep.DESTROYING if reason is WriteOffReason.DESTROYED else BusinessStep.DECOMMISSIONING,
            disposition=DISPOSITIONS[reason],
            pack_ids=ids,
            organisation_bin=owner,
            actor=staff.user_id,
            now=now,
            details={"reason": reason.value},
        )
    await check_shortages(session, owner_bins=[owner], gtins=watched_gtins(goods.packs), now=now)
    return len(goods.packs)


async def _closed_shipments(session: AsyncSession, ids: set[int | None]) -> set[int]:
    if not ids:
        return set()
    rows = await session.scalars(
        select(Shipment.id).where(Shipment.id.in_(ids), Shipment.status == ShipmentStatus.RECEIVED)
    )
    return set(rows)


@contextlib.asynccontextmanager
async def alerting_turned_up(session: AsyncSession, staff: OrganisationUser, *, now: datetime) -> AsyncIterator[None]:
    """Around an operation: a written-off pack named in it is refused, and the regulator hears that it turned up.

    The operation's transaction is rolled back by then, so the alert is written in one of its own.
    """
    try:
        yield
    except InvalidTransition as refused:
        if refused.details.get("state") == PackState.WRITTEN_OFF.value:
            gtin, serial = str(refused.details["gtin"]), str(refused.details["serial"])
            async with session.begin():
                pack_id = await session.scalar(select(Pack.id).where(Pack.gtin == gtin, Pack.serial == serial))
                await alert_turned_up(session, staff, gtin, serial, pack_id, str(refused.details["operation"]), now=now)
        raise


async def alert_turned_up(
    session: AsyncSession,
    staff: OrganisationUser,
    gtin: str,
    serial: str,
    pack_id: int | None,
    operation: str,
    *,
    now: datetime,
) -> None:
    """A written-off pack is in someone's hands: a clone, or a write-off that was false."""
    await raise_operation_alert(
        session,
        AlertKind.OPERATED_AFTER_WRITE_OFF,
        now=now,
        gtin=gtin,
        serial=serial,
        pack_id=pack_id,
        organisation_bin=str(staff.organisation_bin),
        details={"operation": operation, "by": str(staff.organisation_bin)},
    )
