from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.medicines.errors import PriceHistoryFixed, ProductExists, ProductWithdrawn, UnknownGtin
from domain.medicines.models import MaxRetailPrice, Product, ProductStatus
from domain.shared.access import AuthorityKind, OrganisationKind, Principal, require_authority
from domain.shared.calendar import local_date
from domain.shared.errors import NotFound
from domain.shared.money import Money
from domain.shared.organisations import Organisation


@dataclass(frozen=True, slots=True)
class ProductCard:
    """What the regulator registers about a product."""

    gtin: str
    trade_name: str
    inn: str
    dosage_form: str
    strength: str
    units_per_pack: int
    holder_name: str
    registration_number: str
    manufacturer_bin: str | None
    importer_bin: str | None


async def register_product(principal: Principal, session: AsyncSession, *, card: ProductCard, now: datetime) -> Product:
    """The regulator enters a product into the registry; its GTIN and registration number are unique."""
    require_authority(principal, AuthorityKind.MEDICINES_REGULATOR)
    async with session.begin():
        await _require_organisation(session, card.manufacturer_bin, OrganisationKind.MANUFACTURER, "manufacturer_bin")
        await _require_organisation(session, card.importer_bin, OrganisationKind.IMPORTER, "importer_bin")
        clash = await session.scalar(
            select(Product).where(
                or_(Product.gtin == card.gtin, Product.registration_number == card.registration_number)
            )
        )
        if clash is not None:
            if clash.gtin == card.gtin:
                raise ProductExists("gtin", card.gtin)
            raise ProductExists("registration_number", card.registration_number)
        product = Product(
            **{field: getattr(card, field) for field in ProductCard.__dataclass_fields__},
            status=ProductStatus.REGISTERED,
            registered_at=now,
            status_changed_at=now,
        )
        session.add(product)
    return product


async def change_product_status(
    principal: Principal, session: AsyncSession, *, gtin: str, status: ProductStatus, now: datetime
) -> Product:
    """The regulator suspends, reinstates or withdraws a product; a withdrawal is final."""
    require_authority(principal, AuthorityKind.MEDICINES_REGULATOR)
    async with session.begin():
        product = await session.get(Product, gtin, with_for_update=True)
        if product is None:
            raise UnknownGtin(gtin)
        if product.status is ProductStatus.WITHDRAWN and status is not ProductStatus.WITHDRAWN:
            raise ProductWithdrawn(gtin, product.status.value)
        if product.status is not status:
            product.status, product.status_changed_at = status, now
    return product


async def set_max_retail_price(
    principal: Principal, session: AsyncSession, *, gtin: str, price: Money, effective_from: date, now: datetime
) -> MaxRetailPrice:
    """The regulator sets the maximum retail price from a day that has not begun yet; history is never rewritten."""
    official = require_authority(principal, AuthorityKind.MEDICINES_REGULATOR)
    async with session.begin():
        product = await session.get(Product, gtin)
        if product is None:
            raise UnknownGtin(gtin)
        if effective_from <= local_date(now):
            raise PriceHistoryFixed(gtin, effective_from, "that day has begun; prices take effect from tomorrow on")
        taken = await session.scalar(
            select(MaxRetailPrice.id).where(
                MaxRetailPrice.gtin == gtin, MaxRetailPrice.effective_from == effective_from
            )
        )
        if taken is not None:
            raise PriceHistoryFixed(gtin, effective_from, "a price is already set for that day")
        row = MaxRetailPrice(
            gtin=gtin, price_tiyn=price.tiyn, effective_from=effective_from, set_at=now, set_by=official.user_id
        )
        session.add(row)
    return row


async def products_by_gtin(session: AsyncSession, gtins: Sequence[str]) -> list[Product | None]:
    """One answer per GTIN asked for, in the same order; None where the GTIN is unknown."""
    rows = await session.scalars(select(Product).where(Product.gtin.in_(gtins)))
    found = {product.gtin: product for product in rows}
    return [found.get(gtin) for gtin in gtins]


async def prices_in_force(session: AsyncSession, keys: Sequence[tuple[str, date]]) -> list[MaxRetailPrice | None]:
    """For each (GTIN, day) the maximum retail price in force that day, in the order asked; None where unset."""
    if not keys:
        return []
    # A product's price changes at most twice a year: reading its few rows beats a lateral join per key.
    rows = await session.scalars(
        select(MaxRetailPrice)
        .where(
            MaxRetailPrice.gtin.in_({gtin for gtin, _ in keys}),
            MaxRetailPrice.effective_from <= max(day for _, day in keys),
        )
        .order_by(MaxRetailPrice.effective_from.desc())
    )
    history: dict[str, list[MaxRetailPrice]] = {}
    for row in rows:
        history.setdefault(row.gtin, []).append(row)
    return [next((p for p in history.get(gtin, ()) if p.effective_from <= day), None) for gtin, day in keys]


async def price_histories(session: AsyncSession, gtins: Sequence[str]) -> list[list[MaxRetailPrice]]:
    """For each GTIN asked for, every maximum retail price of the product, newest first."""
    rows = await session.scalars(
        select(MaxRetailPrice)
        .where(MaxRetailPrice.gtin.in_(gtins))
        .order_by(MaxRetailPrice.gtin, MaxRetailPrice.effective_from.desc())
    )
    history: dict[str, list[MaxRetailPrice]] = {}
    for row in rows:
        history.setdefault(row.gtin, []).append(row)
    return [history.get(gtin, []) for gtin in gtins]


async def products_page(
    session: AsyncSession, *, after: str | None, size: int, search: str | None = None
) -> tuple[list[Product], bool]:
    """A page of the registry in GTIN order after `after`, optionally matching a name; and whether more follow."""
    query = select(Product).order_by(Product.gtin).limit(size + 1)
    if after is not None:
        query = query.where(Product.gtin > after)
    if search:
        query = query.where(
            or_(Product.trade_name.icontains(search, autoescape=True), Product.inn.icontains(search, autoescape=True))
        )
    rows = list(await session.scalars(query))
    return rows[:size], len(rows) > size


async def _require_organisation(session: AsyncSession, bin_: str | None, kind: OrganisationKind, field: str) -> None:
    if bin_ is None:
        return
    organisation = await session.get(Organisation, bin_)
    if organisation is None or organisation.kind is not kind:
        raise NotFound(kind.value.lower(), bin_, field=(field,))
