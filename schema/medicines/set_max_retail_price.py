from __future__ import annotations

from datetime import date

import strawberry

from domain.medicines import registry
from domain.medicines.gtin import Gtin
from domain.shared.errors import DomainError
from domain.shared.money import Money
from schema.context import Context
from schema.errors import UserError
from schema.medicines.products import MaxRetailPrice


@strawberry.input
class SetMaxRetailPriceInput:
    gtin: Gtin
    price: Money
    effective_from: date = strawberry.field(description="The first day (Almaty) the price is in force; not today.")


@strawberry.type
class SetMaxRetailPricePayload:
    max_retail_price: MaxRetailPrice | None
    errors: list[UserError]


async def set_max_retail_price(
    info: strawberry.Info[Context, None], input: SetMaxRetailPriceInput
) -> SetMaxRetailPricePayload:
    ctx = info.context
    try:
        row = await registry.set_max_retail_price(
            ctx.principal,
            ctx.session,
            gtin=str(input.gtin),
            price=input.price,
            effective_from=input.effective_from,
            now=ctx.clock.now(),
        )
    except DomainError as error:
        return SetMaxRetailPricePayload(max_retail_price=None, errors=[UserError.from_domain(error, ctx.locale)])
    return SetMaxRetailPricePayload(max_retail_price=MaxRetailPrice.from_domain(row), errors=[])
