from __future__ import annotations

import strawberry

from domain.medicines import registry
from domain.medicines.gtin import Gtin
from domain.shared.bin import Bin
from domain.shared.errors import DomainError
from schema.context import Context
from schema.errors import UserError
from schema.medicines.products import Product


@strawberry.input
class RegisterProductInput:
    gtin: Gtin
    trade_name: str
    inn: str
    dosage_form: str
    strength: str
    units_per_pack: int
    holder_name: str
    registration_number: str
    manufacturer_bin: Bin | None = None
    importer_bin: Bin | None = None


@strawberry.type
class RegisterProductPayload:
    product: Product | None
    errors: list[UserError]


async def register_product(info: strawberry.Info[Context, None], input: RegisterProductInput) -> RegisterProductPayload:
    ctx = info.context
    card = registry.ProductCard(
        gtin=str(input.gtin),
        trade_name=input.trade_name.strip(),
        inn=input.inn.strip(),
        dosage_form=input.dosage_form.strip(),
        strength=input.strength.strip(),
        units_per_pack=input.units_per_pack,
        holder_name=input.holder_name.strip(),
        registration_number=input.registration_number.strip(),
        manufacturer_bin=str(input.manufacturer_bin) if input.manufacturer_bin else None,
        importer_bin=str(input.importer_bin) if input.importer_bin else None,
    )
    try:
        product = await registry.register_product(ctx.principal, ctx.session, card=card, now=ctx.clock.now())
    except DomainError as error:
        return RegisterProductPayload(product=None, errors=[UserError.from_domain(error, ctx.locale)])
    return RegisterProductPayload(product=Product.from_domain(product), errors=[])
