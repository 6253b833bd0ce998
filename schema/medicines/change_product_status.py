from __future__ import annotations

import strawberry

from domain.medicines import registry
from domain.medicines.gtin import Gtin
from domain.medicines.models import ProductStatus
from domain.shared.errors import DomainError
from schema.context import Context
from schema.errors import UserError
from schema.medicines.products import Product


@strawberry.input
class ChangeProductStatusInput:
    gtin: Gtin
    status: ProductStatus


@strawberry.type
class ChangeProductStatusPayload:
    product: Product | None
    errors: list[UserError]


async def change_product_status(
    info: strawberry.Info[Context, None], input: ChangeProductStatusInput
) -> ChangeProductStatusPayload:
    ctx = info.context
    try:
        product = await registry.change_product_status(
            ctx.principal, ctx.session, gtin=str(input.gtin), status=input.status, now=ctx.clock.now()
        )
    except DomainError as error:
        return ChangeProductStatusPayload(product=None, errors=[UserError.from_domain(error, ctx.locale)])
    return ChangeProductStatusPayload(product=Product.from_domain(product), errors=[])
