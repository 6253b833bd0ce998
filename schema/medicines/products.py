from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import strawberry
from strawberry import relay

from domain.medicines import models
from domain.medicines.gtin import Gtin
from domain.medicines.models import ProductStatus
from domain.medicines.verification import ProductCard
from domain.shared.calendar import local_date
from domain.shared.money import Money
from schema.context import Context
from schema.organisations import Organisation, organisation_by_bin

strawberry.enum(ProductStatus, name="ProductStatus")


@strawberry.type(description="A maximum retail price set by the state, in force from a day on.")
class MaxRetailPrice:
    price: Money
    effective_from: date
    set_at: datetime

    @classmethod
    def from_domain(cls, row: models.MaxRetailPrice) -> MaxRetailPrice:
        return cls(price=Money(row.price_tiyn), effective_from=row.effective_from, set_at=row.set_at)


@strawberry.type(description="A medicinal product in the state registry.")
class Product(relay.Node):
    key: relay.NodeID[str]
    gtin: Gtin
    trade_name: str
    inn: str = strawberry.field(description="International non-proprietary name: the active substance.")
    dosage_form: str
    strength: str
    units_per_pack: int
    holder_name: str = strawberry.field(description="The marketing-authorisation holder.")
    registration_number: str
    status: ProductStatus
    manufacturer_bin: strawberry.Private[str | None]
    importer_bin: strawberry.Private[str | None]

    @classmethod
    def from_domain(cls, product: models.Product | ProductCard) -> Product:
        return cls(
            key=product.gtin,
            gtin=Gtin(product.gtin),
            trade_name=product.trade_name,
            inn=product.inn,
            dosage_form=product.dosage_form,
            strength=product.strength,
            units_per_pack=product.units_per_pack,
            holder_name=product.holder_name,
            registration_number=product.registration_number,
            status=product.status,
            manufacturer_bin=product.manufacturer_bin,
            importer_bin=product.importer_bin,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # strawberry's signature is overloaded on `required`
        cls, *, info: strawberry.Info[Context, None], node_ids: Iterable[str], required: bool = False
    ) -> list[Product | None]:
        found = await info.context.loaders.product_by_gtin.load_many(list(node_ids))
        return [cls.from_domain(p) if p is not None else None for p in found]

    @strawberry.field(description="The domestic manufacturer that orders this product's codes, if any.")
    async def manufacturer(self, info: strawberry.Info[Context, None]) -> Organisation | None:
        return await organisation_by_bin(info, self.manufacturer_bin)

    @strawberry.field(description="The importer that orders this product's codes, if any.")
    async def importer(self, info: strawberry.Info[Context, None]) -> Organisation | None:
        return await organisation_by_bin(info, self.importer_bin)

    @strawberry.field(description="The maximum retail price in force on a day (today in Almaty by default).")
    async def max_retail_price(self, info: strawberry.Info[Context, None], on: date | None = None) -> Money | None:
        day = on or local_date(info.context.clock.now())
        row = await info.context.loaders.price_in_force.load((self.key, day))
        return Money(row.price_tiyn) if row is not None else None

    @strawberry.field(description="Every maximum retail price of the product, newest first.")
    async def max_retail_price_history(self, info: strawberry.Info[Context, None]) -> list[MaxRetailPrice]:
        rows = await info.context.loaders.price_history.load(self.key)
        return [MaxRetailPrice.from_domain(row) for row in rows]
