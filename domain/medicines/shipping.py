from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ARRAY, BigInteger, String, bindparam, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.medicines import write_offs
from domain.medicines.alerts import raise_operation_alert
from domain.medicines.codes import PackCode
from domain.medicines.errors import (
    ContainerNotFound,
    InvalidReceiver,
    InvalidTransition,
    ShipmentNotOpen,
    UnknownOrganisation,
)
from domain.medicines.keys import CodeKeys
from domain.medicines.models import AlertKind, BusinessStep, Pack, PackState, Shipment, ShipmentStatus
from domain.medicines.packs import (
    SUPPLY_CHAIN,
    LockedGoods,
    ScannedCodes,
    check_movable,
    lock_goods,
    read_codes,
    record_event,
)
from domain.shared.access import AuthorityKind, AuthorityUser, OrganisationUser, Principal, require_organisation
from domain.shared.calendar import local_date
from domain.shared.errors import NotFound, TextTooLong
from domain.shared.organisations import Organisation

_SHIPPABLE = frozenset({PackState.ACTIVE})
MAX_DOCUMENT_LENGTH = 100  # the sender's waybill number, as stored
# A discrepancy alert lists this many codes of each kind; the counts are always whole.
_LISTED = 100


async def ship_packs(
    principal: Principal,
    session: AsyncSession,
    *,
    receiver_bin: str,
    codes: Sequence[str],
    document: str | None,
    keys: CodeKeys,
    now: datetime,
) -> Shipment:
    """The owner sends packs (or boxes and pallets, as their contents) to another organisation: they are in transit."""
    staff = require_organisation(principal, *SUPPLY_CHAIN)
    sender = str(staff.organisation_bin)
    if document is not None and len(document) > MAX_DOCUMENT_LENGTH:
        raise TextTooLong(len(document), MAX_DOCUMENT_LENGTH, field=("document",))
    scanned = read_codes(codes, keys)
    async with write_offs.alerting_turned_up(session, staff, now=now), session.begin():
        receiver = await session.get(Organisation, receiver_bin)
        if receiver is None:
            raise UnknownOrganisation(receiver_bin)
        if receiver.bin == sender:
            raise InvalidReceiver(receiver_bin, "it is the sender")
        if receiver.kind not in SUPPLY_CHAIN:
            raise InvalidReceiver(receiver_bin, "it does not handle medicines")
        goods = await lock_goods(session, scanned)
        _check_boxes(goods, sender)
        today = local_date(now)
        for pack in goods.packs:
            check_movable(pack, sender, "ship", states=_SHIPPABLE, today=today)
        shipment = Shipment(
            sender_bin=sender,
            receiver_bin=receiver_bin,
            status=ShipmentStatus.IN_TRANSIT,
            document=document,
            packs=len(goods.packs),
            shipped_at=now,
            shipped_by=staff.user_id,
        )
        session.add(shipment)
        await session.flush()
        ids = [pack.id for pack in goods.packs]
        await session.execute(
            update(Pack)
            .where(Pack.id.in_(ids))
            .values(state=PackState.IN_TRANSIT, shipment_id=shipment.id, state_changed_at=now)
            .execution_options(synchronize_session=False)
        )
        await record_event(
            session,
            biz_step=BusinessStep.SHIPPING,
            disposition="in_transit",
            pack_ids=ids,
            organisation_bin=sender,
            actor=staff.user_id,
            now=now,
            details={
                "shipment": shipment.id,
                "sender": sender,
                "receiver": receiver_bin,
                "document": document,
                "containers": sorted(goods.container_owners),
            },
        )
    return shipment


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a receiver accepted of a shipment, and how it differed from what was sent."""

    shipment: Shipment
    received: int
    missing: int
    extra: int
    foreign: int

    @property
    def has_discrepancy(self) -> bool:
        return bool(self.missing or self.extra or self.foreign)


_IN_SHIPMENT = text(
    "SELECT id, gtin, serial, container_sscc FROM packs WHERE shipment_id = :shipment AND state = 'IN_TRANSIT' "
    "ORDER BY id FOR UPDATE"
)
_KNOWN = text(
    """SELECT c.gtin, c.serial, p.id, p.state FROM unnest(:gtins, :serials) AS c(gtin, serial)
  JOIN packs p ON p.gtin = c.gtin AND p.serial = c.serial"""
).bindparams(bindparam("gtins", type_=ARRAY(String)), bindparam("serials", type_=ARRAY(String)))
_RECEIVE = text(
    """UPDATE packs SET state = 'ACTIVE', owner_bin = :receiver, state_changed_at = :now
 WHERE id = ANY(:ids)"""
).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))
_CONTAINERS_RECEIVED = text(
    """WITH RECURSIVE up(sscc) AS (
    SELECT DISTINCT container_sscc FROM packs WHERE id = ANY(:ids) AND container_sscc IS NOT NULL
    UNION SELECT c.parent_sscc FROM containers c JOIN up ON c.sscc = up.sscc WHERE c.parent_sscc IS NOT NULL
)
UPDATE containers SET owner_bin = :receiver WHERE sscc IN (SELECT sscc FROM up)"""
).bindparams(bindparam("ids", type_=ARRAY(BigInteger)))


async def receive_shipment(
    principal: Principal,
    session: AsyncSession,
    *,
    shipment_id: int,
    codes: Sequence[str] | None,
    keys: CodeKeys,
    now: datetime,
) -> Receipt:
    """The receiver accepts all of a shipment (no codes) or what it scanned; ownership moves for what arrived.

    What was sent and not scanned stays in transit, codes scanned that were not sent are left where they are, and
    either difference is a discrepancy alert for the regulator: the receipt itself always goes through.
    """
    staff = require_organisation(principal, *SUPPLY_CHAIN)
    receiver = str(staff.organisation_bin)
    scanned = read_codes(codes, keys) if codes is not None else None
    async with session.begin():
        shipment = await session.scalar(select(Shipment).where(Shipment.id == shipment_id).with_for_update())
        if shipment is None or receiver not in (shipment.receiver_bin, shipment.sender_bin):
            raise NotFound("shipment", shipment_id, field=("shipment_id",))
        if shipment.receiver_bin != receiver:
            raise NotFound("shipment", shipment_id, field=("shipment_id",))  # the sender cannot receive its own
        if shipment.status is not ShipmentStatus.IN_TRANSIT:
            raise ShipmentNotOpen(shipment_id, shipment.status.value)
        sent = [tuple(row) for row in await session.execute(_IN_SHIPMENT, {"shipment": shipment_id})]
        received_ids, extra, foreign = await _match(session, sent, scanned)
        if received_ids:
            await session.execute(_RECEIVE, {"receiver": receiver, "now": now, "ids": received_ids})
            await session.execute(_CONTAINERS_RECEIVED, {"receiver": receiver, "ids": received_ids})
            await record_event(
                session,
                biz_step=BusinessStep.RECEIVING,
                disposition="in_progress",
                pack_ids=received_ids,
                organisation_bin=receiver,
                actor=staff.user_id,
                now=now,
                details={"shipment": shipment_id, "sender": shipment.sender_bin, "receiver": receiver},
            )
        received = set(received_ids)
        missing = [f"{gtin}/{serial}" for pack_id, gtin, serial, _ in sent if pack_id not in received]
        shipment.status = ShipmentStatus.RECEIVED
        shipment.received = len(received_ids)
        shipment.closed_at, shipment.closed_by = now, staff.user_id
        receipt = Receipt(shipment, len(received_ids), len(missing), len(extra), len(foreign))
        if receipt.has_discrepancy:
            await raise_operation_alert(
                session,
                AlertKind.SHIPMENT_DISCREPANCY,
                now=now,
                shipment_id=shipment_id,
                organisation_bin=receiver,
                details={
                    "sender": shipment.sender_bin,
                    "receiver": receiver,
                    "sent": shipment.packs,
                    "received": len(received_ids),
                    "missing": len(missing),
                    "extra": len(extra),
                    "foreign": len(foreign),
                    "missingCodes": missing[:_LISTED],
                    "extraCodes": [name for name, _ in extra][:_LISTED],
                    "foreignCodes": foreign[:_LISTED],
                },
            )
        for name, written_off_id in extra:
            if written_off_id is not None:  # a written-off pack turned up in a delivery: a false write-off
                gtin, serial = name.split("/", 1)
                await write_offs.alert_turned_up(session, staff, gtin, serial, written_off_id, "receive", now=now)
    return receipt


async def _match(
    session: AsyncSession, sent: list[tuple[int, str, str, str | None]], scanned: ScannedCodes | None
) -> tuple[list[int], list[tuple[str, int | None]], list[str]]:
    """(ids received, extra packs as (name, id if written off), foreign codes) of a receipt."""
    if scanned is None:
        return [pack_id for pack_id, *_ in sent], [], []
    by_code = {(gtin, serial): pack_id for pack_id, gtin, serial, _ in sent}
    by_box: dict[str, list[int]] = {}
    for pack_id, _, _, sscc in sent:
        if sscc is not None:
            by_box.setdefault(sscc, []).append(pack_id)
    received: list[int] = []
    unmatched: list[PackCode] = []
    for _, code in scanned.packs:
        sent_id = by_code.get((code.gtin, code.serial))
        if sent_id is None:
            unmatched.append(code)
        else:
            received.append(sent_id)
    foreign: list[str] = []
    boxes = await _boxes_of(session, [sscc for _, sscc in scanned.containers])
    for _, sscc in scanned.containers:
        inside = [pack_id for box in boxes.get(sscc, ()) for pack_id in by_box.get(box, ())]
        if inside:
            received.extend(inside)
        else:
            foreign.append(sscc)
    extra: list[tuple[str, int | None]] = []
    if unmatched:
        known = {
            (gtin, serial): (pack_id, PackState(state))
            for gtin, serial, pack_id, state in await session.execute(
                _KNOWN, {"gtins": [c.gtin for c in unmatched], "serials": [c.serial for c in unmatched]}
            )
        }
        for code in unmatched:
            found = known.get((code.gtin, code.serial))
            if found is None:
                foreign.append(f"{code.gtin}/{code.serial}")
            else:
                pack_id, state = found
                extra.append((f"{code.gtin}/{code.serial}", pack_id if state is PackState.WRITTEN_OFF else None))
    return sorted(set(received)), extra, foreign


_BOX_TREE = text(
    """WITH RECURSIVE tree(sscc, root) AS (
    SELECT sscc, sscc FROM containers WHERE sscc = ANY(:ssccs)
    UNION ALL SELECT c.sscc, tree.root FROM containers c JOIN tree ON c.parent_sscc = tree.sscc
)
SELECT sscc, root FROM tree"""
).bindparams(bindparam("ssccs", type_=ARRAY(String)))


async def _boxes_of(session: AsyncSession, ssccs: list[str]) -> dict[str, list[str]]:
    if not ssccs:
        return {}
    tree: dict[str, list[str]] = {}
    for sscc, root in await session.execute(_BOX_TREE, {"ssccs": ssccs}):
        tree.setdefault(root, []).append(sscc)
    return tree


async def cancel_shipment(principal: Principal, session: AsyncSession, *, shipment_id: int, now: datetime) -> Shipment:
    """The sender calls a shipment back before it is received: its packs are in the sender's stock again."""
    staff = require_organisation(principal, *SUPPLY_CHAIN)
    sender = str(staff.organisation_bin)
    async with session.begin():
        shipment = await session.scalar(select(Shipment).where(Shipment.id == shipment_id).with_for_update())
        if shipment is None or sender not in (shipment.sender_bin, shipment.receiver_bin):
            raise NotFound("shipment", shipment_id, field=("shipment_id",))
        if shipment.sender_bin != sender:
            raise InvalidTransition("shipment", str(shipment_id), "ADDRESSED_TO_YOU", "cancel", field=("shipment_id",))
        if shipment.status is not ShipmentStatus.IN_TRANSIT:
            raise ShipmentNotOpen(shipment_id, shipment.status.value)
        ids = list(
            await session.scalars(
                update(Pack)
                .where(Pack.shipment_id == shipment_id, Pack.state == PackState.IN_TRANSIT)
                .values(state=PackState.ACTIVE, state_changed_at=now)
                .returning(Pack.id)
                .execution_options(synchronize_session=False)
            )
        )
        shipment.status = ShipmentStatus.CANCELLED
        shipment.closed_at, shipment.closed_by = now, staff.user_id
        await record_event(
            session,
            biz_step=BusinessStep.VOID_SHIPPING,
            disposition="active",
            pack_ids=ids,
            organisation_bin=sender,
            actor=staff.user_id,
            now=now,
            details={"shipment": shipment_id, "sender": sender, "receiver": shipment.receiver_bin},
        )
    return shipment


