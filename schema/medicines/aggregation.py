from __future__ import annotations

import strawberry

from domain.medicines import aggregation
from domain.shared.errors import DomainError
from schema.context import Context
from schema.errors import UserError


@strawberry.input
class AggregatePacksInput:
    container: str = strawberry.field(description="The new box's or pallet's SSCC (00), as scanned.")
    codes: list[str] = strawberry.field(description="Packs, or boxes (for a pallet), as scanned.")


@strawberry.type
class AggregatePacksPayload:
    sscc: str | None
    errors: list[UserError]


async def aggregate_packs(info: strawberry.Info[Context, None], input: AggregatePacksInput) -> AggregatePacksPayload:
    ctx = info.context
    try:
        box = await aggregation.aggregate(
            ctx.principal,
            ctx.session,
            container=input.container,
            codes=input.codes,
            keys=ctx.code_keys,
            now=ctx.clock.now(),
        )
    except DomainError as error:
        return AggregatePacksPayload(sscc=None, errors=[UserError.from_domain(error, ctx.locale)])
    return AggregatePacksPayload(sscc=box.sscc, errors=[])


@strawberry.input
class DisaggregatePacksInput:
    container: str = strawberry.field(description="The box's or pallet's SSCC (00), as scanned.")


@strawberry.type
class DisaggregatePacksPayload:
    released: int | None = strawberry.field(description="How many packs were in the box itself.")
    errors: list[UserError]


async def disaggregate_packs(
    info: strawberry.Info[Context, None], input: DisaggregatePacksInput
) -> DisaggregatePacksPayload:
    ctx = info.context
    try:
        count = await aggregation.disaggregate(
            ctx.principal, ctx.session, container=input.container, now=ctx.clock.now()
        )
    except DomainError as error:
        return DisaggregatePacksPayload(released=None, errors=[UserError.from_domain(error, ctx.locale)])
    return DisaggregatePacksPayload(released=count, errors=[])
