from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.medicines.errors import (
    BatchMismatch,
    BatchRecalled,
    DuplicateCode,
    InvalidBatch,
    InvalidCustomsEntry,
    InvalidQuantity,
    InvalidTransition,
    NotOwner,
    PackExpired,
    PackNotFound,
    ProductWithdrawn,
    UnknownGtin,
)
from domain.medicines.issuing import MAX_CODES_PER_ORDER
from domain.medicines.models import (
    Batch,
    BatchStatus,
    BusinessStep,
    Pack,
    PackEvent,
    PackState,
    Product,
    ProductStatus,
    pack_event_packs,
)
from domain.shared.access import OrganisationKind, Principal, require_organisation
from domain.shared.calendar import local_date
from domain.shared.countries import is_country
from domain.shared.errors import Forbidden

# AI 10: up to 20 characters of GS1's character set 82; we leave out the few that collide with the text forms.
_BATCH_NUMBER = re.compile(r"[A-Za-z0-9!\"&'*,\-./:;=?_]{1,20}")


@dataclass(frozen=True, slots=True)
class BatchDetails:
    number: str
    expiry: date
    produced_on: date


async def commission_packs(
    principal: Principal,
    session: AsyncSession,
    *,
    gtin: str,
    serials: Sequence[str],
    batch: BatchDetails,
    now: datetime,
    customs: CustomsEntry | None = None,
) -> PackEvent:
    """The manufacturer or importer attaches batch and dates to issued codes: from now on they are packs it owns.

    Packs made abroad enter the same way, by their importer, once cleared through customs (`customs`)."""
    kinds = (OrganisationKind.IMPORTER,) if customs else (OrganisationKind.MANUFACTURER, OrganisationKind.IMPORTER)
    staff = require_organisation(principal, *kinds)
    if customs is not None:
        customs.check()
    owner = str(staff.organisation_bin)
    _check_serials(serials)
    _check_batch(batch, today=local_date(now))
    async with session.begin():
        product = await session.get(Product, gtin)
        if product is None:
            raise UnknownGtin(gtin)
        if not product.may_be_coded_by(owner):
            raise Forbidden("commission another organisation's product")
        if product.status is not ProductStatus.REGISTERED:
            raise ProductWithdrawn(gtin, product.status.value)
        batch_id = await _batch_id(session, gtin, batch)
        commissioned = list(
            await session.execute(
                update(Pack)
                .where(
                    Pack.gtin == gtin,
                    Pack.serial.in_(serials),
                    Pack.state == PackState.ISSUED,
                    Pack.owner_bin == owner,
                )
                .values(state=PackState.ACTIVE, batch_id=batch_id, state_changed_at=now)
                .returning(Pack.id, Pack.serial)
            )
        )
        if len(commissioned) != len(serials):
            await _explain_refusal(session, gtin, serials, {serial for _, serial in commissioned}, owner)
        event = PackEvent(
            biz_step=BusinessStep.COMMISSIONING,
            disposition="active",
            occurred_at=now,
            organisation_bin=owner,
            actor=staff.user_id,
            details={
                "gtin": gtin,
                "batch": batch.number,
                "expiry": batch.expiry.isoformat(),
                "producedOn": batch.produced_on.isoformat(),
                "count": len(serials),
                **(customs.details() if customs else {}),
            },
        )
        session.add(event)
        await session.flush()
        await session.execute(
            insert(pack_event_packs), [{"event_id": event.id, "pack_id": pack_id} for pack_id, _ in commissioned]
        )
    return event


# A customs declaration number as the EAEU's declarations carry it (e.g. 10005020/261126/0012345): digits,
# slashes and letters, at most 40; the country of origin as ISO 3166-1 alpha-2.
DECLARATION_NUMBER = re.compile(r"[0-9A-Za-z/\-]{1,40}")


@dataclass(frozen=True, slots=True)
class CustomsEntry:
    """How imported packs entered the country: the customs declaration and where they were made."""

    declaration: str
    country_of_origin: str

    def check(self) -> None:
        if not DECLARATION_NUMBER.fullmatch(self.declaration):
            raise InvalidCustomsEntry("a declaration number is 1 to 40 letters, digits, / or -", field="declaration")
        if not is_country(self.country_of_origin) or self.country_of_origin == "KZ":
            raise InvalidCustomsEntry("another country's ISO code, e.g. DE", field="country_of_origin")

    def details(self) -> dict[str, str]:
        return {"customsDeclaration": self.declaration, "countryOfOrigin": self.country_of_origin}


def _check_serials(serials: Sequence[str]) -> None:
    if not 1 <= len(serials) <= MAX_CODES_PER_ORDER:
        raise InvalidQuantity(len(serials), minimum=1, maximum=MAX_CODES_PER_ORDER, field=("serials",))
    seen: set[str] = set()
    for index, serial in enumerate(serials):
        if serial in seen:
            raise DuplicateCode(serial, index=index)
        seen.add(serial)


def _check_batch(batch: BatchDetails, *, today: date) -> None:
    if not _BATCH_NUMBER.fullmatch(batch.number):
        raise InvalidBatch("a batch number is 1 to 20 letters, digits or GS1 punctuation", field="batch")
    if batch.produced_on > today:
        raise InvalidBatch("a batch cannot be produced in the future", field="produced_on")
    if batch.expiry <= batch.produced_on:
        raise InvalidBatch("a batch expires after it is produced", field="expiry")
    if batch.expiry <= today:
        raise PackExpired(batch.expiry)


async def _batch_id(session: AsyncSession, gtin: str, batch: BatchDetails) -> int:
    """The batch's row, created on its first commissioning; a batch number keeps the dates it was first given."""
    await session.execute(
        upsert(Batch)
        .values(
            gtin=gtin,
            number=batch.number,
            expiry=batch.expiry,
            produced_on=batch.produced_on,
            status=BatchStatus.RELEASED,
        )
        .on_conflict_do_nothing(index_elements=["gtin", "number"])
    )
    row = await session.scalar(
        select(Batch).where(Batch.gtin == gtin, Batch.number == batch.number).with_for_update(read=True)
    )
    assert row is not None
    if (row.expiry, row.produced_on) != (batch.expiry, batch.produced_on):
        raise BatchMismatch(gtin, batch.number)
    if row.status is BatchStatus.RECALLED:
        raise BatchRecalled(gtin, batch.number)
    return row.id


async def _explain_refusal(
    session: AsyncSession, gtin: str, serials: Sequence[str], done: set[str], owner: str
) -> None:
    """Raise the error of the first pack that could not be commissioned (the whole operation is then undone)."""
    index, serial = next((i, s) for i, s in enumerate(serials) if s not in done)
    pack = await session.scalar(select(Pack).where(Pack.gtin == gtin, Pack.serial == serial))
    field = ("serials", str(index))
    if pack is None:
        raise PackNotFound(gtin, serial, field=field)
    if pack.owner_bin != owner:
        raise NotOwner(gtin, serial, field=field)
    raise InvalidTransition(gtin, serial, pack.state.value, "commission", field=field)