def _check_boxes(goods: LockedGoods, owner: str) -> None:
    for sscc, holder in goods.container_owners.items():
        if holder != owner:
            raise ContainerNotFound(sscc)


async def shipments_page(
    principal: Principal,
    session: AsyncSession,
    *,
    incoming: bool,
    status: ShipmentStatus | None,
    before_id: int | None,
    size: int,
) -> tuple[list[Shipment], bool]:
    """An organisation's shipments, sent or to receive, newest first; and whether more follow."""
    staff: OrganisationUser = require_organisation(principal, *SUPPLY_CHAIN)
    side = Shipment.receiver_bin if incoming else Shipment.sender_bin
    query = select(Shipment).where(side == str(staff.organisation_bin)).order_by(Shipment.id.desc()).limit(size + 1)
    if status is not None:
        query = query.where(Shipment.status == status)
    if before_id is not None:
        query = query.where(Shipment.id < before_id)
    rows = list(await session.scalars(query))
    return rows[:size], len(rows) > size


async def shipments_by_id(principal: Principal, session: AsyncSession, ids: Sequence[int]) -> list[Shipment | None]:
    """One answer per id, in order: the shipment if the caller sent or receives it (or is the regulator)."""
    rows = {s.id: s for s in await session.scalars(select(Shipment).where(Shipment.id.in_(ids)))}

    def visible(shipment: Shipment | None) -> Shipment | None:
        if shipment is None:
            return None
        if isinstance(principal, AuthorityUser) and principal.authority is AuthorityKind.MEDICINES_REGULATOR:
            return shipment
        if isinstance(principal, OrganisationUser) and str(principal.organisation_bin) in (
            shipment.sender_bin,
            shipment.receiver_bin,
        ):
            return shipment
        return None  # another's shipment reads as absent

    return [visible(rows.get(shipment_id)) for shipment_id in ids]
