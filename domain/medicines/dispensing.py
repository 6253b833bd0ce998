from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.medicines import write_offs
from domain.medicines.errors import InvalidCode, InvalidQuantity, NothingToUndo, PatientIdentified, UndoWindowClosed
from domain.medicines.keys import CodeKeys
from domain.medicines.models import BusinessStep, PackState, WriteOffReason
from domain.medicines.packs import (
    SUPPLY_CHAIN,
    check_movable,
    codes_named,
    lock_goods,
    read_codes,
    record_event,
    watched_gtins,
)
from domain.medicines.stock import check_shortages
from domain.shared.access import OrganisationKind, Principal, require_organisation
from domain.shared.calendar import local_date
from domain.shared.db import driver_transaction
from domain.shared.errors import InvalidIin, InvalidMoney, MissingValue
from domain.shared.iin import Iin
from domain.shared.money import Money

# Medicines rules, "Pack states": a sale, an administration, an export and most write-offs may be reversed by the
# organisation that did them within 10 days; both events stay in the history.
UNDO_WINDOW = timedelta(days=10)
_NEVER_UNDONE = frozenset({WriteOffReason.DESTROYED.value, WriteOffReason.STOLEN.value})
_SELLABLE = frozenset({PackState.ACTIVE})
_ADMINISTRABLE = frozenset({PackState.ACTIVE, PackState.PARTIALLY_DISPENSED})


@dataclass(frozen=True, slots=True)
class Sale:
    """One pack sold, at its price, with the maximum retail price in force that day (None where none is set)."""

    gtin: str
    serial: str
    price: Money
    max_retail_price: Money | None
    event_id: int

    @property
    def above_maximum(self) -> bool:
        return self.max_retail_price is not None and self.price > self.max_retail_price


# A sale a request: the event, its link to the pack and the pack's new state in one statement through the driver
# (db.driver). The pack's update moves the pharmacy's balance (a trigger), and every till selling the same batch
# waits for that row until we commit: it is the last statement before the commit.
_SELL = """WITH event AS (
    INSERT INTO pack_events (biz_step, disposition, occurred_at, organisation_bin, actor, details)
    VALUES ('retail_selling', 'retail_sold', $1, $2, $3, $4::jsonb)
    RETURNING id
), linked AS (
    INSERT INTO pack_event_packs (pack_id, event_id) SELECT $5, id FROM event
), sold AS (
    UPDATE packs SET state = 'DISPENSED', state_changed_at = $1, container_sscc = NULL WHERE id = $5
)
SELECT id FROM event"""
# The same alert as alerts.raise_operation_alert opens, written on the sale's own connection.
_PRICE_ALERT = """INSERT INTO medicine_alerts (kind, status, gtin, serial, pack_id, region, organisation_bin, details,
                            raised_at, updated_at, occurrences)
VALUES ('PRICE_ABOVE_MAXIMUM', 'NEW', $1, $2, $3, (SELECT region::text FROM organisations WHERE bin = $4), $4,
        $5::jsonb, $6, $6, 1)
ON CONFLICT (kind, gtin, serial) WHERE status <> 'CLOSED'
DO UPDATE SET occurrences = medicine_alerts.occurrences + 1, updated_at = excluded.updated_at"""


@codes_named("sales", item="code")
async def sell_packs(
    principal: Principal,
    session: AsyncSession,
    *,
    sales: Sequence[tuple[str, Money]],
    keys: CodeKeys,
    now: datetime,
) -> list[Sale]:
    """A pharmacy sells packs at their prices. A price above the maximum in force is recorded as it was, and the
    regulator alerted: the sale happened, and losing it would hide the overcharge."""
    staff = require_organisation(principal, OrganisationKind.PHARMACY)
    pharmacy = str(staff.organisation_bin)
    for index, (_, price) in enumerate(sales):
        if price.tiyn <= 0:
            raise InvalidMoney(str(price), "a price is more than zero", field=("sales", str(index), "price"))
    scanned = read_codes([code for code, _ in sales], keys, field="sales")
    if scanned.containers:  # one price a code: a sale names packs
        index, _ = scanned.containers[0]
        raise InvalidCode("NOT_A_PACK", "a sale names packs, not boxes", index=index)
    today = local_date(now)
    async with write_offs.alerting_turned_up(session, staff, now=now), driver_transaction(session) as connection:
        goods = await lock_goods(session, scanned, prices_on=today)
        for pack in goods.packs:
            check_movable(pack, pharmacy, "sell", states=_SELLABLE, today=today, allow_inside_box=True)
        by_index = {pack.index: pack for pack in goods.packs}
        done: list[Sale] = []
        for index, (_, price) in enumerate(sales):
            pack = by_index[index]
            maximum = Money(pack.max_price_tiyn) if pack.max_price_tiyn is not None else None
            details = {"price": str(price), "maxRetailPrice": str(maximum) if maximum else None}
            event_id = await connection.fetchval(_SELL, now, pharmacy, staff.user_id, json.dumps(details), pack.id)
            sale = Sale(pack.gtin, pack.serial, price, maximum, event_id)
            if sale.above_maximum:
                details = {"price": str(price), "maxRetailPrice": str(maximum), "event": event_id}
                await connection.execute(
                    _PRICE_ALERT, pack.gtin, pack.serial, pack.id, pharmacy, json.dumps(details), now
                )
            done.append(sale)
    await check_shortages(session, owner_bins=[pharmacy], gtins=watched_gtins(goods.packs), now=now)
    return done


