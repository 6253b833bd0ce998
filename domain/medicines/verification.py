from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.medicines import datamatrix
from domain.medicines.codes import FormProblem, PackCode, UnreadableCode, parse_pack_code, swapped_case
from domain.medicines.errors import ImageTooLarge, NoCodeFound, NotAnImage
from domain.medicines.keys import CodeKeys
from domain.medicines.models import Batch, BatchStatus, MaxRetailPrice, Pack, PackState, Product, ProductStatus
from domain.shared.access import OrganisationKind
from domain.shared.calendar import local_date
from domain.shared.organisations import Organisation
from domain.shared.regions import Region


class Verdict(StrEnum):
    GENUINE = "GENUINE"
    NOT_RELEASED = "NOT_RELEASED"  # still with the manufacturer or a wholesaler, or in transit
    ALREADY_DISPENSED = "ALREADY_DISPENSED"
    EXPIRED = "EXPIRED"
    UNKNOWN_CODE = "UNKNOWN_CODE"  # never issued: suspected counterfeit
    INVALID_CODE = "INVALID_CODE"  # malformed, or its verification code does not match
    MISMATCH = "MISMATCH"  # batch or expiry printed in the code differ from the registry
    RECALLED = "RECALLED"
    WITHDRAWN = "WITHDRAWN"  # the product's registration is withdrawn
    WRITTEN_OFF = "WRITTEN_OFF"  # written off, or exported


class Severity(StrEnum):
    """medicines.md: green is genuine, grey asks for caution, red says do not use."""

    GREEN = "GREEN"
    GREY = "GREY"
    RED = "RED"


SEVERITY = {
    Verdict.GENUINE: Severity.GREEN,
    Verdict.NOT_RELEASED: Severity.GREY,
    Verdict.ALREADY_DISPENSED: Severity.GREY,
    Verdict.EXPIRED: Severity.GREY,
    Verdict.UNKNOWN_CODE: Severity.RED,
    Verdict.INVALID_CODE: Severity.RED,
    Verdict.MISMATCH: Severity.RED,
    Verdict.RECALLED: Severity.RED,
    Verdict.WITHDRAWN: Severity.RED,
    Verdict.WRITTEN_OFF: Severity.RED,
}
_AT_RETAIL = (OrganisationKind.PHARMACY, OrganisationKind.HOSPITAL)


@dataclass(frozen=True, slots=True)
class Verification:
    """A citizen's answer about one scanned code: the verdict and what the registry knows of the pack."""

    verdict: Verdict
    code: PackCode | None = None
    unreadable: UnreadableCode | None = None
    form_problems: tuple[FormProblem, ...] = ()
    product: Product | None = None
    pack: Pack | None = None
    batch: Batch | None = None
    holder: Organisation | None = None  # where the pack is now
    manufacturer: Organisation | None = None
    max_retail_price_tiyn: int | None = None

    @property
    def severity(self) -> Severity:
        return SEVERITY[self.verdict]

    @property
    def notes(self) -> tuple[str, ...]:
        return self.code.notes if self.code is not None else ()


async def verify_pack(session: AsyncSession, *, text: str, keys: CodeKeys, now: datetime) -> Verification:
    """Whether the pack behind a scanned code is genuine and may be sold, and what the registry knows of it."""
    try:
        code = parse_pack_code(text)
    except UnreadableCode as unreadable:
        return Verification(Verdict.INVALID_CODE, unreadable=unreadable)
    signed = _signed(code, keys)
    if signed is None:
        if code.form_problems and (swapped_case(code) or code).form_problems:
            return await _not_ours(session, code)
        return Verification(Verdict.INVALID_CODE, code=code)
    found = await _registry_view(session, signed, local_date(now))
    if found is None:
        return await _not_ours(session, signed)
    pack, product, batch, holder, manufacturer, price = found
    return Verification(
        _verdict(signed, pack, product, batch, holder, local_date(now)),
        code=signed,
        product=product,
        pack=pack,
        batch=batch,
        holder=holder,
        manufacturer=manufacturer,
        max_retail_price_tiyn=price,
    )


MAX_PHOTO_PIXELS = 40_000_000  # a 48-megapixel phone photo is refused; every phone can send a smaller one
PHOTO_DECODE_MS = 1500  # medicines.md, "Photos": decoding has a budget of about 1.5 s


