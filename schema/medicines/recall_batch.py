from __future__ import annotations

import strawberry

from domain.medicines import recalls
from domain.medicines.gtin import Gtin
from domain.shared.errors import DomainError
from schema.context import Context
from schema.errors import UserError


@strawberry.input
class RecallBatchInput:
    gtin: Gtin
    batch: str
    reason: str


@strawberry.type
class RecallBatchPayload:
    holders: int | None = strawberry.field(description="Organisations holding packs of the batch when recalled.")
    packs_in_stock: int | None
    errors: list[UserError]


async def recall_batch(info: strawberry.Info[Context, None], input: RecallBatchInput) -> RecallBatchPayload:
    ctx = info.context
    try:
        recall = await recalls.recall_batch(
            ctx.principal,
            ctx.session,
            gtin=str(input.gtin),
            batch_number=input.batch,
            reason=input.reason,
            now=ctx.clock.now(),
        )
    except DomainError as error:
        return RecallBatchPayload(holders=None, packs_in_stock=None, errors=[UserError.from_domain(error, ctx.locale)])
    return RecallBatchPayload(holders=recall.holders, packs_in_stock=recall.packs_in_stock, errors=[])