def _is_iin(text: str) -> bool:
    try:
        Iin.parse(text)
    except InvalidIin:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Administration:
    """Units of one pack given to a patient, and what is left in the pack."""

    gtin: str
    serial: str
    units: int
    units_left: int
    event_id: int


_ADMINISTER = text(
    """UPDATE packs SET units_remaining = :left, state = CAST(:state AS pack_state), state_changed_at = :now,
       container_sscc = NULL
 WHERE id = :id"""
)


@codes_named("code", single=True)
async def administer_units(
    principal: Principal,
    session: AsyncSession,
    *,
    code: str,
    units: int,
    patient_record: str,
    keys: CodeKeys,
    now: datetime,
) -> Administration:
    """A hospital gives a patient units of a pack (tablets, ampoules); the pack stays in stock until none are left.

    The patient is named by the hospital's own record number: the history of a pack holds no one's IIN.
    """
    staff = require_organisation(principal, OrganisationKind.HOSPITAL)
    hospital = str(staff.organisation_bin)
    if not patient_record.strip() or len(patient_record) > 64:
        raise MissingValue("a patient record number of up to 64 characters", field=("patient_record",))
    if _is_iin(patient_record.strip()):  # a person's IIN would travel with the pack's history: never
        raise PatientIdentified()
    scanned = read_codes([code], keys, field="code")
    async with write_offs.alerting_turned_up(session, staff, now=now), session.begin():
        [pack] = (await lock_goods(session, scanned)).packs
        check_movable(pack, hospital, "administer", states=_ADMINISTRABLE, today=local_date(now), allow_inside_box=True)
        if not 1 <= units <= pack.units_left:
            raise InvalidQuantity(units, minimum=1, maximum=pack.units_left, field=("units",))
        left = pack.units_left - units
        state = PackState.DISPENSED if left == 0 else PackState.PARTIALLY_DISPENSED
        await session.execute(_ADMINISTER, {"left": left, "state": state.value, "now": now, "id": pack.id})
        event_id = await record_event(
            session,
            biz_step=BusinessStep.DISPENSING,
            disposition="dispensed" if left == 0 else "partially_dispensed",
            pack_ids=[pack.id],
            organisation_bin=hospital,
            actor=staff.user_id,
            now=now,
            details={"units": units, "remaining": left, "patientRecord": patient_record},
        )
    await check_shortages(session, owner_bins=[hospital], gtins=watched_gtins([pack]), now=now)
    return Administration(pack.gtin, pack.serial, units, left, event_id)


_LAST_EVENT = text(
    """SELECT e.id, e.biz_step, e.organisation_bin, e.occurred_at, e.details, e.corrects_id,
       EXISTS (SELECT 1 FROM pack_events c WHERE c.corrects_id = e.id)
  FROM pack_event_packs ep JOIN pack_events e ON e.id = ep.event_id
 WHERE ep.pack_id = :pack
 ORDER BY e.id DESC
 LIMIT 1"""
)
_UNDOABLE_STEPS = frozenset(
    {BusinessStep.RETAIL_SELLING, BusinessStep.DISPENSING, BusinessStep.DECOMMISSIONING, BusinessStep.SHIPPING}
)
_RESTORE = text(
    """UPDATE packs SET state = CAST(:state AS pack_state), units_remaining = :units, write_off_reason = NULL,
       state_changed_at = :now
 WHERE id = :id"""
)


@codes_named("code", single=True)
async def reverse_pack_operation(
    principal: Principal, session: AsyncSession, *, code: str, keys: CodeKeys, now: datetime
) -> int:
    """The organisation takes back its last operation on a pack (a sale, an administration, a write-off, an export)
    within the window; the pack is as it was before, and the reversal is a new event pointing at the old one."""
    staff = require_organisation(principal, *SUPPLY_CHAIN)
    owner = str(staff.organisation_bin)
    scanned = read_codes([code], keys, field="code")
    async with session.begin():
        [pack] = (await lock_goods(session, scanned)).packs
        last = (await session.execute(_LAST_EVENT, {"pack": pack.id})).first()
        if last is None or last[2] != owner or last[5] is not None or last[6]:
            raise NothingToUndo(pack.gtin, pack.serial)
        event_id, step, _, done_at, details, _, _ = last
        step = BusinessStep(step)
        is_export = step is BusinessStep.SHIPPING and pack.state is PackState.EXPORTED
        if step not in _UNDOABLE_STEPS or (step is BusinessStep.SHIPPING and not is_export):
            raise NothingToUndo(pack.gtin, pack.serial)
        if details.get("reason") in _NEVER_UNDONE or now - done_at > UNDO_WINDOW:
            raise UndoWindowClosed(pack.gtin, pack.serial, done_at=local_date(done_at), window_days=UNDO_WINDOW.days)
        units = pack.units_remaining
        state = PackState.ACTIVE
        if step is BusinessStep.DISPENSING:
            units = (pack.units_remaining or 0) + int(details["units"])
            state = PackState.ACTIVE if units >= pack.units_per_pack else PackState.PARTIALLY_DISPENSED
            units = None if units >= pack.units_per_pack else units
        elif step is BusinessStep.DECOMMISSIONING and pack.state is not PackState.WRITTEN_OFF:
            raise NothingToUndo(pack.gtin, pack.serial)
        await session.execute(_RESTORE, {"state": state.value, "units": units, "now": now, "id": pack.id})
        return await record_event(
            session,
            biz_step=step,
            disposition="active" if state is PackState.ACTIVE else "partially_dispensed",
            pack_ids=[pack.id],
            organisation_bin=owner,
            actor=staff.user_id,
            now=now,
            details={"reverses": event_id},
            corrects_id=event_id,
        )
