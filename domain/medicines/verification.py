from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from domain.medicines import datamatrix
from domain.medicines.codes import FormProblem, PackCode, UnreadableCode, parse_pack_code, swapped_case
from domain.medicines.errors import ImageTooLarge, NoCodeFound, NotAnImage
from domain.medicines.keys import CodeKeys
from domain.medicines.models import BatchStatus, PackState, ProductStatus
from domain.shared.access import OrganisationKind
from domain.shared.calendar import local_date
from domain.shared.db import Reads
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
class ProductCard:
    """What the registry says of a product, as a scan shows it."""

    gtin: str
    trade_name: str
    inn: str
    dosage_form: str
    strength: str
    units_per_pack: int
    holder_name: str
    registration_number: str
    status: ProductStatus
    manufacturer_bin: str | None
    importer_bin: str | None


@dataclass(frozen=True, slots=True)
class BatchView:
    number: str
    expiry: date
    status: BatchStatus


@dataclass(frozen=True, slots=True)
class Place:
    """An organisation as a scan shows it: where a pack is, or who made it."""

    bin: str
    name: str
    kind: OrganisationKind
    region: Region


@dataclass(frozen=True, slots=True)
class PackView:
    id: int
    state: PackState


@dataclass(frozen=True, slots=True)
class Verification:
    """A citizen's answer about one scanned code: the verdict and what the registry knows of the pack."""

    verdict: Verdict
    code: PackCode | None = None
    unreadable: UnreadableCode | None = None
    form_problems: tuple[FormProblem, ...] = ()
    product: ProductCard | None = None
    pack: PackView | None = None
    batch: BatchView | None = None
    holder: Place | None = None  # where the pack is now
    manufacturer: Place | None = None
    max_retail_price_tiyn: int | None = None

    @property
    def severity(self) -> Severity:
        return SEVERITY[self.verdict]

    @property
    def notes(self) -> tuple[str, ...]:
        return self.code.notes if self.code is not None else ()


async def verify_pack(reads: Reads, *, text: str, keys: CodeKeys, now: datetime) -> Verification:
    """Whether the pack behind a scanned code is genuine and may be sold, and what the registry knows of it."""
    try:
        code = parse_pack_code(text)
    except UnreadableCode as unreadable:
        return Verification(Verdict.INVALID_CODE, unreadable=unreadable)
    signed = _signed(code, keys)
    if signed is None:
        if code.form_problems and (swapped_case(code) or code).form_problems:
            return await _not_ours(reads, code)
        return Verification(Verdict.INVALID_CODE, code=code)
    found = await _registry_view(reads, signed, local_date(now))
    if found is None:
        return await _not_ours(reads, signed)
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


async def verify_pack_photo(reads: Reads, *, image: bytes, keys: CodeKeys, now: datetime) -> Verification:
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
    return await verify_pack(reads, text=("]d2" if symbol.gs1 else "]d1") + symbol.text, keys=keys, now=now)


def _signed(code: PackCode, keys: CodeKeys) -> PackCode | None:
    """The code whose AI 92 our key confirms: as read, or with letter case swapped (caps lock); else None."""
    if _confirmed(code, keys):
        return code
    swapped = swapped_case(code)  # only now: the swap costs, and a genuine reading never needs it
    return swapped if swapped is not None and _confirmed(swapped, keys) else None


def _confirmed(code: PackCode, keys: CodeKeys) -> bool:
    return (
        code.key_id is not None
        and code.verification_code is not None
        and not code.form_problems
        and keys.verifies(code.key_id, code.gtin, code.serial, code.verification_code)
    )


def _verdict(
    code: PackCode, pack: PackView, product: ProductCard, batch: BatchView | None, holder: Place, today: date
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


_Found = tuple[PackView, ProductCard, BatchView | None, Place, Place | None, int | None]

# The busiest query of the service, written once: one round trip, a prepared statement that asyncpg keeps per
# connection, no transaction (a single read needs none), and rows read as tuples rather than ORM objects; the
# ORM version of this path spent more time building and loading the statement than PostgreSQL spent answering.
_PRODUCT_COLUMNS = """pr.gtin, pr.trade_name, pr.inn, pr.dosage_form, pr.strength, pr.units_per_pack, pr.holder_name,
       pr.registration_number, pr.status, pr.manufacturer_bin, pr.importer_bin,
       m.bin, m.name, m.kind, m.region"""
_PACK_VIEW = f"""
SELECT {_PRODUCT_COLUMNS},
       p.id, p.state, b.number, b.expiry, b.status, h.bin, h.name, h.kind, h.region,
       (SELECT mrp.price_tiyn FROM max_retail_prices mrp
         WHERE mrp.gtin = p.gtin AND mrp.effective_from <= $3 ORDER BY mrp.effective_from DESC LIMIT 1)
  FROM packs p
  JOIN products pr ON pr.gtin = p.gtin
  LEFT JOIN batches b ON b.id = p.batch_id
  JOIN organisations h ON h.bin = p.owner_bin
  LEFT JOIN organisations m ON m.bin = pr.manufacturer_bin
 WHERE p.gtin = $1 AND p.serial = $2
"""
_PRODUCT_VIEW = f"""
SELECT {_PRODUCT_COLUMNS}
  FROM products pr LEFT JOIN organisations m ON m.bin = pr.manufacturer_bin
 WHERE pr.gtin = $1
"""


async def _registry_view(reads: Reads, code: PackCode, today: date) -> _Found | None:
    """The pack with its product, batch, holder, manufacturer and price in force, in one round trip."""
    row = await reads.fetchrow(_PACK_VIEW, code.gtin, code.serial, today)
    if row is None:
        return None
    product, manufacturer = _product(row)
    pack = PackView(row[15], PackState(row[16]))
    batch = BatchView(row[17], row[18], BatchStatus(row[19])) if row[17] is not None else None
    holder = Place(row[20], row[21], OrganisationKind(row[22]), Region(row[23]))
    return pack, product, batch, holder, manufacturer, row[24]


async def _not_ours(reads: Reads, code: PackCode) -> Verification:
    """A code we never issued: the product card still helps the citizen when the GTIN is a registered one."""
    row = await reads.fetchrow(_PRODUCT_VIEW, code.gtin)
    product, manufacturer = _product(row) if row is not None else (None, None)
    return Verification(
        Verdict.UNKNOWN_CODE, code=code, form_problems=code.form_problems, product=product, manufacturer=manufacturer
    )


def _product(row: Any) -> tuple[ProductCard, Place | None]:
    product = ProductCard(
        gtin=row[0],
        trade_name=row[1],
        inn=row[2],
        dosage_form=row[3],
        strength=row[4],
        units_per_pack=row[5],
        holder_name=row[6],
        registration_number=row[7],
        status=ProductStatus(row[8]),
        manufacturer_bin=row[9],
        importer_bin=row[10],
    )
    manufacturer = Place(row[11], row[12], OrganisationKind(row[13]), Region(row[14])) if row[11] else None
    return product, manufacturer


def coarse_region(value: str | None) -> Region | None:
    """A region code the app sent, or None: verifications keep nothing finer than the region."""
    if value is None:
        return None
    try:
        return Region(value)
    except ValueError:
        return None