async def verify_pack_photo(session: AsyncSession, *, image: bytes, keys: CodeKeys, now: datetime) -> Verification:
    """The verdict for the Data Matrix in a photo of a pack; decoding runs off the event loop, within a budget."""
    try:
        symbols = await asyncio.to_thread(
            datamatrix.decode, image, timeout_ms=PHOTO_DECODE_MS, max_pixels=MAX_PHOTO_PIXELS
        )
    except datamatrix.NotAnImage:
        raise NotAnImage() from None
    except datamatrix.ImageTooLarge:
        raise ImageTooLarge(MAX_PHOTO_PIXELS // 1_000_000) from None
    except datamatrix.NoCodeFound:
        raise NoCodeFound() from None
    symbol = symbols[0]
    # A symbol without FNC1 first is a plain Data Matrix; the parser refuses `]d1` as not GS1, as a scanner would.
    return await verify_pack(session, text=("]d2" if symbol.gs1 else "]d1") + symbol.text, keys=keys, now=now)


def _signed(code: PackCode, keys: CodeKeys) -> PackCode | None:
    """The code whose AI 92 our key confirms: as read, or with letter case swapped (caps lock); else None."""
    for candidate in (code, swapped_case(code)):
        if (
            candidate is not None
            and not candidate.form_problems
            and keys.verifies(
                candidate.key_id or "", candidate.gtin, candidate.serial, candidate.verification_code or ""
            )
        ):
            return candidate
    return None


def _verdict(
    code: PackCode, pack: Pack, product: Product, batch: Batch | None, holder: Organisation, today: date
) -> Verdict:
    # Red before grey: a recalled pack that is also expired must read as recalled.
    if product.status is ProductStatus.WITHDRAWN:
        return Verdict.WITHDRAWN
    if batch is not None and batch.status is BatchStatus.RECALLED:
        return Verdict.RECALLED
    if pack.state in (PackState.WRITTEN_OFF, PackState.EXPORTED):
        return Verdict.WRITTEN_OFF
    if batch is not None and (
        (code.batch is not None and code.batch != batch.number)
        or (code.expiry is not None and code.expiry != batch.expiry)
    ):
        return Verdict.MISMATCH
    if pack.state in (PackState.DISPENSED, PackState.PARTIALLY_DISPENSED):
        return Verdict.ALREADY_DISPENSED
    if batch is not None and batch.expiry < today:
        return Verdict.EXPIRED
    if pack.state is not PackState.ACTIVE or holder.kind not in _AT_RETAIL:
        return Verdict.NOT_RELEASED
    return Verdict.GENUINE


_Found = tuple[Pack, Product, Batch | None, Organisation, Organisation | None, int | None]


async def _registry_view(session: AsyncSession, code: PackCode, today: date) -> _Found | None:
    """The pack with its product, batch, holder, manufacturer and price in force, in one round trip."""
    maker = aliased(Organisation)
    price = (
        select(MaxRetailPrice.price_tiyn)
        .where(MaxRetailPrice.gtin == Pack.gtin, MaxRetailPrice.effective_from <= today)
        .order_by(MaxRetailPrice.effective_from.desc())
        .limit(1)
        .correlate(Pack)
        .scalar_subquery()
    )
    row: Row[_Found] | None = (
        await session.execute(
            select(Pack, Product, Batch, Organisation, maker, price)
            .join(Product, Product.gtin == Pack.gtin)
            .outerjoin(Batch, Batch.id == Pack.batch_id)
            .join(Organisation, Organisation.bin == Pack.owner_bin)
            .outerjoin(maker, maker.bin == Product.manufacturer_bin)
            .where(Pack.gtin == code.gtin, Pack.serial == code.serial)
        )
    ).first()
    return tuple(row) if row is not None else None  # type: ignore[return-value]  # the row is the tuple


async def _not_ours(session: AsyncSession, code: PackCode) -> Verification:
    """A code we never issued: the product card still helps the citizen when the GTIN is a registered one."""
    product = await session.get(Product, code.gtin)
    return Verification(Verdict.UNKNOWN_CODE, code=code, form_problems=code.form_problems, product=product)


def coarse_region(value: str | None) -> Region | None:
    """A region code the app sent, or None: verifications keep nothing finer than the region."""
    if value is None:
        return None
    try:
        return Region(value)
    except ValueError:
        return None
