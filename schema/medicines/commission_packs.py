from __future__ import annotations

from datetime import date

import strawberry

from domain.medicines import commissioning
from domain.medicines.gtin import Gtin
from domain.shared.errors import DomainError
from schema.context import Context
from schema.errors import UserError


@strawberry.input
class CommissionPacksInput:
    gtin: Gtin
    serials: list[str] = strawberry.field(description="Serials (AI 21) of issued codes, 1 to 100,000.")
    batch: str = strawberry.field(description="Batch number (AI 10).")
    expiry: date = strawberry.field(description="Expiry date (AI 17).")
    produced_on: date


@strawberry.type
class CommissionPacksPayload:
    commissioned: int | None = strawberry.field(description="How many packs now exist.")
    errors: list[UserError]


async def commission_packs(info: strawberry.Info[Context, None], input: CommissionPacksInput) -> CommissionPacksPayload:
    ctx = info.context
    batch = commissioning.BatchDetails(number=input.batch, expiry=input.expiry, produced_on=input.produced_on)
    try:
        await commissioning.commission_packs(
            ctx.principal, ctx.session, gtin=str(input.gtin), serials=input.serials, batch=batch, now=ctx.clock.now()
        )
    except DomainError as error:
        return CommissionPacksPayload(commissioned=None, errors=[UserError.from_domain(error, ctx.locale)])
    return CommissionPacksPayload(commissioned=len(input.serials), errors=[])
